import type { TenantRepository } from '@strongroom/shared/identity/identity.ports';
import { NotFoundError } from '@strongroom/shared/kernel/errors';
import type { TenantKeyDirectory } from '@strongroom/shared/vault/vault.ports';

/** A tenant's key ARN never changes, so it is cached for the life of the process (bounded). */
export function createTenantKeyDirectory(
  tenants: Pick<TenantRepository, 'get'>,
  capacity = 10_000,
): TenantKeyDirectory {
  const cache = new Map<string, string>();
  return {
    async keyArnOf(tenantId) {
      const cached = cache.get(tenantId);
      if (cached) return cached;
      const tenant = await tenants.get(tenantId);
      if (!tenant?.keyArn) throw new NotFoundError('tenant');
      if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
      cache.set(tenantId, tenant.keyArn);
      return tenant.keyArn;
    },
  };
}
