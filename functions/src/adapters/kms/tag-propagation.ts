import { setTimeout as sleep } from 'node:timers/promises';

/**
 * IAM evaluates a new KMS key's tags (`aws:ResourceTag/...` conditions) a short while after the
 * key exists, so the first calls on a brand-new tenant key can be refused with AccessDenied.
 * Retries such refusals with exponential backoff (200 ms, 400 ms, … about 6 s in all by default);
 * any other error, and a refusal that outlasts the retries, is thrown as it is.
 */
export async function retryWhileTagsPropagate<T>(
  call: () => Promise<T>,
  options: { readonly retries?: number; readonly firstDelayMs?: number } = {},
): Promise<T> {
  const retries = options.retries ?? 5;
  const firstDelayMs = options.firstDelayMs ?? 200;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const denied = (error as { name?: string } | null)?.name === 'AccessDeniedException';
      if (!denied || attempt >= retries) throw error;
      await sleep(firstDelayMs * 2 ** attempt);
    }
  }
}
