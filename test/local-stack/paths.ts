import path from 'node:path';

/**
 * Filesystem anchors of the local AWS stack.
 *
 * Resolved from this module's own location rather than `process.cwd()`, so that `npm start` from
 * the repo root, `node --test` from a sub-folder and an editor's test runner all share one cache
 * and one data directory.
 */

/** The repository root (the npm workspace root). */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** Sources of the local stack that live in the repository (POM, Java runner, Python launcher). */
export const localStackSourceDirectory = import.meta.dirname;

/**
 * Installed emulators: DynamoDB Local's jars and compiled runner, and moto's virtualenv.
 * Git-ignored (`.cache/`); deleting it only costs a reinstall.
 */
export const cacheDirectory = path.join(repoRoot, '.cache', 'local-stack');

/**
 * Default home of persistent local data (`npm start`): DynamoDB Local's database file and moto's
 * pickled state live under it. Git-ignored (`.data/`). Tests never use it; they run in memory.
 */
export const defaultDataDirectory = path.join(repoRoot, '.data');
