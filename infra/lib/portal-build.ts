import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { defaultOpenNextDir, openNextBuildScript, repoRoot } from './paths.ts';

/**
 * The tenant portal's OpenNext output (`web/.open-next`, built by web/scripts/build-open-next.ts
 * with web/open-next.config.ts) as the portal stack deploys it.
 *
 * Where the CDK app gets it (bin/strongroom.ts, {@link resolveOpenNextDir}):
 *
 * 1. `STRONGROOM_PORTAL_OPEN_NEXT_DIR=/path/to/.open-next`: a prebuilt output (CI builds once,
 *    then synthesizes and deploys from it); never rebuilt.
 * 2. Otherwise `web/.open-next` if it is complete, as it is: run `npm run build:aws -w web` (or
 *    delete it) after changing the portal, before a deploy.
 * 3. Otherwise the app runs the build itself (one to two minutes, offline).
 *
 * The stack only ever takes a directory, so the infra tests hand it a tiny fake output and never
 * run Next.
 */

/** Environment variable naming a prebuilt OpenNext output directory. */
export const openNextDirVariable = 'STRONGROOM_PORTAL_OPEN_NEXT_DIR';

/** A file or directory at the top of the assets: served from S3 under its own path pattern. */
export interface PublicAsset {
  readonly name: string;
  readonly isDirectory: boolean;
}

export interface OpenNextOutput {
  readonly directory: string;
  /** The server function's code directory and handler (`file.export`). */
  readonly serverFunction: { readonly directory: string; readonly handler: string };
  /** Everything served from S3: `_next/static/…` (content-hashed) and the files of `web/public`. */
  readonly assetsDirectory: string;
  /** The top-level entries of the assets other than `_next` and `BUILD_ID`. */
  readonly publicAssets: readonly PublicAsset[];
}

/** The parts of `open-next.output.json` the stack relies on. */
interface OutputManifest {
  readonly origins?: {
    readonly default?: {
      readonly type?: string;
      readonly handler?: string;
      readonly bundle?: string;
      readonly streaming?: boolean;
      readonly wrapper?: string;
      readonly converter?: string;
    };
  };
}

/**
 * Not served: OpenNext copies the build id next to the assets for its S3 cache, which the portal
 * does not use (open-next.config.ts disables the incremental cache), and no client asks for it.
 */
const unservedAssets = new Set(['_next', 'BUILD_ID']);

/**
 * Reads and checks an OpenNext output. The stack deploys the server function behind a buffered
 * function URL, so the build must have used the `aws-lambda` wrapper with the API Gateway v2
 * converter (the function URL event) and no streaming, as web/open-next.config.ts says.
 */
export function readOpenNextOutput(directory: string): OpenNextOutput {
  const manifestPath = path.join(directory, 'open-next.output.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`${directory} is not an OpenNext output: no open-next.output.json`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as OutputManifest;
  const server = manifest.origins?.default;
  if (
    server?.type !== 'function' ||
    !server.handler ||
    !server.bundle?.endsWith('server-functions/default')
  ) {
    throw new Error(`${manifestPath}: no default server function`);
  }
  const expected = { wrapper: 'aws-lambda', converter: 'aws-apigw-v2', streaming: false };
  const actual = {
    wrapper: server.wrapper,
    converter: server.converter,
    streaming: server.streaming ?? false,
  };
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `${manifestPath}: the server function was built with ${JSON.stringify(actual)}; the portal stack deploys ${JSON.stringify(expected)} (web/open-next.config.ts)`,
    );
  }
  const serverDirectory = path.join(directory, 'server-functions', 'default');
  const handlerFile = `${server.handler.slice(0, server.handler.lastIndexOf('.'))}.mjs`;
  if (!existsSync(path.join(serverDirectory, handlerFile))) {
    throw new Error(`${serverDirectory} lacks ${handlerFile}, the handler module`);
  }
  const assetsDirectory = path.join(directory, 'assets');
  if (!existsSync(path.join(assetsDirectory, '_next', 'static'))) {
    throw new Error(`${assetsDirectory} lacks _next/static`);
  }
  const publicAssets = readdirSync(assetsDirectory, { withFileTypes: true })
    .filter((entry) => !unservedAssets.has(entry.name))
    .map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    directory,
    serverFunction: { directory: serverDirectory, handler: server.handler },
    assetsDirectory,
    publicAssets,
  };
}

/** Whether a directory holds a complete OpenNext output. */
function isComplete(directory: string): boolean {
  try {
    readOpenNextOutput(directory);
    return true;
  } catch {
    return false;
  }
}

/**
 * The OpenNext output the CDK app deploys: the prebuilt one named by the environment, else
 * `web/.open-next`, built first if it is missing. Progress goes to stderr (the CDK CLI shows it).
 */
export function resolveOpenNextDir(env: NodeJS.ProcessEnv = process.env): string {
  const prebuilt = env[openNextDirVariable];
  if (prebuilt) return path.resolve(prebuilt);

  if (isComplete(defaultOpenNextDir)) {
    const builtAt = statSync(path.join(defaultOpenNextDir, 'open-next.output.json')).mtime;
    console.error(
      `Portal: deploying ${path.relative(repoRoot, defaultOpenNextDir)} as built at ${builtAt.toISOString()} (npm run build:aws -w web rebuilds it)`,
    );
    return defaultOpenNextDir;
  }

  console.error(`Portal: ${path.relative(repoRoot, defaultOpenNextDir)} is missing, building it (OpenNext)`);
  const result = spawnSync(process.execPath, [openNextBuildScript], {
    cwd: repoRoot,
    // The CLI reads nothing from the app's stdout, but keep the build's chatter with the app's logs.
    stdio: ['ignore', 2, 2],
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`The portal's OpenNext build failed (exit ${result.status ?? result.signal})`);
  }
  return defaultOpenNextDir;
}
