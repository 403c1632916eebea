import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { freeLoopbackPort } from './start.ts';

/**
 * Asserts that none of `secrets` appears anywhere in an error: message, stack, every own property,
 * and the same for each error in its `cause` chain (util.inspect walks them all).
 */
export function assertNoSecretIn(error: unknown, secrets: readonly string[]): void {
  const texts: string[] = [inspect(error, { depth: 20, showHidden: true, getters: true })];
  for (
    let current: unknown = error, depth = 0;
    current !== undefined && current !== null && depth < 20;
    depth++
  ) {
    if (current instanceof Error) {
      texts.push(
        current.message,
        current.stack ?? '',
        JSON.stringify(current, Object.getOwnPropertyNames(current)),
      );
      current = current.cause;
    } else {
      texts.push(String(current));
      break;
    }
  }
  const all = texts.join('\n');
  for (const secret of secrets) {
    assert.ok(secret.length > 0);
    assert.ok(!all.includes(secret), `a secret leaked into the error:\n${all.slice(0, 2000)}`);
  }
}

/** Runs `action`, expects it to throw, and returns the error. */
export async function failureOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  assert.fail('expected the operation to fail');
}

/** A TCP server that accepts connections and never says a word (a hung target). */
export async function startSilentServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nobody listens on (connections are refused). */
export const refusedPort = freeLoopbackPort;

/** Measures an action. */
export async function timed<T>(action: () => Promise<T>): Promise<{ value: T; milliseconds: number }> {
  const started = performance.now();
  const value = await action();
  return { value, milliseconds: performance.now() - started };
}
