import path from 'node:path';
import type { NextConfig } from 'next';

/**
 * The portal is rendered on the server for every request (it shows per-user, per-tenant data),
 * so pages are dynamic and the Content-Security-Policy with its per-request nonce is set by
 * `proxy.ts`. The headers here are the static ones every response carries.
 */
const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
  { key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' },
];

const config: NextConfig = {
  output: 'standalone',
  // Parallel builds of one checkout (and the browser tests) may each use a directory of their own.
  distDir: process.env.STRONGROOM_WEB_DIST_DIR || '.next',
  outputFileTracingRoot: path.join(import.meta.dirname, '..'),
  turbopack: { root: path.join(import.meta.dirname, '..') },
  poweredByHeader: false,
  reactStrictMode: true,
  images: { unoptimized: true },
  // Type-checking runs once for the whole workspace (`npm run typecheck`), not again per build.
  typescript: { ignoreBuildErrors: true },
  productionBrowserSourceMaps: false,
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default config;
