import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyClientAttestation } from '@strongroom/functions/http/client-attestation';

/**
 * The portal signs (web/lib/client-attestation.ts) and the API verifies
 * (functions/src/http/client-attestation.ts) the same text; the two packages share no code, so
 * this checks that they agree, and that the portal forwards nothing it should not.
 */
const keyText = randomBytes(32).toString('base64url');
process.env.STRONGROOM_WEB_CLIENT_ADDRESS_KEY = keyText;
process.env.STRONGROOM_WEB_VIEWER_ADDRESS_HEADER = 'x-strongroom-viewer-address';
const portal = await import('../../web/lib/client-attestation.ts');
const key = new TextEncoder().encode(keyText);
const token = `Bearer ${randomBytes(30).toString('base64url')}`;

const request = (values: Record<string, string>) => new Headers(values);

describe('portal and API agree on client attestation', () => {
  it('what the portal signs, the API accepts, for IPv4 and IPv6, with and without a token', async () => {
    const now = Date.now();
    for (const address of ['203.0.113.7', '2001:db8::42']) {
      for (const authorization of [token, '']) {
        const client = portal.clientOfRequest(
          request({ 'x-strongroom-viewer-address': address, 'user-agent': 'Mozilla/5.0 Test' }),
        );
        assert.deepEqual(client, { address, userAgent: 'Mozilla/5.0 Test' });
        const headers = await portal.clientAttestationHeaders(client, authorization, now);
        const all: Record<string, string> = { ...headers, ...(authorization ? { authorization } : {}) };
        assert.deepEqual(
          verifyClientAttestation((name) => all[name], key, now),
          {
            kind: 'attested',
            sourceIp: address,
            userAgent: 'Mozilla/5.0 Test',
          },
        );
      }
    }
  });

  it('the portal takes the first X-Forwarded-For entry and forwards nothing for a bad or missing address', () => {
    process.env.STRONGROOM_WEB_VIEWER_ADDRESS_HEADER = 'x-forwarded-for';
    try {
      assert.equal(
        portal.clientOfRequest(request({ 'x-forwarded-for': '198.51.100.4, 10.0.0.1' }))?.address,
        '198.51.100.4',
      );
      assert.equal(portal.clientOfRequest(request({ 'x-forwarded-for': 'unknown' })), null);
      assert.equal(portal.clientOfRequest(request({})), null);
    } finally {
      process.env.STRONGROOM_WEB_VIEWER_ADDRESS_HEADER = 'x-strongroom-viewer-address';
    }
    // Without the setting, no header is trusted at all.
    delete process.env.STRONGROOM_WEB_VIEWER_ADDRESS_HEADER;
    try {
      assert.equal(portal.clientOfRequest(request({ 'x-strongroom-viewer-address': '203.0.113.7' })), null);
    } finally {
      process.env.STRONGROOM_WEB_VIEWER_ADDRESS_HEADER = 'x-strongroom-viewer-address';
    }
  });

  it('a signature made for one token does not pass with another', async () => {
    const now = Date.now();
    const client = { address: '203.0.113.7', userAgent: 'Mozilla/5.0 Test' };
    const headers = await portal.clientAttestationHeaders(client, token, now);
    const other: Record<string, string> = { ...headers, authorization: `Bearer ${'z'.repeat(40)}` };
    assert.equal(verifyClientAttestation((name) => other[name], key, now).kind, 'refused');
    assert.deepEqual(await portal.clientAttestationHeaders(null, token, now), {});
  });
});
