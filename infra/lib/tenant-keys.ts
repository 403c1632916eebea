import { tenantKeyAliasPrefix } from '../../shared/platform/resources.ts';

/**
 * The KMS contract between this infrastructure and the functions' code: tags and aliases of the
 * per-tenant keys, and the encryption contexts of each use of a key. IAM is written against
 * exactly these values, so the code must use them verbatim or KMS denies the call.
 *
 * Mirrors functions/src/adapters/kms/tenant-keys.kms.ts (CreateKey tags, alias),
 * functions/src/adapters/kms/credential-cipher.kms.ts (credential context) and
 * functions/src/adapters/tokens/jwt-tokens.ts (token-signing context). Candidates for
 * shared/platform/resources.ts, so that both sides import one constant.
 */

/** Tag key of the purpose tag every Strongroom key carries. */
export const purposeTagKey = 'strongroom:purpose';
/** Tag key of the stage tag on tenant keys: separates the stages sharing an account. */
export const stageTagKey = 'strongroom:stage';
/** Tag key naming the tenant a key belongs to (informational; not used for authorization). */
export const tenantTagKey = 'strongroom:tenant';

/** Purpose tag value of a per-tenant key. */
export const tenantKeyPurpose = 'tenant-data';
/** Purpose tag value of the platform key: it can never satisfy a tenant-key condition. */
export const platformKeyPurpose = 'platform';
/** Purpose tag value of the alarm topic key. */
export const alarmTopicKeyPurpose = 'alarm-topic';

/**
 * The tag keys identity may put on a new tenant key, and nothing else: a caller cannot smuggle
 * an unrelated tag (one some other policy in the account keys on) onto a key it creates.
 */
export const tenantKeyTagKeys = [purposeTagKey, tenantTagKey, stageTagKey] as const;

/** `alias/strongroom-tenant-<stage>-`: the identity code names tenant keys `<prefix><tenantId>`. */
export const tenantKeyAliasPrefixOf = (stage: string): string => `${tenantKeyAliasPrefix}${stage}-`;

/**
 * Encryption-context entry that every KMS call on one kind of data carries, and that IAM
 * requires (`kms:EncryptionContext:strongroom:purpose`): a role allowed to use a key for one
 * purpose cannot use it to decrypt data of another.
 */
export const encryptionPurposeKey = 'strongroom:purpose';
export const encryptionPurposes = {
  /** Credentials, ESDK-encrypted under a tenant key (vault). */
  credential: 'credential',
  /** Private token-signing keys, encrypted under the platform key (identity). */
  tokenSigning: 'token-signing',
} as const;
