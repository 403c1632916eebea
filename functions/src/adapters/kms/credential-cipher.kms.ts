import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  type NodeAlgorithmSuite,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import type {
  DecryptCommandInput,
  EncryptCommandInput,
  GenerateDataKeyCommandInput,
  KMSClient,
} from '@aws-sdk/client-kms';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import type { CredentialBinding, CredentialCipher } from '@strongroom/shared/vault/vault.ports';
import { retryWhileTagsPropagate } from './tag-propagation.ts';

/**
 * Envelope encryption of credentials with the AWS Encryption SDK.
 *
 * - Each tenant has its own KMS key; a keyring per tenant wraps every data key under it, so
 *   deleting the tenant's key crypto-shreds all of its credentials.
 * - The key-committing suite (AES-256-GCM, HKDF-SHA512, commit key) is required for encrypt and
 *   decrypt: a ciphertext cannot be made to decrypt to two different plaintexts. It is unsigned:
 *   every reader is also a trusted writer here, and ECDSA would cost a signature per message.
 * - The encryption context binds tenant, account and version; KMS authenticates it and we check
 *   it again on decrypt, so a ciphertext copied onto another account or version fails.
 * - A bounded data-key cache (max age, max messages per data key) spares KMS a call for every
 *   read of the same version; its effect is measured by `npm run bench`.
 */
export interface CipherOptions {
  readonly kms: KMSClient;
  readonly cache: {
    readonly capacity: number;
    readonly maxAgeMs: number;
    readonly maxMessagesEncrypted: number;
  } | null;
  /** Called once per KMS request, so benchmarks can count them. */
  readonly onKmsCall?: (operation: 'GenerateDataKey' | 'Encrypt' | 'Decrypt') => void;
}

export const defaultCacheSettings = { capacity: 1_000, maxAgeMs: 5 * 60_000, maxMessagesEncrypted: 1_000 };

const suite = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
const maxKeyrings = 1_000;

export function createKmsCredentialCipher(options: CipherOptions): CredentialCipher {
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const kmsForSdk = {
    // A tenant's first credential may be written seconds after its key was created.
    generateDataKey: (input: GenerateDataKeyCommandInput) =>
      retryWhileTagsPropagate(() => {
        options.onKmsCall?.('GenerateDataKey');
        return options.kms.send(new GenerateDataKeyCommand(input));
      }),
    encrypt: (input: EncryptCommandInput) =>
      retryWhileTagsPropagate(() => {
        options.onKmsCall?.('Encrypt');
        return options.kms.send(new EncryptCommand(input));
      }),
    decrypt: (input: DecryptCommandInput) =>
      retryWhileTagsPropagate(() => {
        options.onKmsCall?.('Decrypt');
        return options.kms.send(new DecryptCommand(input));
      }),
  };
  const cache = options.cache
    ? getLocalCryptographicMaterialsCache<NodeAlgorithmSuite>(options.cache.capacity)
    : null;
  const managers = new Map<string, KmsKeyringNode | NodeCachingMaterialsManager>();

  function materialsFor(keyArn: string) {
    let manager = managers.get(keyArn);
    if (!manager) {
      const keyring = new KmsKeyringNode({
        generatorKeyId: keyArn,
        clientProvider: () => kmsForSdk as never,
      });
      manager =
        cache && options.cache
          ? new NodeCachingMaterialsManager({
              backingMaterials: keyring,
              cache,
              partition: keyArn,
              maxAge: options.cache.maxAgeMs,
              maxMessagesEncrypted: options.cache.maxMessagesEncrypted,
            })
          : keyring;
      if (managers.size >= maxKeyrings) managers.delete(managers.keys().next().value as string);
      managers.set(keyArn, manager);
    }
    return manager;
  }

  const contextOf = (binding: CredentialBinding): Record<string, string> => ({
    'strongroom:purpose': 'credential',
    'strongroom:tenant': binding.tenantId,
    'strongroom:account': binding.accountId,
    'strongroom:version': String(binding.version),
  });

  return {
    async encrypt(keyArn, plaintext, binding) {
      const { result } = await encrypt(materialsFor(keyArn), Buffer.from(plaintext, 'utf8'), {
        encryptionContext: contextOf(binding),
        suiteId: suite,
      });
      return result.toString('base64');
    },

    async decrypt(keyArn, ciphertext, binding) {
      const { plaintext, messageHeader } = await decrypt(
        materialsFor(keyArn),
        Buffer.from(ciphertext, 'base64'),
        {
          maxBodySize: 64 * 1024,
        },
      );
      const expected = contextOf(binding);
      for (const [name, value] of Object.entries(expected)) {
        if (messageHeader.encryptionContext[name] !== value) {
          throw new Error('The ciphertext is bound to another tenant, account or version.');
        }
      }
      return plaintext.toString('utf8');
    },
  };
}
