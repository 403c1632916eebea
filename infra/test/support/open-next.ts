import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A tiny fake OpenNext output instead of a real build (no Next in the infra tests): the files the
 * portal stack reads, with the manifest web/open-next.config.ts produces.
 */
const manifest = {
  origins: {
    s3: { type: 's3', originPath: '_assets', copy: [{ from: '.open-next/assets', to: '_assets' }] },
    default: {
      type: 'function',
      handler: 'index.handler',
      bundle: '.open-next/server-functions/default',
      streaming: false,
      wrapper: 'aws-lambda',
      converter: 'aws-apigw-v2',
    },
  },
  behaviors: [{ pattern: '*', origin: 'default' }],
};

export type ServerOriginOverrides = Partial<typeof manifest.origins.default>;

let scratch: string | undefined;

/** A directory of this process's own, removed when the process exits. */
export function scratchDirectory(): string {
  if (!scratch) {
    const created = mkdtempSync(path.join(tmpdir(), 'strongroom-portal-'));
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
    scratch = created;
  }
  return scratch;
}

/** Writes a fake OpenNext output named `name` into the scratch directory and returns its path. */
export function fakeOpenNextOutput(name: string, overrides: ServerOriginOverrides = {}): string {
  const directory = path.join(scratchDirectory(), name);
  const files: Record<string, string> = {
    'open-next.output.json': JSON.stringify({
      ...manifest,
      origins: { ...manifest.origins, default: { ...manifest.origins.default, ...overrides } },
    }),
    'server-functions/default/index.mjs': 'export const handler = async () => ({ statusCode: 200 });\n',
    'assets/_next/static/chunks/x.js': 'console.log(1);\n',
    'assets/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    'assets/fonts/a.woff2': 'font',
    'assets/BUILD_ID': 'build-id',
  };
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, relative)), { recursive: true });
    writeFileSync(path.join(directory, relative), content);
  }
  return directory;
}
