import { Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { physicalName } from '../../../shared/platform/resources.ts';
import { alarmTopicKeyPurpose, purposeTagKey } from '../tenant-keys.ts';

/** Something to watch, with the short name used in alarm names and dashboard titles. */
export interface Watched<T> {
  readonly name: string;
  readonly resource: T;
}

/** A function that a schedule runs, with how long it may go without an invocation. */
export interface ScheduledFunction extends Watched<IFunction> {
  /** A multiple of one minute: the alarm's period (a few runs of the schedule). */
  readonly notInvokedFor: Duration;
}

/** A queue whose oldest message must not be older than `maxAge`. */
export interface WatchedQueueLag extends Watched<IQueue> {
  readonly maxAge: Duration;
}

export interface ObservabilityStackProps extends StackProps {
  readonly stage: string;
  readonly functions: readonly Watched<IFunction>[];
  /**
   * Functions that a schedule runs (also in `functions`): no invocation for `notInvokedFor` means
   * the schedule stopped, which no error or throttle alarm would notice.
   */
  readonly scheduledFunctions?: readonly ScheduledFunction[];
  readonly httpApi: Watched<IHttpApi>;
  /** Every dead-letter queue: one message in any of them is an incident. */
  readonly deadLetterQueues: readonly Watched<IQueue>[];
  /** Queues whose consumers must keep up: alarm when the oldest message is older than `maxAge`. */
  readonly queueLag?: readonly WatchedQueueLag[];
}

const fiveMinutes = Duration.minutes(5);

/**
 * Alarms and the operations dashboard.
 *
 * Thresholds are deliberately strict (any error, any throttle, any 5xx, any dead letter, a
 * scheduled function that stopped running, a job queue falling behind by a quarter of an hour):
 * a PAM service failing to hand out, expire or rotate
 * a credential is an incident, and volumes are low enough that every occurrence is worth a look.
 * All alarms notify one KMS-encrypted SNS topic.
 */
export class ObservabilityStack extends Stack {
  readonly alarmTopic: Topic;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;

  private readonly stage: string;
  private readonly collected: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    this.stage = props.stage;
    this.alarmTopic = this.createAlarmTopic();

    for (const { name, resource } of props.functions) {
      this.alarmAboveZero(
        `${name}Errors`,
        `${name} function errors`,
        resource.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      );
      this.alarmAboveZero(
        `${name}Throttles`,
        `${name} function throttles`,
        resource.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      );
    }
    for (const { name, resource, notInvokedFor } of props.scheduledFunctions ?? []) {
      this.alarmWhen(
        `${name}NotRunning`,
        `${name} function not invoked for ${notInvokedFor.toMinutes()} minutes (its schedule is disabled, deleted or failing)`,
        resource.metricInvocations({ period: notInvokedFor, statistic: 'Sum' }),
        { threshold: 1, comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD },
        // No datapoint is exactly the failure this alarm is about.
        TreatMissingData.BREACHING,
      );
    }
    this.alarmAboveZero(
      `${props.httpApi.name}5xx`,
      `${props.httpApi.name} HTTP API 5xx responses`,
      props.httpApi.resource.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
    );
    for (const { name, resource } of props.deadLetterQueues) {
      this.alarmAboveZero(
        `${name}DeadLetters`,
        `messages waiting in dead-letter queue ${name}`,
        resource.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
      );
    }
    for (const { name, resource, maxAge } of props.queueLag ?? []) {
      this.alarmWhen(
        `${name}QueueLag`,
        `oldest message in queue ${name} older than ${maxAge.toMinutes()} minutes (consumer failing, throttled or not keeping up)`,
        resource.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
        { threshold: maxAge.toSeconds(), comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD },
        // No datapoints means an idle queue.
        TreatMissingData.NOT_BREACHING,
      );
    }
    this.alarms = this.collected;
    this.dashboard = this.createDashboard(props);
  }

  /**
   * CloudWatch publishes to an encrypted topic only with a customer-managed key whose policy
   * lets cloudwatch.amazonaws.com use it (the AWS-managed SNS key does not). A dedicated key
   * keeps the platform key's policy free of service principals that have no business with data.
   */
  private createAlarmTopic(): Topic {
    const key = new Key(this, 'AlarmTopicKey', {
      // Every Strongroom key has an alias and a purpose tag: the identity role's deny guards key
      // off both, so its tenant-key permissions can never reach this key.
      alias: `alias/${physicalName(this.stage, 'AlarmTopic')}`,
      description: `Strongroom ${this.stage} alarm topic encryption`,
      enableKeyRotation: true,
    });
    Tags.of(key).add(purposeTagKey, alarmTopicKeyPurpose);
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      topicName: physicalName(this.stage, 'Alarms'),
      displayName: `Strongroom ${this.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    return topic;
  }

  private alarmAboveZero(id: string, what: string, metric: IMetric): Alarm {
    return this.alarmWhen(
      id,
      what,
      metric,
      { threshold: 0, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD },
      // No datapoints means nothing happened (idle functions, empty queues).
      TreatMissingData.NOT_BREACHING,
    );
  }

  private alarmWhen(
    id: string,
    what: string,
    metric: IMetric,
    condition: { threshold: number; comparisonOperator: ComparisonOperator },
    treatMissingData: TreatMissingData,
  ): Alarm {
    const alarm = new Alarm(this, `${id}Alarm`, {
      alarmName: `${physicalName(this.stage, id)}`,
      alarmDescription: `Strongroom ${this.stage}: ${what}.`,
      metric,
      ...condition,
      evaluationPeriods: 1,
      treatMissingData,
    });
    const action = new SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.collected.push(alarm);
    return alarm;
  }

  private createDashboard(props: ObservabilityStackProps): Dashboard {
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: physicalName(this.stage, 'Operations'),
      defaultInterval: Duration.hours(3),
    });
    const api = props.httpApi.resource;
    const fns = props.functions;
    dashboard.addWidgets(
      new TextWidget({ markdown: `# Strongroom ${this.stage}`, width: 24, height: 1 }),
      new GraphWidget({
        title: 'API requests and errors',
        left: [api.metricCount({ period: fiveMinutes })],
        right: [
          api.metricClientError({ period: fiveMinutes }),
          api.metricServerError({ period: fiveMinutes }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency (p50, p99)',
        left: [
          api.metricLatency({ period: fiveMinutes, statistic: 'p50' }),
          api.metricLatency({ period: fiveMinutes, statistic: 'p99' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Function invocations',
        left: fns.map(({ name, resource }) =>
          resource.metricInvocations({ period: fiveMinutes, label: name }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Function errors and throttles',
        left: fns.map(({ name, resource }) =>
          resource.metricErrors({ period: fiveMinutes, label: `${name} errors` }),
        ),
        right: fns.map(({ name, resource }) =>
          resource.metricThrottles({ period: fiveMinutes, label: `${name} throttles` }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Function duration p99',
        left: fns.map(({ name, resource }) =>
          resource.metricDuration({ period: fiveMinutes, statistic: 'p99', label: name }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Queue lag (age of the oldest message, s)',
        left: (props.queueLag ?? []).map(({ name, resource }) =>
          resource.metricApproximateAgeOfOldestMessage({
            period: Duration.minutes(1),
            statistic: 'Maximum',
            label: name,
          }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Dead-letter queues (visible messages)',
        left: props.deadLetterQueues.map(({ name, resource }) =>
          resource.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: 'Maximum',
            label: name,
          }),
        ),
        width: 12,
      }),
    );
    return dashboard;
  }
}
