/**
 * Characters Secrets Manager's password generator calls punctuation. The generated keys keep
 * `-` and `_` and exclude the rest, so that with letters and digits they draw from exactly the
 * 64 characters of base64url.
 */
export const secretsManagerPunctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * The keys Secrets Manager generates for Strongroom (the portal's session key and origin-verify
 * value, the client-address key shared by the portal and the API): 43 characters drawn uniformly
 * from the base64url alphabet (A–Z a–z 0–9 - _), i.e. the unpadded base64url text of 32 bytes,
 * which web/lib/session-key.ts decodes for the session key (`Buffer.from(value, 'base64url')`; the
 * last character's two low bits fall away, as in any 43-character base64url text, leaving 256
 * random bits). A plain string, no JSON; nothing that would need quoting in an HTTP header.
 */
export const generatedKeyFormat = {
  passwordLength: 43,
  excludeCharacters: [...secretsManagerPunctuation].filter((c) => c !== '-' && c !== '_').join(''),
  includeSpace: false,
  // Uniform draws: no forced character classes.
  requireEachIncludedType: false,
} as const;
