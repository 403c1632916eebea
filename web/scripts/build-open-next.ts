/**
 * Builds the tenant portal for AWS with OpenNext: `next build`, then the Lambda and S3 packages
 * in `web/.open-next/` that infra/lib/stacks/portal-stack.ts deploys.
 *
 *   npm run build:aws -w web          # or: node web/scripts/build-open-next.ts
 *
 * The CDK app runs this when `web/.open-next` is missing (infra/lib/portal-build.ts). It works
 * offline: Next's telemetry is off, npm is told not to reach the registry, and open-next.config.ts
 * keeps OpenNext from installing sharp. Takes one to two minutes on two cores.
 *
 * OpenNext reads Next's output from `web/.next`, so a `STRONGROOM_WEB_DIST_DIR` inherited from the
 * browser tests (which build into directories of their own) is dropped here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(webDir, '..');
const outputDir = path.join(webDir, '.open-next');
const openNextCli = fileURLToPath(import.meta.resolve('@opennextjs/aws/index.js'));

/** What the portal stack deploys; the build is incomplete without them. */
const requiredOutputs = ['server-functions/default/index.mjs', 'assets/_next/static'];

function directorySize(directory: string): number {
  let total = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const env: NodeJS.ProcessEnv = {
  ...process.env,
  // The project's pinned Node and the workspace's `next` for `npm run build` and its children.
  PATH: [path.join(repoRoot, 'node_modules', '.bin'), process.env.PATH].filter(Boolean).join(path.delimiter),
  NEXT_TELEMETRY_DISABLED: '1',
  // Fail instead of downloading if anything in the build calls npm for a package.
  npm_config_offline: 'true',
  npm_config_update_notifier: 'false',
};
delete env.STRONGROOM_WEB_DIST_DIR;

const started = performance.now();
const result = spawnSync(process.execPath, [openNextCli, 'build'], { cwd: webDir, env, stdio: 'inherit' });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (result.error) throw result.error;
if (result.status !== 0) {
  console.error(`OpenNext build failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
  process.exit(result.status ?? 1);
}

const missing = requiredOutputs.filter((relative) => !existsSync(path.join(outputDir, relative)));
if (missing.length > 0) {
  console.error(`OpenNext build finished but ${outputDir} lacks: ${missing.join(', ')}`);
  process.exit(1);
}
const megabytes = (relative: string) =>
  `${(directorySize(path.join(outputDir, relative)) / 1024 / 1024).toFixed(1)} MB`;
console.log(
  `OpenNext build in ${seconds} s: ${outputDir} (server function ${megabytes('server-functions/default')}, assets ${megabytes('assets')})`,
);
