import type { InstallOptions, OpenNextConfig } from '@opennextjs/aws/types/open-next.js';

/**
 * OpenNext build of the tenant portal for AWS (`npm run build:aws -w web`, see
 * scripts/build-open-next.ts; deployed by infra/lib/stacks/portal-stack.ts).
 *
 * Deliberately minimal, because every page of the portal is rendered per request (per-user,
 * per-tenant data, a per-request CSP nonce) and images are served unoptimized:
 *
 * - One server function (`.open-next/server-functions/default`), behind a Lambda function URL.
 *   Its event is the API Gateway v2 payload, which function URLs use too; the response is
 *   buffered (not streamed): the pages are small and render in one go.
 * - No incremental cache, tag cache or revalidation queue: nothing is prerendered for reuse or
 *   revalidated (no `revalidate`, `revalidateTag` or `revalidatePath` in the portal), so no S3
 *   cache bucket, DynamoDB tag table or SQS queue exists. The `dummy` overrides keep OpenNext from
 *   bundling and calling the S3/DynamoDB/SQS clients, and `disable*` makes it skip the cache
 *   assets at build time.
 * - No image optimization: next.config.ts sets `images.unoptimized`. OpenNext still bundles an
 *   image function (not deployed), but its default `install` would run `npm install sharp` for
 *   linux-arm64 from the registry on every build; `false` skips that (OpenNext's installer
 *   returns early on a falsy value and `??` keeps `false`), so the build stays offline.
 * - The warmer and revalidation functions it always bundles are not deployed either.
 */
const noInstall = false as unknown as InstallOptions;

const config = {
  default: {
    override: {
      wrapper: 'aws-lambda',
      converter: 'aws-apigw-v2',
      incrementalCache: 'dummy',
      tagCache: 'dummy',
      queue: 'dummy',
    },
  },
  imageOptimization: {
    loader: 'dummy',
    install: noInstall,
  },
  dangerous: {
    disableIncrementalCache: true,
    disableTagCache: true,
  },
} satisfies OpenNextConfig;

export default config;
