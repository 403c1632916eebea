import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import { requireSession } from './api';
import { ApiProblem } from './api-problem';

/**
 * Double defence for mutations: SameSite=Strict cookies keep other sites' requests unauthenticated,
 * the proxy refuses cross-origin mutations, and every form carries this session's CSRF token,
 * which each server action checks before it calls the API.
 */
export async function verifyCsrf(formData: FormData): Promise<void> {
  const session = await requireSession();
  const sent = formData.get('csrf');
  const expected = Buffer.from(session.csrfToken);
  if (
    typeof sent !== 'string' ||
    sent.length !== expected.length ||
    !timingSafeEqual(Buffer.from(sent), expected)
  ) {
    throw new ApiProblem(403, 'csrf-token-mismatch', 'Form expired', 'Reload the page and try again.', {});
  }
}

export async function verifyCsrfHeader(value: string | null): Promise<void> {
  const form = new FormData();
  if (value) form.set('csrf', value);
  await verifyCsrf(form);
}
