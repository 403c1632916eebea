import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AccessTokenIssuer } from '@strongroom/shared/identity/identity.ports';
import type { Principal, PrincipalKind } from '@strongroom/shared/identity/principal';
import { roles as knownRoles, type Role } from '@strongroom/shared/identity/roles';
import type { Clock } from '@strongroom/shared/kernel/clock';
import { UnauthenticatedError } from '@strongroom/shared/kernel/errors';
import { newId } from '@strongroom/shared/kernel/ids';
import {
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { keys } from '../dynamo/keys.ts';

/**
 * Access tokens: short-lived EdDSA (Ed25519) JWTs.
 *
 * The signing key is made by the first process that needs one and kept in the main table: the
 * private half encrypted under the platform KMS key, the public half in clear. Any function can
 * verify tokens by reading public keys (no KMS access needed); only the identity function, which
 * issues tokens, may decrypt the private key. Keys carry ids (`kid`), so rotation adds a key and
 * moves the pointer while tokens signed with the old key stay valid until they expire.
 */
export const tokenIssuer = 'strongroom';
export const tokenAudience = 'strongroom-api';
const algorithm = 'EdDSA';
type JoseKey = Awaited<ReturnType<typeof importJWK>>;
const signingContext = { 'strongroom:purpose': 'token-signing' };

interface StoredSigningKey {
  readonly keyId: string;
  readonly publicJwk: JWK;
  readonly encryptedPrivateJwk: string;
  readonly createdAt: string;
}

export interface TokenDeps {
  readonly client: DynamoDBDocumentClient;
  readonly table: string;
  readonly clock: Clock;
}

/** Verifies access tokens with the stored public keys. */
export function createAccessTokenVerifier({ client, table, clock }: TokenDeps) {
  const publicKeys = new Map<string, JoseKey>();

  async function publicKey(keyId: string): Promise<JoseKey | null> {
    const cached = publicKeys.get(keyId);
    if (cached) return cached;
    const { Item } = await client.send(new GetCommand({ TableName: table, Key: keys.signingKey(keyId) }));
    if (!Item) return null;
    const key = (await importJWK((Item as unknown as StoredSigningKey).publicJwk, algorithm)) as JoseKey;
    publicKeys.set(keyId, key);
    return key;
  }

  return {
    async verify(token: string): Promise<Principal> {
      const invalid = () =>
        new UnauthenticatedError('invalid-token', 'The access token is missing, expired or invalid.');
      let keyId: string | undefined;
      try {
        const header = decodeProtectedHeader(token);
        if (header.alg !== algorithm) throw invalid();
        keyId = header.kid;
      } catch {
        throw invalid();
      }
      if (!keyId || !/^key_[0-9A-Z]{26}$/.test(keyId)) throw invalid();
      const key = await publicKey(keyId);
      if (!key) throw invalid();
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [algorithm],
          issuer: tokenIssuer,
          audience: tokenAudience,
          currentDate: clock.now(),
          clockTolerance: 5,
          requiredClaims: ['sub', 'tid', 'knd', 'sid', 'exp'],
        });
        const roles = Array.isArray(payload.roles)
          ? payload.roles.filter((r): r is Role => (knownRoles as readonly string[]).includes(r as string))
          : [];
        return {
          kind: payload.knd as PrincipalKind,
          tenantId: String(payload.tid),
          subject: String(payload.sub),
          name: String(payload.name ?? payload.sub),
          roles,
          sessionId: String(payload.sid),
        };
      } catch {
        throw invalid();
      }
    },

    async jwks(): Promise<{ keys: JWK[] }> {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': 'PLATFORM', ':prefix': 'SIGNING_KEY#' },
        }),
      );
      return {
        keys: (Items ?? []).map((item) => ({
          ...(item as unknown as StoredSigningKey).publicJwk,
          kid: item.keyId as string,
          alg: algorithm,
          use: 'sig',
        })),
      };
    },
  };
}

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;

/** Issues access tokens; creates the platform signing key on first use. */
export function createAccessTokenIssuer(
  deps: TokenDeps & {
    readonly kms: KMSClient;
    readonly platformKeyId: string;
    readonly lifetimeSeconds?: number;
  },
): AccessTokenIssuer {
  const { client, table, clock, kms, platformKeyId } = deps;
  const lifetimeSeconds = deps.lifetimeSeconds ?? 600;
  let signing: Promise<{ keyId: string; key: JoseKey }> | undefined;

  async function loadOrCreate(): Promise<{ keyId: string; key: JoseKey }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const pointer = await client.send(
        new GetCommand({ TableName: table, Key: keys.currentSigningKey(), ConsistentRead: true }),
      );
      if (pointer.Item) {
        const keyId = pointer.Item.keyId as string;
        const { Item } = await client.send(
          new GetCommand({ TableName: table, Key: keys.signingKey(keyId), ConsistentRead: true }),
        );
        const stored = Item as unknown as StoredSigningKey;
        const { Plaintext } = await kms.send(
          new DecryptCommand({
            KeyId: platformKeyId,
            CiphertextBlob: Buffer.from(stored.encryptedPrivateJwk, 'base64'),
            EncryptionContext: { ...signingContext, 'strongroom:key': keyId },
          }),
        );
        const jwk = JSON.parse(Buffer.from(Plaintext ?? new Uint8Array()).toString('utf8')) as JWK;
        return { keyId, key: (await importJWK(jwk, algorithm)) as JoseKey };
      }
      const keyId = newId('request').replace(/^req_/, 'key_');
      const pair = await generateKeyPair(algorithm, { crv: 'Ed25519', extractable: true });
      const privateJwk = await exportJWK(pair.privateKey);
      const publicJwk = await exportJWK(pair.publicKey);
      const { CiphertextBlob } = await kms.send(
        new EncryptCommand({
          KeyId: platformKeyId,
          Plaintext: Buffer.from(JSON.stringify(privateJwk)),
          EncryptionContext: { ...signingContext, 'strongroom:key': keyId },
        }),
      );
      const stored: StoredSigningKey = {
        keyId,
        publicJwk,
        encryptedPrivateJwk: Buffer.from(CiphertextBlob ?? new Uint8Array()).toString('base64'),
        createdAt: clock.now().toISOString(),
      };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: { ...keys.signingKey(keyId), entity: 'signing-key', ...stored },
                },
              },
              {
                Put: {
                  TableName: table,
                  Item: { ...keys.currentSigningKey(), keyId },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return { keyId, key: pair.privateKey as JoseKey };
      } catch (error) {
        if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
        // Another process stored the first key at the same time: use theirs.
      }
    }
    throw new Error('Could not load or create the token signing key');
  }

  return {
    async issue(principal) {
      signing ??= loadOrCreate().catch((error: unknown) => {
        signing = undefined;
        throw error;
      });
      const { keyId, key } = await signing;
      const now = Math.floor(clock.now().getTime() / 1000);
      const token = await new SignJWT({
        tid: principal.tenantId,
        knd: principal.kind,
        name: principal.name,
        roles: principal.roles,
        sid: principal.sessionId,
      })
        .setProtectedHeader({ alg: algorithm, kid: keyId, typ: 'at+jwt' })
        .setIssuer(tokenIssuer)
        .setAudience(tokenAudience)
        .setSubject(principal.subject)
        .setIssuedAt(now)
        .setExpirationTime(now + lifetimeSeconds)
        .setJti(newId('request'))
        .sign(key);
      return { token, expiresInSeconds: lifetimeSeconds };
    },
  };
}
