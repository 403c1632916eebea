import { spawn } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * Builds Lambda bundles the way infra/lib/constructs/strongroom-function.ts does (ESM, node24,
 * minified, AWS SDK bundled, createRequire banner) and measures cold initialisation: a fresh Node
 * process imports the bundle and serves one request; the figure is the process's own clock
 * (performance.now(), i.e. since process start) when the response is ready.
 */
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const outDirectory = path.join(repoRoot, '.cache', 'bench-bundles');
const banner =
  "import { createRequire as __strongroomCreateRequire } from 'node:module'; const require = __strongroomCreateRequire(import.meta.url);";

export async function bundle(name: string, entry: string): Promise<{ file: string; bytes: number }> {
  await mkdir(outDirectory, { recursive: true });
  const file = path.join(outDirectory, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: { js: banner },
    minify: true,
    logLevel: 'error',
  });
  return { file, bytes: (await stat(file)).size };
}

export async function helloWorldEntry(): Promise<string> {
  await mkdir(outDirectory, { recursive: true });
  const file = path.join(outDirectory, 'hello-world.entry.mjs');
  await writeFile(
    file,
    "export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: 'world' }) });\n",
  );
  return file;
}

/** Milliseconds from process start until one request has been served, in a fresh process. */
export function coldInit(bundleFile: string, event: object, env: NodeJS.ProcessEnv): Promise<number> {
  const script = `
    const { handler } = await import(${JSON.stringify(bundleFile)});
    const response = await handler(${JSON.stringify(event)}, { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 });
    process.stdout.write(JSON.stringify({ ms: performance.now(), status: response.statusCode }));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`cold init failed (${code}): ${err.slice(-500)}`));
      const { ms, status } = JSON.parse(out) as { ms: number; status: number };
      if (status >= 500) return reject(new Error(`cold init served ${status}`));
      resolve(ms);
    });
  });
}

/** An API Gateway HTTP API (payload 2.0) event. */
export function httpApiEvent(method: string, rawPath: string, headers: Record<string, string> = {}): object {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'api.strongroom.test', 'user-agent': 'bench', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'api.strongroom.test',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'bench' },
      requestId: 'bench-request',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}
