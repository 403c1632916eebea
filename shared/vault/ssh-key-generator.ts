/**
 * ed25519 SSH keys in OpenSSH formats, with Node's crypto only.
 *
 * Public key: `ssh-ed25519 <base64(string "ssh-ed25519" ‖ string key)> <comment>` (RFC 8709).
 * Private key: the unencrypted `openssh-key-v1` container that `ssh-keygen` writes
 * (PROTOCOL.key in the OpenSSH sources), PEM-armoured as `OPENSSH PRIVATE KEY`.
 * Fingerprint: `SHA256:` + unpadded base64 of the SHA-256 of the public key blob, as `ssh-keygen -l`.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';

const keyType = 'ssh-ed25519';
const magic = Buffer.from('openssh-key-v1\0', 'latin1');
const armourLabel = 'OPENSSH PRIVATE KEY';
const armourBegin = `-----BEGIN ${armourLabel}-----`;
const armourEnd = `-----END ${armourLabel}-----`;

export interface SshKeyPair {
  /** `ssh-ed25519 AAAA… comment`, ready for `authorized_keys`. */
  readonly publicKey: string;
  /** Unencrypted OpenSSH private key (PEM armour, trailing newline). A secret. */
  readonly privateKey: string;
  /** `SHA256:…` as printed by `ssh-keygen -l`. */
  readonly fingerprint: string;
}

const uint32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};
const sshString = (value: Buffer | string) => {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
};

const publicBlobOf = (publicKey: Buffer) => Buffer.concat([sshString(keyType), sshString(publicKey)]);
const fingerprintOf = (blob: Buffer) =>
  `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

function rawKeysOf(seed?: Buffer): { seed: Buffer; publicKey: Buffer } {
  if (seed === undefined) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    return { seed: Buffer.from(jwk.d!, 'base64url'), publicKey: Buffer.from(jwk.x!, 'base64url') };
  }
  // PKCS#8 wrapping of a raw ed25519 seed (RFC 8410): fixed 16-byte prefix, then the 32-byte seed.
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { seed, publicKey: Buffer.from(jwk.x!, 'base64url') };
}

function sanitizeComment(comment: string): string {
  return comment.replace(/[^\x21-\x7e]/g, '').slice(0, 128);
}

/** A fresh ed25519 key pair from the CSPRNG. */
export function generateEd25519KeyPair(comment: string): SshKeyPair {
  const { seed, publicKey } = rawKeysOf();
  const cleanComment = sanitizeComment(comment);
  const blob = publicBlobOf(publicKey);
  const checkInteger = randomBytes(4);
  const unpadded = Buffer.concat([
    checkInteger,
    checkInteger,
    sshString(keyType),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(cleanComment),
  ]);
  const paddingLength = (8 - (unpadded.length % 8)) % 8;
  const padding = Buffer.from(Array.from({ length: paddingLength }, (_, i) => i + 1));
  const container = Buffer.concat([
    magic,
    sshString('none'),
    sshString('none'),
    sshString(Buffer.alloc(0)),
    uint32(1),
    sshString(blob),
    sshString(Buffer.concat([unpadded, padding])),
  ]);
  const body = container
    .toString('base64')
    .match(/.{1,70}/g)!
    .join('\n');
  return {
    publicKey: `${keyType} ${blob.toString('base64')}${cleanComment ? ` ${cleanComment}` : ''}`,
    privateKey: `${armourBegin}\n${body}\n${armourEnd}\n`,
    fingerprint: fingerprintOf(blob),
  };
}

class Reader {
  private offset = 0;
  private readonly buffer: Buffer;
  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }
  uint32(): number {
    if (this.offset + 4 > this.buffer.length) throw new Error('truncated key');
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  bytes(length: number): Buffer {
    if (this.offset + length > this.buffer.length) throw new Error('truncated key');
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
}

/**
 * The public key and fingerprint of an unencrypted OpenSSH ed25519 private key. Throws (without
 * echoing any key material) if the key is malformed, encrypted, not ed25519, or inconsistent.
 */
export function publicKeyFromPrivate(privateKeyText: string): { publicKey: string; fingerprint: string } {
  const text = privateKeyText.trim();
  if (!text.startsWith(armourBegin) || !text.endsWith(armourEnd))
    throw new Error('not an OpenSSH private key');
  const container = Buffer.from(
    text.slice(armourBegin.length, -armourEnd.length).replace(/\s+/g, ''),
    'base64',
  );
  if (!container.subarray(0, magic.length).equals(magic)) throw new Error('not an openssh-key-v1 container');
  const reader = new Reader(container.subarray(magic.length));
  const cipher = reader.string().toString('latin1');
  const kdf = reader.string().toString('latin1');
  reader.string();
  if (cipher !== 'none' || kdf !== 'none') throw new Error('encrypted private keys are not accepted');
  if (reader.uint32() !== 1) throw new Error('exactly one key expected');
  const blob = Buffer.from(reader.string());
  const section = new Reader(reader.string());
  if (!section.bytes(4).equals(section.bytes(4))) throw new Error('corrupt private section');
  if (section.string().toString('latin1') !== keyType) throw new Error('only ed25519 keys are accepted');
  const publicKey = Buffer.from(section.string());
  const secret = section.string();
  const comment = sanitizeComment(section.string().toString('utf8'));
  if (publicKey.length !== 32 || secret.length !== 64) throw new Error('malformed ed25519 key');
  const derived = rawKeysOf(Buffer.from(secret.subarray(0, 32)));
  if (!derived.publicKey.equals(publicKey) || !secret.subarray(32).equals(publicKey)) {
    throw new Error('private and public halves do not match');
  }
  if (!publicBlobOf(publicKey).equals(blob)) throw new Error('public key blob does not match');
  return {
    publicKey: `${keyType} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`,
    fingerprint: fingerprintOf(blob),
  };
}
