/**
 * The tenant portal (web/) on this machine: `npm start`, the browser tests and the bench build it
 * once with `next build` (standalone output) and run its server beside the local API.
 *
 *   web/ sources ──next build──▶ web/.next/standalone/web/server.js (+ .next/static, public copied in)
 *                                         │  node, HOSTNAME=127.0.0.1, PORT
 *                                         ▼
 *                  http://127.0.0.1:3000 ──server-side fetch──▶ Strongroom API (STRONGROOM_API_URL)
 *
 * The build is skipped when nothing under web/ is newer than the last build (BUILD_ID).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { repoRoot } from './paths.ts';

export const webDirectory = path.join(repoRoot, 'web');
/**
 * Where `next build` writes: web/.next, or web/<STRONGROOM_WEB_DIST_DIR> so that several checkouts'
 * worth of work (parallel engineers, a bench beside a test run) need not share one build.
 */
const distName = process.env.STRONGROOM_WEB_DIST_DIR || '.next';
export const portalDistDirectory = path.join(webDirectory, distName);
const distDirectory = portalDistDirectory;
const standaloneServer = path.join(distDirectory, 'standalone', 'web', 'server.js');

const sourceEntries = ['app', 'components', 'lib', 'public', 'proxy.ts', 'next.config.ts', 'package.json'];

function newestSourceTime(): number {
  let newest = 0;
  const visit = (entry: string) => {
    if (!existsSync(entry)) return;
    const stat = statSync(entry);
    if (stat.isDirectory()) {
      for (const child of readdirSync(entry)) visit(path.join(entry, child));
    } else if (stat.mtimeMs > newest) newest = stat.mtimeMs;
  };
  for (const entry of sourceEntries) visit(path.join(webDirectory, entry));
  return newest;
}

function builtTime(): number {
  const buildId = path.join(distDirectory, 'BUILD_ID');
  return existsSync(buildId) && existsSync(standaloneServer) ? statSync(buildId).mtimeMs : 0;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', STRONGROOM_WEB_DIST_DIR: distName },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) output.push(line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) {
        for (const line of output.filter((l) => /^[┌├└│ƒ○]|Compiled|Route/.test(l.trim()))) log(line);
        resolve();
      } else
        reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output.slice(-40).join('\n')}`));
    });
  });
}

/** Builds the portal unless the last build is newer than every source file. */
export async function ensurePortalBuilt(
  log: (line: string) => void = () => {},
): Promise<{ built: boolean; ms: number }> {
  const started = performance.now();
  if (builtTime() > newestSourceTime()) return { built: false, ms: 0 };
  log('building the portal (next build)…');
  const nextBin = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  await run(process.execPath, [nextBin, 'build'], webDirectory, log);
  // The standalone server serves static files only from beside itself.
  const standaloneWeb = path.dirname(standaloneServer);
  cpSync(path.join(distDirectory, 'static'), path.join(standaloneWeb, distName, 'static'), {
    recursive: true,
  });
  if (existsSync(path.join(webDirectory, 'public'))) {
    cpSync(path.join(webDirectory, 'public'), path.join(standaloneWeb, 'public'), { recursive: true });
  }
  return { built: true, ms: performance.now() - started };
}

/** A free loopback port (for servers that cannot report the port they bound). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The cookie-sealing key of the local portal: kept in a file so that sign-ins survive restarts. */
export function localSessionSecret(dataDirectory: string | null): string {
  if (!dataDirectory) return randomBytes(32).toString('base64url');
  const file = path.join(dataDirectory, 'portal-session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDirectory, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export interface PortalServer {
  readonly url: string;
  /** Everything the server printed (the tests check that no secret is among it). */
  readonly output: () => string;
  stop(): Promise<void>;
}

export async function startPortal(options: {
  readonly apiUrl: string;
  readonly port?: number;
  readonly sessionSecret: string;
  /**
   * The key the API was given to check forwarded client addresses (startApiServer's
   * clientAddressKey). With it, the portal forwards each user's address — from X-Forwarded-For,
   * which Next's server fills from the socket — and browser to the API.
   */
  readonly clientAddressKey?: string;
  readonly env?: Record<string, string>;
  readonly log?: (line: string) => void;
}): Promise<PortalServer> {
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, [standaloneServer], {
    cwd: path.dirname(standaloneServer),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      HOSTNAME: '127.0.0.1',
      PORT: String(port),
      STRONGROOM_API_URL: options.apiUrl,
      STRONGROOM_WEB_SESSION_SECRET: options.sessionSecret,
      ...(options.clientAddressKey
        ? {
            STRONGROOM_WEB_CLIENT_ADDRESS_KEY: options.clientAddressKey,
            STRONGROOM_WEB_VIEWER_ADDRESS_HEADER: 'x-forwarded-for',
          }
        : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the portal did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) options.log?.(line);
      if (/Ready in|started server/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the portal exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
