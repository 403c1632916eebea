import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Who is really calling when the portal calls.
 *
 * The portal renders pages on its own server and calls this API with the user's token, so the
 * edge (API Gateway, or the socket locally) sees the portal's address, not the person's. The
 * portal therefore says whose request it forwards — the viewer's address and user agent — and
 * vouches for it with an HMAC under a key that only the portal's server and the API's functions
 * can read:
 *
 *   browser ──▶ CloudFront (sets x-strongroom-viewer-address from the TCP peer)
 *           ──▶ portal ── x-strongroom-client-address / -user-agent / -signature ──▶ API
 *
 * The signature covers a timestamp, the address, the user agent and a hash of the Authorization
 * header, so it cannot be moved to another token or kept for later. Without the key, with a stale
 * or wrong signature, or with a malformed address, the headers are ignored: the request keeps the
 * edge's address, which fails every source-address condition closed. Nobody but the portal can
 * claim an address, and a misconfigured portal is visible in the log, never a bypass.
 */
export const clientAddressHeader = 'x-strongroom-client-address';
export const clientUserAgentHeader = 'x-strongroom-client-user-agent';
export const clientSignatureHeader = 'x-strongroom-client-signature';
/** How far the signature's timestamp may be from the API's clock, either way. */
export const clientAttestationMaxSkewSeconds = 120;
const maxUserAgentLength = 512;

export interface ClientAttestationInput {
  /** Unix time in seconds. */
  readonly timestamp: number;
  readonly address: string;
  readonly userAgent: string;
  /** The request's Authorization header, or '' when it has none (sign-in, refresh). */
  readonly authorization: string;
}

/** The signed text: one field per line, the token only as its SHA-256. */
export function clientAttestationPayload(input: ClientAttestationInput): string {
  const tokenHash = createHash('sha256').update(input.authorization, 'utf8').digest('base64url');
  return ['strongroom-client-v1', String(input.timestamp), input.address, input.userAgent, tokenHash].join(
    '\n',
  );
}

/** The signature header's value: `t=<unix seconds>,v1=<base64url HMAC-SHA256>`. */
export function signClientAttestation(key: Uint8Array, input: ClientAttestationInput): string {
  const mac = createHmac('sha256', key).update(clientAttestationPayload(input), 'utf8').digest('base64url');
  return `t=${input.timestamp},v1=${mac}`;
}

export type ClientAttestation =
  | { readonly kind: 'absent' }
  | { readonly kind: 'attested'; readonly sourceIp: string; readonly userAgent: string }
  | { readonly kind: 'refused'; readonly reason: string };

const signaturePattern = /^t=(\d{1,12}),v1=([A-Za-z0-9_-]{43})$/;

/**
 * Reads the portal's attestation from a request's headers. `key` is null when this deployment
 * has no portal key; then any attestation is refused (and the edge's view kept).
 */
export function verifyClientAttestation(
  header: (name: string) => string | undefined,
  key: Uint8Array | null,
  nowMs: number,
): ClientAttestation {
  const address = header(clientAddressHeader);
  const signature = header(clientSignatureHeader);
  if (address === undefined && signature === undefined) return { kind: 'absent' };
  if (!key) return { kind: 'refused', reason: 'no client-address key is configured' };
  if (address === undefined || signature === undefined) {
    return { kind: 'refused', reason: 'the address and its signature come together' };
  }
  if (isIP(address) === 0) return { kind: 'refused', reason: 'the address is not an IP address' };
  const userAgent = header(clientUserAgentHeader) ?? '';
  if (userAgent.length > maxUserAgentLength) return { kind: 'refused', reason: 'the user agent is too long' };
  const match = signaturePattern.exec(signature);
  if (!match) return { kind: 'refused', reason: 'the signature is malformed' };
  const timestamp = Number(match[1]);
  if (Math.abs(nowMs / 1000 - timestamp) > clientAttestationMaxSkewSeconds) {
    return { kind: 'refused', reason: 'the signature is too old or from the future' };
  }
  const expected = signClientAttestation(key, {
    timestamp,
    address,
    userAgent,
    authorization: header('authorization') ?? '',
  });
  const given = Buffer.from(signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return { kind: 'refused', reason: 'the signature does not match' };
  }
  return { kind: 'attested', sourceIp: address, userAgent };
}
