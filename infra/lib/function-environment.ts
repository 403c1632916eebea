import {
  auditTable,
  domainEventsQueue,
  mainTable,
  notificationSender,
  platformKey,
  rotationQueue,
} from '../../shared/platform/resources.ts';
import type { DataStack } from './stacks/data-stack.ts';

/**
 * The environment every function receives: exactly what functions/src/config.ts reads, under
 * the env var names declared in shared/platform/resources.ts (the contract the local stack fills
 * too). Resources a function does not use (the data bucket; the domain-events queue outside the
 * access context; the rotation queue outside the rotation context) are deliberately not passed:
 * an address without a permission to use it only misleads, and every value here is a cross-stack
 * export that pins the data stack.
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

/** Read by functions/src/config.ts (`portalUrl`); not (yet) declared in resources.ts. */
export const portalUrlEnvVar = 'STRONGROOM_PORTAL_URL';

export interface AccessEnvironmentOptions {
  /** Verified SES sender; when absent, STRONGROOM_EMAIL_FROM is not set (in-app notifications only). */
  readonly notificationSender?: string;
  readonly portalUrl: string;
}

/**
 * What the access context needs on top of {@link functionEnvironment}, for the access API
 * function and the access sweeper alike: the domain-events queue (the composition root refuses
 * to compose the context without it), the e-mail sender when configured, and the portal URL.
 */
export function accessEnvironment(
  data: DataStack,
  options: AccessEnvironmentOptions,
): Record<string, string> {
  return {
    [domainEventsQueue.envVar]: data.queueFor(domainEventsQueue).queue.queueUrl,
    [portalUrlEnvVar]: options.portalUrl,
    ...(options.notificationSender ? { [notificationSender.envVar]: options.notificationSender } : {}),
  };
}

/**
 * What the rotation context needs on top of {@link functionEnvironment}: the rotation queue's URL,
 * for the rotation API function, the scheduler and the release-events consumer, which queue jobs.
 * The worker only receives (through its event source mapping, not by URL) and has no send
 * permission, but gets it too: the composition root refuses to compose the rotation context
 * without it.
 */
export function rotationEnvironment(data: DataStack): Record<string, string> {
  return { [rotationQueue.envVar]: data.queueFor(rotationQueue).queue.queueUrl };
}
