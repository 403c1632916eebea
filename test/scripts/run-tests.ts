/**
 * `npm test`: everything, on a clean clone.
 *
 *   1. checks that the project's pinned Node 24 runs this (not the machine's Node),
 *   2. type-checks and lints the whole workspace,
 *   3. installs (idempotently) and starts the local AWS stack: DynamoDB Local and moto, in memory,
 *   4. creates the tables, queues, keys and bucket from shared/platform/resources.ts,
 *   5. installs Chromium and builds the portal when the browser tests are selected,
 *   6. runs every `*.test.ts` with node:test, the stack's endpoints in the environment,
 *   7. stops the stack, whatever happened.
 *
 * Arguments are file filters: `npm test -- vault` runs only test files whose path contains "vault".
 * `STRONGROOM_SKIP_CHECKS=1` skips steps 2 (for iterating on one suite while other work is half-done).
 */
import { spawn } from 'node:child_process';
import { globSync } from 'node:fs';
import path from 'node:path';
import { bootstrapLocalResources } from '../local-stack/bootstrap.ts';
import { ensureLocalStackInstalled } from '../local-stack/install.ts';
import { ensurePortalBuilt } from '../local-stack/portal.ts';
import { startLocalStack } from '../local-stack/stack.ts';
import { ensureChromiumInstalled, ensureTargetsInstalled } from '../targets/install.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const nodeBinary = process.execPath;
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function step(title: string) {
  console.log(`\n▶ ${title} (${elapsed()})`);
}

step('node --version');
console.log(process.version);
if (!process.version.startsWith('v24.')) {
  console.error(
    `npm test must run on the project's Node 24 (node_modules/.bin/node), not ${process.version}.`,
  );
  process.exit(1);
}

const skipChecks = process.env.STRONGROOM_SKIP_CHECKS === '1';
step(skipChecks ? 'typecheck (skipped)' : 'typecheck');
if (
  !skipChecks &&
  (await run(nodeBinary, [
    path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    'tsconfig.json',
    '--noEmit',
  ])) !== 0
) {
  process.exit(1);
}
// The portal has its own compiler settings (JSX, bundler resolution).
if (
  !skipChecks &&
  (await run(nodeBinary, [
    path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    'web/tsconfig.json',
    '--noEmit',
  ])) !== 0
) {
  process.exit(1);
}

step(skipChecks ? 'lint and format check (skipped)' : 'lint and format check (biome)');
if (!skipChecks && (await run(bin('biome'), ['check', '.'])) !== 0) process.exit(1);

step('local AWS stack: install');
await ensureLocalStackInstalled((line) => console.log(`  ${line}`));

step('local AWS stack: start and bootstrap');
const stack = await startLocalStack({ log: (line) => console.log(`  ${line}`) });
let exitCode = 1;
try {
  const resources = await bootstrapLocalResources(stack.env, { stage: 'test' });
  const filters = process.argv.slice(2);
  const files = globSync(['{shared,connectors,functions,infra,test,web}/**/*.test.ts'], {
    cwd: repoRoot,
    exclude: (name) => name.includes('node_modules') || /(^|\/)\.(next|open-next)/.test(name),
  })
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .sort();
  // Connector and rotation suites run against real sshd, PostgreSQL, MariaDB and Samba AD DC.
  if (files.some((file) => file.startsWith('connectors/') || file.includes('rotation'))) {
    step('test targets: install');
    await ensureTargetsInstalled((line) => console.log(`  ${line}`));
  }
  // The portal's browser tests drive Debian's Chromium against a production build of web/.
  if (files.some((file) => file.startsWith('test/portal/'))) {
    step('portal: chromium and next build');
    await ensureChromiumInstalled((line) => console.log(`  ${line}`));
    await ensurePortalBuilt((line) => console.log(`  ${line}`));
  }
  step(`node --test (${files.length} files)`);
  exitCode = await run(nodeBinary, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
    ...process.env,
    ...stack.env,
    ...resources,
    STRONGROOM_PASSWORD_HASH_COST: '14',
    STRONGROOM_LOG_LEVEL: 'warn',
  });
} finally {
  await stack.stop();
}
console.log(`\n${exitCode === 0 ? '✔ all tests passed' : '✖ tests failed'} in ${elapsed()}`);
process.exit(exitCode);
