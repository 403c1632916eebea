import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailSender } from '@strongroom/shared/access/email-sender';

/**
 * EmailSender on Amazon SES v2 (`SendEmail`, simple content, UTF-8 text and HTML parts). The
 * client is the composition root's; `from` must be an identity verified in SES
 * (`STRONGROOM_EMAIL_FROM`).
 *
 * Recipients are deduplicated (case-insensitively) and sent in messages of at most 50, SES's limit
 * per message. A message for nobody is not sent. SES errors (throttling, an unverified sender, a
 * rejected address) propagate to the caller, which decides whether to retry.
 */

/** SES accepts at most 50 recipients per message. */
export const maxRecipientsPerMessage = 50;

export function createSesEmailSender(options: {
  readonly client: SESv2Client;
  readonly from: string;
}): EmailSender {
  const { client, from } = options;
  if (!from.trim()) throw new TypeError('createSesEmailSender: `from` is required');
  return {
    async send(message) {
      const recipients = dedupe(message.to);
      // A subject is one header line: a line break would be rejected by SES or split the header.
      const subject = message.subject.replace(/[\r\n]+/g, ' ');
      for (let start = 0; start < recipients.length; start += maxRecipientsPerMessage) {
        await client.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: recipients.slice(start, start + maxRecipientsPerMessage) },
            Content: {
              Simple: {
                Subject: { Data: subject, Charset: 'UTF-8' },
                Body: {
                  Text: { Data: message.text, Charset: 'UTF-8' },
                  Html: { Data: message.html, Charset: 'UTF-8' },
                },
              },
            },
          }),
        );
      }
    },
  };
}

function dedupe(addresses: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const address of addresses) {
    const trimmed = address.trim();
    if (trimmed !== '' && !seen.has(trimmed.toLowerCase())) seen.set(trimmed.toLowerCase(), trimmed);
  }
  return [...seen.values()];
}
