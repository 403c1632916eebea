import path from 'node:path';

/**
 * Filesystem anchors for the CDK app.
 *
 * Resolved from this module's own location rather than `process.cwd()` so that `cdk synth`
 * from the repo root, `node --test` from anywhere and editor tooling all bundle the same files
 * and use the same lock file.
 */

/** The repository root: the npm workspace root holding `package-lock.json`. */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** The workspace lock file; pinned so NodejsFunction never guesses by walking up from cwd. */
export const lockFile = path.join(repoRoot, 'package-lock.json');

/** Absolute path of a Lambda entry module under `functions/src/entry/`. */
export const functionEntry = (fileName: string): string =>
  path.join(repoRoot, 'functions', 'src', 'entry', fileName);

/** The tenant portal's workspace (Next.js). */
export const webDir = path.join(repoRoot, 'web');

/** Where `npm run build:aws -w web` (OpenNext) writes the portal's deployable output. */
export const defaultOpenNextDir = path.join(webDir, '.open-next');

/** The script that builds {@link defaultOpenNextDir}. */
export const openNextBuildScript = path.join(webDir, 'scripts', 'build-open-next.ts');
