import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryWhileTagsPropagate } from './tag-propagation.ts';

const denied = () => Object.assign(new Error('not authorized yet'), { name: 'AccessDeniedException' });

describe('retryWhileTagsPropagate', () => {
  it('retries AccessDenied until the call succeeds', async () => {
    let calls = 0;
    const result = await retryWhileTagsPropagate(
      async () => {
        calls += 1;
        if (calls < 3) throw denied();
        return 'ok';
      },
      { firstDelayMs: 1 },
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 3);
  });

  it('gives up after the retries and throws the refusal', async () => {
    let calls = 0;
    await assert.rejects(
      retryWhileTagsPropagate(
        async () => {
          calls += 1;
          throw denied();
        },
        { retries: 2, firstDelayMs: 1 },
      ),
      { name: 'AccessDeniedException' },
    );
    assert.equal(calls, 3);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await assert.rejects(
      retryWhileTagsPropagate(async () => {
        calls += 1;
        throw Object.assign(new Error('gone'), { name: 'NotFoundException' });
      }),
      { name: 'NotFoundException' },
    );
    assert.equal(calls, 1);
  });
});
