import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { rotationQueue } from '../../shared/platform/resources.ts';
import { backgroundFunctionIds, functionOf, logicalIdOf, synthesizeStrongroom } from './support/synth.ts';

const synth = synthesizeStrongroom();
const template = synth.observability;
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
  (alarm) => alarm.Properties,
);
const topicId = logicalIdOf(synth.stacks.observability.alarmTopic);

/** The cross-stack import a dimension value reads, e.g. `...ExportsOutputRefHttpApiF5A9A8A7...`. */
const importName = (value: unknown): string => JSON.stringify(value);

describe('observability: alarms', () => {
  it('alarms on any HTTP API 5xx response', () => {
    const apiId = logicalIdOf(synth.stacks.api.httpApi);
    const matching = alarms.filter(
      (alarm) =>
        alarm.Namespace === 'AWS/ApiGateway' &&
        alarm.MetricName === '5xx' &&
        alarm.Dimensions.length === 1 &&
        alarm.Dimensions[0].Name === 'ApiId' &&
        importName(alarm.Dimensions[0].Value).includes(apiId),
    );
    assert.equal(matching.length, 1);
    assert.equal(matching[0].Statistic, 'Sum');
    assert.equal(matching[0].ComparisonOperator, 'GreaterThanThreshold');
    assert.equal(matching[0].Threshold, 0);
  });

  it('alarms on every dead-letter queue of the data stack', () => {
    const queues = synth.data.findResources('AWS::SQS::Queue');
    const deadLetterQueueIds = Object.values(queues)
      .map((queue) => queue.Properties.RedrivePolicy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0] as string)
      .filter(Boolean);
    assert.ok(deadLetterQueueIds.length >= 1, 'the data stack has dead-letter queues');
    assert.equal(deadLetterQueueIds.length, synth.stacks.data.queues.length);
    for (const dlqId of deadLetterQueueIds) {
      const matching = alarms.filter(
        (alarm) =>
          alarm.Namespace === 'AWS/SQS' &&
          alarm.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          alarm.Dimensions[0].Name === 'QueueName' &&
          importName(alarm.Dimensions[0].Value).includes(dlqId),
      );
      assert.equal(matching.length, 1, `one alarm on ${dlqId}`);
      assert.equal(matching[0].Threshold, 0);
      assert.equal(matching[0].ComparisonOperator, 'GreaterThanThreshold');
      assert.equal(matching[0].Statistic, 'Maximum');
    }
  });

  it('alarms on errors and throttles of every function, the background functions included', () => {
    const background = backgroundFunctionIds.map((id) => functionOf(synth, id));
    assert.equal(background.length, 4);
    for (const fn of [...Object.values(synth.stacks.api.functions), ...background]) {
      const functionId = logicalIdOf(fn.function);
      for (const metric of ['Errors', 'Throttles']) {
        const matching = alarms.filter(
          (alarm) =>
            alarm.Namespace === 'AWS/Lambda' &&
            alarm.MetricName === metric &&
            importName(alarm.Dimensions[0].Value).includes(functionId),
        );
        assert.equal(matching.length, 1, `${metric} alarm of ${functionId}`);
      }
    }
  });

  /** The alarms on one Lambda metric of one function. */
  const lambdaAlarms = (fn: { function: Parameters<typeof logicalIdOf>[0] }, metric: string) =>
    alarms.filter(
      (alarm) =>
        alarm.Namespace === 'AWS/Lambda' &&
        alarm.MetricName === metric &&
        importName(alarm.Dimensions[0].Value).includes(logicalIdOf(fn.function)),
    );

  for (const [fn, name, period] of [
    [synth.stacks.api.accessSweeper, 'access-sweeper', 300],
    [synth.stacks.api.rotationScheduler, 'rotation-scheduler', 900],
  ] as const) {
    it(`alarms when the ${name} has not run for ${period / 60} minutes, missing data included`, () => {
      const matching = lambdaAlarms(fn, 'Invocations');
      assert.equal(matching.length, 1);
      assert.equal(matching[0].AlarmName, `strongroom-test-${name}-not-running`);
      assert.equal(matching[0].Statistic, 'Sum');
      assert.equal(matching[0].Period, period);
      assert.equal(matching[0].EvaluationPeriods, 1);
      assert.equal(matching[0].ComparisonOperator, 'LessThanThreshold');
      assert.equal(matching[0].Threshold, 1);
      assert.equal(matching[0].TreatMissingData, 'breaching');
    });
  }

  it('only scheduled functions have a not-running alarm (queue consumers are idle when the queue is)', () => {
    const invocationAlarms = alarms.filter((alarm) => alarm.MetricName === 'Invocations');
    assert.equal(invocationAlarms.length, 2);
    assert.equal(lambdaAlarms(synth.stacks.api.rotationWorker, 'Invocations').length, 0);
    assert.equal(lambdaAlarms(synth.stacks.api.releaseEvents, 'Invocations').length, 0);
  });

  it('alarms when the oldest rotation job has waited more than 15 minutes', () => {
    const queueId = logicalIdOf(synth.stacks.data.queueFor(rotationQueue).queue);
    const matching = alarms.filter(
      (alarm) =>
        alarm.Namespace === 'AWS/SQS' &&
        alarm.MetricName === 'ApproximateAgeOfOldestMessage' &&
        alarm.Dimensions[0].Name === 'QueueName' &&
        importName(alarm.Dimensions[0].Value).includes(queueId),
    );
    assert.equal(matching.length, 1);
    assert.equal(matching[0].AlarmName, 'strongroom-test-rotations-queue-lag');
    assert.equal(matching[0].Statistic, 'Maximum');
    assert.equal(matching[0].Period, 60);
    assert.equal(matching[0].ComparisonOperator, 'GreaterThanThreshold');
    assert.equal(matching[0].Threshold, 15 * 60);
    assert.equal(matching[0].TreatMissingData, 'notBreaching');
  });

  it('names the rotation alarms as the runbook does', () => {
    const names = alarms.map((alarm) => alarm.AlarmName as string);
    for (const name of [
      'strongroom-test-rotation-errors',
      'strongroom-test-rotation-worker-errors',
      'strongroom-test-rotation-worker-throttles',
      'strongroom-test-rotation-scheduler-errors',
      'strongroom-test-rotation-scheduler-not-running',
      'strongroom-test-release-events-errors',
      'strongroom-test-release-events-throttles',
      'strongroom-test-rotations-dlq-dead-letters',
      'strongroom-test-rotations-queue-lag',
    ]) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
  });

  it('every alarm notifies the alarm topic when it fires and when it clears', () => {
    assert.ok(alarms.length > 0);
    for (const alarm of alarms) {
      assert.deepEqual(alarm.AlarmActions, [{ Ref: topicId }], alarm.AlarmName);
      assert.deepEqual(alarm.OKActions, [{ Ref: topicId }], alarm.AlarmName);
      // Missing data is "nothing happened", except for the alarm about nothing happening.
      const expected = alarm.MetricName === 'Invocations' ? 'breaching' : 'notBreaching';
      assert.equal(alarm.TreatMissingData, expected, alarm.AlarmName);
    }
  });
});

describe('observability: alarm topic', () => {
  it('is KMS-encrypted with a rotating key that CloudWatch may use', () => {
    const keyId = logicalIdOf(synth.stacks.observability.alarmTopic.masterKey!);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
      Tags: Match.arrayWith([{ Key: 'strongroom:purpose', Value: 'alarm-topic' }]),
    });
  });

  it('accepts publications from CloudWatch of this account over TLS only', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });
});
