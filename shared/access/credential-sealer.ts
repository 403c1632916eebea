/**
 * Port: seals a released credential to a recipient's ephemeral public key, so that the plaintext
 * never crosses the wire, our logs or a proxy in clear (used by `retrieveForInjection`: the session
 * proxy sends a fresh X25519 public key and alone holds the private half).
 */

/** An HPKE (RFC 9180, base mode) ciphertext. Bytes are base64url without padding. */
export interface SealedCredential {
  /** The KEM, KDF and AEAD, e.g. `DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM`. */
  readonly suite: string;
  /** The encapsulated (ephemeral) public key of the sender. */
  readonly enc: string;
  /** The AEAD ciphertext of the credential, tag included. */
  readonly ciphertext: string;
}

export interface CredentialSealer {
  /**
   * Encrypts `plaintext` (UTF-8) to the recipient's X25519 public key (base64url, raw 32 bytes) in
   * HPKE base mode (RFC 9180). `info` and `aad` bind the context (release id, account id, tenant);
   * the recipient must pass the same to open. Invalid key → ValidationError naming
   * ['body','publicKey'].
   */
  seal(
    recipientPublicKey: string,
    plaintext: string,
    binding: { readonly info: string; readonly aad: string },
  ): Promise<SealedCredential>;
}
