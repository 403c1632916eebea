import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createClientAddressKeySource } from './adapters/secrets/client-address-key.ts';
import type { Composition } from './composition-root.ts';
import { createApiApp } from './http/api-app.ts';
import type { Logger } from './observability/logger.ts';

export interface ApiServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the whole API (every bounded context in one process) on a loopback port: `npm start`
 * and the end-to-end tests. In AWS each context is its own Lambda behind API Gateway instead.
 */
export async function startApiServer(options: {
  readonly composition: Composition;
  readonly logger: Logger;
  readonly hostname?: string;
  readonly port: number;
  /** The key the local portal signs its users' addresses with; without it they are refused. */
  readonly clientAddressKey?: string;
}): Promise<ApiServer> {
  const app = createApiApp({
    services: options.composition.services,
    verifyAccessToken: options.composition.verifyAccessToken,
    logger: options.logger,
    // The socket peer; X-Forwarded-For is never trusted.
    sourceIpOf: (c) => getConnInfo(c).remote.address ?? 'unknown',
    clientAddressKey: createClientAddressKeySource({ inline: options.clientAddressKey }),
  });
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port: options.port }, (info: AddressInfo) => {
      resolve({
        url: `http://${hostname}:${info.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
    server.once('error', reject);
  });
}
