/**
 * PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 5802, RFC 7677), computed on the
 * client: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, all base64.
 *
 * `ALTER ROLE … PASSWORD '<verifier>'` stores a verifier as it is, so the plaintext never reaches
 * the server: not its statement log, not `pg_stat_activity`, not an extension's hook. The verifier
 * still lets whoever holds it impersonate the server to a client, so it is treated as a secret too.
 *
 * The password is normalised with SASLprep (RFC 4013) first, as the server and libpq do; a
 * password that SASLprep prohibits is used as raw UTF-8, also as they do. The bidirectional-text
 * rule of RFC 3454 section 6 is not checked (a password mixing right-to-left and left-to-right
 * scripts may then get a verifier the server would have computed differently).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's defaults (`scram_iterations`, salt length). */
export const defaultScramIterations = 4096;
const saltLength = 16;

const nonAsciiSpace = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
/** RFC 3454 B.1 ("commonly mapped to nothing"), minus U+200B, which C.1.2 maps to a space first. */
const mappedToNothing: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x1806, 0x1806],
  [0x180b, 0x180d],
  [0x200c, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];
const isMappedToNothing = (character: string) => {
  const code = character.codePointAt(0)!;
  return mappedToNothing.some(([from, to]) => code >= from && code <= to);
};
/** RFC 3454 C.1.2–C.9 (the prohibited output of SASLprep), and unassigned code points (A.1, approximated). */
const prohibited = new RegExp(
  [
    '[\\u00A0\\u1680\\u2000-\\u200B\\u202F\\u205F\\u3000]',
    '[\\u0000-\\u001F\\u007F-\\u009F]',
    '[\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029\\u2060-\\u2063\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC]',
    '[\\u{1D173}-\\u{1D17A}]',
    '[\\uE000-\\uF8FF\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}]',
    '[\\uFDD0-\\uFDEF\\uFFFE\\uFFFF]',
    '[\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}\\u{3FFFE}\\u{3FFFF}\\u{EFFFE}\\u{EFFFF}]',
    '\\p{Cs}',
    '[\\uFFF9-\\uFFFD\\u2FF0-\\u2FFB\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E]',
    '[\\u{E0001}\\u{E0020}-\\u{E007F}]',
    '\\p{Cn}',
  ].join('|'),
  'u',
);

/** SASLprep as PostgreSQL applies it to passwords: the prepared string, or the input unchanged. */
export function saslPrepPassword(password: string): string {
  // Pure ASCII needs no processing (the server skips it too, control characters included).
  if ([...password].every((character) => character.codePointAt(0)! < 0x80)) return password;
  const mapped = [...password.replace(nonAsciiSpace, ' ')]
    .filter((character) => !isMappedToNothing(character))
    .join('')
    .normalize('NFKC');
  if (mapped.length === 0 || prohibited.test(mapped)) return password;
  return mapped;
}

/** A SCRAM-SHA-256 verifier for `password`, with a fresh random salt unless one is given. */
export function scramSha256Verifier(
  password: string,
  options: { readonly salt?: Buffer; readonly iterations?: number } = {},
): string {
  const salt = options.salt ?? randomBytes(saltLength);
  const iterations = options.iterations ?? defaultScramIterations;
  const saltedPassword = pbkdf2Sync(
    Buffer.from(saslPrepPassword(password), 'utf8'),
    salt,
    iterations,
    32,
    'sha256',
  );
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', saltedPassword).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
