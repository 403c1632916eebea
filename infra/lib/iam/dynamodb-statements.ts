import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { TableDefinition } from '../../../shared/platform/resources.ts';
import { keyViaServiceStatement } from './kms-statements.ts';

/**
 * Narrow DynamoDB statements.
 *
 * CDK's `table.grantReadWriteData` is deliberately not used: it also grants `Scan`,
 * `BatchWriteItem`, `DeleteItem`, `DescribeTable` and friends, on the table and on `index/*`.
 * Here a role gets only the item actions its code paths use, and `Query` on exactly the indexes
 * it queries (no `index/*` wildcard).
 *
 * Transactions have no IAM action of their own: `TransactWriteItems` is authorized per item as
 * PutItem / UpdateItem / DeleteItem / ConditionCheckItem, `TransactGetItems` as GetItem.
 */
export type ItemAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:BatchWriteItem';

/**
 * Appending to the audit trail, as functions/src/adapters/dynamo/audited-writer.ts does it: read
 * a lane head, then one transaction that puts the event (`attribute_not_exists`) and puts or
 * conditionally updates the lane head. No DeleteItem, no Scan. IAM cannot require
 * `attribute_not_exists`, so "append only" is enforced by the writer's condition expressions
 * and made tamper-evident by the hash chain.
 */
export const auditAppendActions: readonly ItemAction[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

export interface TableAccess {
  /** Statement id prefix, e.g. `MainTable`. */
  readonly sid: string;
  readonly table: ITable;
  readonly definition: TableDefinition;
  readonly actions: readonly ItemAction[];
  /** Global secondary indexes the role queries; each must exist in the definition. */
  readonly queriedIndexes?: readonly string[];
}

/** Item actions on the table; `Query` on each index named in `queriedIndexes`. */
export function tableAccessStatements(access: TableAccess): PolicyStatement[] {
  const statements = [
    new PolicyStatement({
      sid: `${access.sid}Items`,
      actions: [...new Set(access.actions)].sort(),
      resources: [access.table.tableArn],
    }),
  ];
  const indexes = access.queriedIndexes ?? [];
  for (const indexName of indexes) {
    if (!access.definition.globalIndexes.some((index) => index.indexName === indexName)) {
      throw new Error(`Table ${access.definition.id} has no index ${indexName}`);
    }
  }
  if (indexes.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: `${access.sid}Indexes`,
        actions: ['dynamodb:Query'],
        resources: indexes.map((indexName) => `${access.table.tableArn}/index/${indexName}`),
      }),
    );
  }
  return statements;
}

/**
 * KMS permissions that DynamoDB needs from the caller to read and write items of a table
 * encrypted with a customer managed key. Limited with `kms:ViaService` so the role can use the
 * key through DynamoDB only, never call KMS with it directly.
 */
export function tableKeyStatement(key: IKey): PolicyStatement {
  return keyViaServiceStatement('TablesKeyViaDynamoDb', key, 'dynamodb', [
    'kms:Decrypt',
    'kms:DescribeKey',
    'kms:Encrypt',
    'kms:GenerateDataKey',
  ]);
}
