import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpenError } from '@hpke/core';
import { ValidationError } from '@strongroom/shared/kernel/errors';
import fc from 'fast-check';
import { createHpkeCredentialSealer, hpkeSuiteName } from './hpke-credential-sealer.ts';
import { generateRecipientKeyPair, openSealedCredential } from './hpke-recipient.ts';

const binding = { info: 'strongroom/release/rel_01/acc_01', aad: 'tenant:ten_01' } as const;
const sealer = createHpkeCredentialSealer();

const hexKey = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
const isKeyRejection = (error: unknown) => {
  assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
  assert.deepEqual(error.issues[0]?.path, ['body', 'publicKey']);
  return true;
};

describe('HPKE credential sealer', () => {
  it('round-trips a credential to the recipient, naming the suite', async () => {
    const recipient = await generateRecipientKeyPair();
    assert.equal(Buffer.from(recipient.publicKey, 'base64url').length, 32);
    const sealed = await sealer.seal(recipient.publicKey, 'correct horse battery staple', binding);
    assert.equal(sealed.suite, hpkeSuiteName);
    assert.equal(sealed.suite, 'DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM');
    assert.match(sealed.enc, /^[A-Za-z0-9_-]{43}$/);
    assert.match(sealed.ciphertext, /^[A-Za-z0-9_-]+$/);
    assert.doesNotMatch(Buffer.from(sealed.ciphertext, 'base64url').toString('latin1'), /horse/);
    // 28 bytes of plaintext + the 16-byte GCM tag.
    assert.equal(Buffer.from(sealed.ciphertext, 'base64url').length, 28 + 16);
    assert.equal(
      await openSealedCredential(recipient.privateKey, sealed, binding),
      'correct horse battery staple',
    );
  });

  it('seals the empty string and multi-byte text', async () => {
    const recipient = await generateRecipientKeyPair();
    for (const plaintext of ['', 'pässwörd-🔐-密码']) {
      const sealed = await sealer.seal(recipient.publicKey, plaintext, binding);
      assert.equal(await openSealedCredential(recipient.privateKey, sealed, binding), plaintext);
    }
  });

  it('does not open with another info, another aad or another private key', async () => {
    const recipient = await generateRecipientKeyPair();
    const other = await generateRecipientKeyPair();
    const sealed = await sealer.seal(recipient.publicKey, 's3cret', binding);
    await assert.rejects(
      openSealedCredential(recipient.privateKey, sealed, { ...binding, info: 'strongroom/release/rel_02' }),
      OpenError,
    );
    await assert.rejects(
      openSealedCredential(recipient.privateKey, sealed, { ...binding, aad: 'tenant:ten_02' }),
      OpenError,
    );
    await assert.rejects(openSealedCredential(other.privateKey, sealed, binding), OpenError);
  });

  it('does not open a tampered ciphertext or enc, nor another suite', async () => {
    const recipient = await generateRecipientKeyPair();
    const sealed = await sealer.seal(recipient.publicKey, 's3cret', binding);
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    bytes[0]! ^= 1;
    await assert.rejects(
      openSealedCredential(
        recipient.privateKey,
        { ...sealed, ciphertext: bytes.toString('base64url') },
        binding,
      ),
      OpenError,
    );
    const other = await sealer.seal(recipient.publicKey, 's3cret', binding);
    await assert.rejects(
      openSealedCredential(recipient.privateKey, { ...sealed, enc: other.enc }, binding),
      OpenError,
    );
    await assert.rejects(
      openSealedCredential(recipient.privateKey, { ...sealed, suite: 'DHKEM(P-256, HKDF-SHA256)' }, binding),
      /Unsupported HPKE suite/,
    );
  });

  it('gives a different enc and ciphertext for the same plaintext each time', async () => {
    const recipient = await generateRecipientKeyPair();
    const seals = await Promise.all(
      Array.from({ length: 8 }, () => sealer.seal(recipient.publicKey, 'same plaintext', binding)),
    );
    assert.equal(new Set(seals.map((s) => s.enc)).size, seals.length);
    assert.equal(new Set(seals.map((s) => s.ciphertext)).size, seals.length);
  });

  it('rejects low-order points, naming the field', async () => {
    const lowOrder = [
      '0000000000000000000000000000000000000000000000000000000000000000', // 0
      '0100000000000000000000000000000000000000000000000000000000000000', // 1
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', // order 8
      '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', // order 8
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p − 1 (order 2)
    ];
    for (const hex of lowOrder) {
      await assert.rejects(sealer.seal(hexKey(hex), 'x', binding), (error: unknown) => {
        isKeyRejection(error);
        assert.match((error as Error).message, /low-order/);
        return true;
      });
    }
  });

  it('rejects non-canonical encodings (u ≥ p, top bit set), which include more low-order points', async () => {
    const nonCanonical = [
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p ≡ 0
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p + 1 ≡ 1
      'cdeb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880', // order 8, top bit set
      '4c9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7', // order 8, top bit set
      'daffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // top bit set
    ];
    for (const hex of nonCanonical) {
      await assert.rejects(sealer.seal(hexKey(hex), 'x', binding), isKeyRejection);
    }
  });

  it('rejects keys of the wrong length and strings that are not strict base64url', async () => {
    const { publicKey } = await generateRecipientKeyPair();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 32 bytes are 43 characters whose last one carries two padding bits, which must be zero.
    const last = alphabet.indexOf(publicKey.at(-1)!);
    const bad = [
      '',
      Buffer.alloc(31, 7).toString('base64url'),
      Buffer.alloc(33, 7).toString('base64url'),
      Buffer.alloc(64, 7).toString('base64url'),
      `${publicKey}=`, // padding
      `+${publicKey.slice(1)}`, // base64, not base64url
      `/${publicKey.slice(1)}`,
      `${publicKey.slice(0, 20)} ${publicKey.slice(21)}`, // whitespace
      ` ${publicKey}`,
      `${publicKey.slice(0, 42)}${alphabet[last | 1]}`, // non-zero padding bits
      'not a key at all',
    ];
    for (const key of bad) {
      await assert.rejects(sealer.seal(key, 'x', binding), isKeyRejection, `accepted ${JSON.stringify(key)}`);
    }
  });

  it('refuses a plaintext that is not well-formed Unicode rather than altering it', async () => {
    const { publicKey } = await generateRecipientKeyPair();
    await assert.rejects(sealer.seal(publicKey, 'abc\uD800', binding), TypeError);
  });

  it('round-trips arbitrary UTF-8 strings and bindings (property)', async () => {
    const recipient = await generateRecipientKeyPair();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        async (plaintext, info, aad) => {
          const sealed = await sealer.seal(recipient.publicKey, plaintext, { info, aad });
          assert.equal(await openSealedCredential(recipient.privateKey, sealed, { info, aad }), plaintext);
        },
      ),
      { numRuns: 200 },
    );
  });
});
