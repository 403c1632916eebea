import 'server-only';
import { ApiProblem } from '@/lib/api-problem';

export type Attempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: ApiProblem };

/**
 * The result of an API call, or its problem when the API refused it, so one section of a page can
 * say what went wrong while the rest still shows. Anything else (a redirect to sign-in, a network
 * failure) is thrown on to Next.js and the route's error boundary.
 */
export async function attempt<T>(call: Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    if (error instanceof ApiProblem) return { ok: false, problem: error };
    throw error;
  }
}
