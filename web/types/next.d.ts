/// <reference types="next" />
/// <reference types="next/image-types/global" />

// What `next build` writes into the git-ignored next-env.d.ts, here too so that the portal
// type-checks on a clean clone before any build.
