import { createHash, createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Tells the API who the person behind a portal request is. The API sees the portal's server as
 * its caller; with these headers, signed under a key only the portal and the API can read, its
 * audit trail records the person's address and browser, and access policies' source-address
 * conditions apply to the person (functions/src/http/client-attestation.ts verifies them; a
 * test checks that both sides agree).
 *
 * Where the address comes from is configuration, never a guess: STRONGROOM_WEB_VIEWER_ADDRESS_HEADER
 * names the request header that holds it. On AWS that is `x-strongroom-viewer-address`, which
 * CloudFront's viewer-request function sets from the TCP peer, overwriting anything the browser
 * sent (and only CloudFront can reach the portal function). Locally `npm start` names
 * `x-forwarded-for`, which Next's server fills from the socket. Without that setting or without
 * a key, nothing is forwarded and the API keeps its own view.
 */
export interface PortalClient {
  readonly address: string;
  readonly userAgent: string;
}

const maxUserAgentLength = 512;

/** The viewer of this request, from the configured header; null when unknown. */
export function clientOfRequest(headers: { get(name: string): string | null }): PortalClient | null {
  const headerName = process.env.STRONGROOM_WEB_VIEWER_ADDRESS_HEADER;
  if (!headerName) return null;
  // X-Forwarded-For may list proxies after the client; the first entry is the client.
  const address = headers.get(headerName)?.split(',')[0]?.trim() ?? '';
  if (isIP(address) === 0) return null;
  return { address, userAgent: (headers.get('user-agent') ?? '').slice(0, maxUserAgentLength) };
}

/** The same text the API checks (kept identical to functions/src/http/client-attestation.ts). */
export function clientAttestationPayload(input: {
  readonly timestamp: number;
  readonly address: string;
  readonly userAgent: string;
  readonly authorization: string;
}): string {
  const tokenHash = createHash('sha256').update(input.authorization, 'utf8').digest('base64url');
  return ['strongroom-client-v1', String(input.timestamp), input.address, input.userAgent, tokenHash].join(
    '\n',
  );
}

let cachedKey: Promise<Uint8Array | null> | undefined;

/** STRONGROOM_WEB_CLIENT_ADDRESS_KEY inline, or the secret named by …_KEY_ARN; null when neither. */
function clientAddressKey(): Promise<Uint8Array | null> {
  cachedKey ??= (async () => {
    const inline = process.env.STRONGROOM_WEB_CLIENT_ADDRESS_KEY;
    const arn = process.env.STRONGROOM_WEB_CLIENT_ADDRESS_KEY_ARN;
    let value: string | undefined = inline;
    if (!value && arn) {
      const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
      value = secret.SecretString;
      if (!value) throw new Error('The client-address key secret is empty.');
    }
    if (!value) return null;
    const trimmed = value.trim();
    if (trimmed.length < 32) throw new Error('The client-address key must be at least 32 characters.');
    return new TextEncoder().encode(trimmed);
  })();
  cachedKey.catch(() => {
    cachedKey = undefined;
  });
  return cachedKey;
}

/**
 * The headers that carry `client` to the API for a request with this Authorization header (''
 * for none). Empty when there is no client or no key: the API then records the portal itself.
 */
export async function clientAttestationHeaders(
  client: PortalClient | null,
  authorization: string,
  nowMs: number = Date.now(),
): Promise<Record<string, string>> {
  if (!client) return {};
  const key = await clientAddressKey();
  if (!key) return {};
  const timestamp = Math.floor(nowMs / 1000);
  const mac = createHmac('sha256', key)
    .update(clientAttestationPayload({ timestamp, ...client, authorization }), 'utf8')
    .digest('base64url');
  return {
    'x-strongroom-client-address': client.address,
    'x-strongroom-client-user-agent': client.userAgent,
    'x-strongroom-client-signature': `t=${timestamp},v1=${mac}`,
  };
}
