import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generateEd25519KeyPair, publicKeyFromPrivate } from './ssh-key-generator.ts';

const directory = mkdtempSync(join(tmpdir(), 'strongroom-ssh-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const sshKeygen = (...args: string[]) =>
  execFileSync('ssh-keygen', args, { encoding: 'utf8', stdio: 'pipe' }).trim();

function keyFromSshKeygen(name: string, ...args: string[]): string {
  const file = join(directory, name);
  sshKeygen('-q', '-f', file, ...args);
  return readFileSync(file, 'utf8');
}

describe('generateEd25519KeyPair', () => {
  it('writes a private key that OpenSSH reads, with the same public key and fingerprint', () => {
    const pair = generateEd25519KeyPair('svc-backup@strongroom');
    const file = join(directory, 'generated');
    writeFileSync(file, pair.privateKey, { mode: 0o600 });
    assert.equal(sshKeygen('-y', '-f', file), pair.publicKey);
    assert.match(pair.publicKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[\w+/]+=* svc-backup@strongroom$/);
    const listed = sshKeygen('-l', '-f', file);
    assert.ok(listed.includes(pair.fingerprint), listed);
  });

  it('draws a fresh key every time', () => {
    assert.notEqual(generateEd25519KeyPair('a').publicKey, generateEd25519KeyPair('a').publicKey);
  });
});

describe('publicKeyFromPrivate', () => {
  it('reads a key written by ssh-keygen', () => {
    const privateKey = keyFromSshKeygen('imported', '-t', 'ed25519', '-N', '', '-C', 'ops@example');
    const derived = publicKeyFromPrivate(privateKey);
    assert.equal(derived.publicKey, readFileSync(join(directory, 'imported.pub'), 'utf8').trim());
    assert.ok(sshKeygen('-l', '-f', join(directory, 'imported')).includes(derived.fingerprint));
  });

  it('refuses encrypted keys, other key types, tampered keys and junk', () => {
    const encrypted = keyFromSshKeygen('encrypted', '-t', 'ed25519', '-N', 'correct horse', '-C', '');
    assert.throws(() => publicKeyFromPrivate(encrypted), /encrypted/);
    const ecdsa = keyFromSshKeygen('ecdsa', '-t', 'ecdsa', '-N', '', '-C', '');
    assert.throws(() => publicKeyFromPrivate(ecdsa), /ed25519/);
    const good = generateEd25519KeyPair('x').privateKey;
    const lines = good.split('\n');
    const middle = lines[2]!;
    lines[2] = `${middle.slice(0, 10)}${middle[10] === 'A' ? 'B' : 'A'}${middle.slice(11)}`;
    assert.throws(() => publicKeyFromPrivate(lines.join('\n')));
    assert.throws(() => publicKeyFromPrivate('hunter2'), /not an OpenSSH private key/);
  });

  it('never echoes key material in its errors', () => {
    const secret = generateEd25519KeyPair('x').privateKey.replace('OPENSSH', 'RSA');
    try {
      publicKeyFromPrivate(secret);
      assert.fail('should throw');
    } catch (error) {
      const body = secret.split('\n')[1]!;
      assert.ok(!String((error as Error).message).includes(body.slice(0, 20)));
    }
  });
});
