import { subtle, type webcrypto } from 'node:crypto';
import type { SealedCredential } from '@strongroom/shared/access/credential-sealer';
import {
  createHpkeSuite,
  decodeBase64Url,
  encodeBase64Url,
  generateX25519KeyPair,
  hpkeSuiteName,
  utf8,
} from './hpke-credential-sealer.ts';

/**
 * The recipient's side of the credential sealer (a session proxy, a client, the tests): an
 * ephemeral X25519 key pair, and opening a `SealedCredential` with its private half.
 */

export interface RecipientKeyPair {
  /** Raw 32-byte X25519 public key, base64url: what the recipient sends as `publicKey`. */
  readonly publicKey: string;
  /** Non-extractable private key handle; never leaves the recipient. */
  readonly privateKey: webcrypto.CryptoKey;
}

const suite = createHpkeSuite();

export async function generateRecipientKeyPair(): Promise<RecipientKeyPair> {
  const { publicKey, privateKey } = await generateX25519KeyPair();
  return { publicKey: encodeBase64Url(await subtle.exportKey('raw', publicKey)), privateKey };
}

/**
 * Opens a sealed credential. Throws if the suite is not ours, if the bytes are not base64url, or
 * (OpenError from @hpke/core) if the key, `info`, `aad` or ciphertext do not match.
 */
export async function openSealedCredential(
  privateKey: webcrypto.CryptoKey,
  sealed: SealedCredential,
  binding: { readonly info: string; readonly aad: string },
): Promise<string> {
  if (sealed.suite !== hpkeSuiteName) throw new Error(`Unsupported HPKE suite: ${sealed.suite}`);
  const enc = decodeBase64Url(sealed.enc);
  const ciphertext = decodeBase64Url(sealed.ciphertext);
  if (enc === null || ciphertext === null) throw new Error('The sealed credential is not base64url');
  const plaintext = await suite.open(
    { recipientKey: privateKey, enc: enc.buffer, info: utf8(binding.info, 'info') },
    ciphertext,
    utf8(binding.aad, 'aad'),
  );
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(plaintext);
}
