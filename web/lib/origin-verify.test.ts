import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Against moto's Secrets Manager (the test runner points the SDK at it). */
describe('origin verification', () => {
  it('accepts only the secret header when STRONGROOM_WEB_ORIGIN_SECRET_ARN is set', async () => {
    const value = randomBytes(32).toString('base64url');
    const created = await new SecretsManagerClient({}).send(
      new CreateSecretCommand({
        Name: `portal-origin-${randomBytes(4).toString('hex')}`,
        SecretString: value,
      }),
    );
    process.env.STRONGROOM_WEB_ORIGIN_SECRET_ARN = created.ARN;
    const { fromTrustedOrigin } = await import('./origin-verify.ts');
    assert.equal(await fromTrustedOrigin(value), true);
    assert.equal(await fromTrustedOrigin(null), false);
    assert.equal(await fromTrustedOrigin(''), false);
    assert.equal(await fromTrustedOrigin(`${value.slice(0, -1)}A`), value.endsWith('A'));
    assert.equal(await fromTrustedOrigin(`${value}x`), false);
  });
});
