/**
 * Reads back the e-mails that moto's SES accepted, through the read-only route our moto launcher
 * adds (test/local-stack/moto/persistent_moto.py, GET /strongroom-api/ses/sent-emails). Only for
 * the local stack: it never talks to AWS.
 */

export interface SentEmail {
  readonly messageId: string;
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  /**
   * The parts of an SES v2 SendEmail with simple content. '' when the launcher did not see the
   * request (sent before moto restarted from a state file, or through SES v1): moto itself keeps
   * only one body, which is in `body`.
   */
  readonly text: string;
  readonly html: string;
  /** The one body moto keeps: the HTML part when there was one, else the text part. */
  readonly body: string;
}

interface RouteEmail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  body: string;
  text: string | null;
  html: string | null;
}

/**
 * Every e-mail moto's SES accepted so far, oldest first (all accounts and regions). moto is shared
 * by the test files that run at the same time, so pick your messages by recipient or subject.
 */
export async function sentEmails(env: NodeJS.ProcessEnv = process.env): Promise<SentEmail[]> {
  const endpoint = env.AWS_ENDPOINT_URL_SESV2 || env.AWS_ENDPOINT_URL;
  if (!endpoint) {
    throw new Error('sentEmails: no AWS_ENDPOINT_URL_SESV2 or AWS_ENDPOINT_URL (run through npm test)');
  }
  const url = new URL('/strongroom-api/ses/sent-emails', endpoint);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error(`sentEmails: ${endpoint} is not the local stack`);
  }
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) {
    throw new Error(
      `sentEmails: GET ${url} answered ${response.status}; is moto running through persistent_moto.py?`,
    );
  }
  const { sentEmails: emails } = (await response.json()) as { sentEmails: RouteEmail[] };
  return emails.map((email) => ({
    messageId: email.messageId,
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text ?? '',
    html: email.html ?? '',
    body: email.body,
  }));
}
