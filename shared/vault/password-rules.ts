import { type PasswordRules, passwordRulesSchema } from './password-generator.ts';
import type { AccountRecord, PasswordPolicyRepository, SystemRepository } from './vault.ports.ts';

/** The rules used when neither the account, its system nor the tenant names a policy. */
export const builtInPasswordRules: PasswordRules = passwordRulesSchema.parse({});

/**
 * The password rules that apply to an account: its own policy, else its system's (the group of
 * accounts on it), else the tenant default, else the built-in rules.
 */
export async function effectivePasswordRules(
  deps: {
    readonly systems: Pick<SystemRepository, 'get'>;
    readonly passwordPolicies: Pick<PasswordPolicyRepository, 'get' | 'getDefault'>;
  },
  account: Pick<AccountRecord, 'tenantId' | 'systemId' | 'passwordPolicyId'>,
): Promise<PasswordRules> {
  const { systems, passwordPolicies } = deps;
  const tenantId = account.tenantId;
  if (account.passwordPolicyId) {
    const policy = await passwordPolicies.get(tenantId, account.passwordPolicyId);
    if (policy) return policy.rules;
  }
  const system = await systems.get(tenantId, account.systemId);
  if (system?.passwordPolicyId) {
    const policy = await passwordPolicies.get(tenantId, system.passwordPolicyId);
    if (policy) return policy.rules;
  }
  return (await passwordPolicies.getDefault(tenantId))?.rules ?? builtInPasswordRules;
}
