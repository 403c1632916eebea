import { auditTable, mainTable, platformKey } from '../../shared/platform/resources.ts';
import type { DataStack } from './stacks/data-stack.ts';

/**
 * The environment every API function receives: exactly what functions/src/config.ts reads,
 * under the env var names declared in shared/platform/resources.ts (the contract the local
 * stack fills too). Resources no function uses yet (the domain-events queue, the data bucket)
 * are deliberately not passed: an address without a permission to use it only misleads, and
 * every value here is a cross-stack export that pins the data stack.
 */
export function functionEnvironment(stage: string, data: DataStack): Record<string, string> {
  return {
    STRONGROOM_STAGE: stage,
    [mainTable.envVar]: data.tableFor(mainTable).tableName,
    [auditTable.envVar]: data.tableFor(auditTable).tableName,
    // The key ARN, not the alias: IAM authorizes on the key ARN and it saves a resolution.
    [platformKey.envVar]: data.platformKey.keyArn,
  };
}
