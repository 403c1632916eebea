import type { TicketValidator } from '@strongroom/shared/access/access.service';

/**
 * Asks a ticketing system's webhook whether a ticket id is valid: POST of a small JSON body,
 * 2xx accepts, 4xx rejects; anything else (5xx, timeout, network) is "unreachable" and the
 * request is refused with a clear 503, never accepted by default.
 */
export function createFetchTicketValidator(fetchImpl: typeof fetch = fetch): TicketValidator {
  return {
    async validate(url, ticket, timeoutMs) {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'strongroom-ticket-check/1' },
        body: JSON.stringify(ticket),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return 'accepted';
      if (response.status >= 400 && response.status < 500) return 'rejected';
      throw new Error(`ticketing system answered ${response.status}`);
    },
  };
}
