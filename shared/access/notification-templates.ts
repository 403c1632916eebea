/**
 * Notification e-mails and in-app titles of the access workflow. Pure functions: the caller
 * decides who receives what; these decide only the words.
 *
 * Every value is data from users (names, reasons, comments), so: HTML output escapes all of it,
 * one-line outputs (subject, title) carry no line breaks or control characters, and long names are
 * shortened in them. `NotificationData` holds no secret, and must never gain one: these messages
 * leave Strongroom in clear.
 */

export const notificationKinds = [
  'approval-requested',
  'request-approved',
  'request-denied',
  'request-cancelled',
  'request-expired',
  'release-revoked',
  'release-expired',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export interface NotificationData {
  readonly requestId: string;
  readonly requesterName: string;
  /** The privileged account, e.g. `root@db01`. */
  readonly accountName: string;
  readonly reason: string | null;
  readonly ticketId: string | null;
  readonly durationMinutes: number;
  readonly decidedBy: string | null;
  readonly comment: string | null;
  /** ISO 8601 instant at which the access ends (or ended). */
  readonly endsAt: string | null;
  /** The portal's base URL, e.g. `https://acme.strongroom.example`. */
  readonly portalUrl: string;
}

export interface RenderedNotification {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** One line for the in-app notification list. */
  readonly title: string;
}

/** What each kind says: a subject, an in-app title, the opening sentence and the link's label. */
interface Wording {
  readonly subject: string;
  readonly title: string;
  readonly lead: string;
  readonly action: string;
}

function wordingOf(kind: NotificationKind, d: Names): Wording {
  const by = d.decidedBy === null ? '' : ` by ${d.decidedBy}`;
  switch (kind) {
    case 'approval-requested':
      return {
        subject: `Approval needed: ${d.requester} requests access to ${d.account}`,
        title: `${d.requester} requests access to ${d.account}`,
        lead: `${d.requester} has requested access to ${d.account} for ${d.duration} and is waiting for your decision.`,
        action: 'Review the request',
      };
    case 'request-approved':
      return {
        subject: `Access approved: ${d.account}`,
        title: `Access to ${d.account} approved`,
        lead: `The request for access to ${d.account} was approved${by}. Access lasts ${d.duration}${d.endsAt === null ? '' : ` and ends at ${d.endsAt}`}.`,
        action: 'Open the request',
      };
    case 'request-denied':
      return {
        subject: `Access denied: ${d.account}`,
        title: `Access to ${d.account} denied`,
        lead: `The request for access to ${d.account} was denied${by}.`,
        action: 'View the request',
      };
    case 'request-cancelled':
      return {
        subject: `Access request cancelled: ${d.account}`,
        title: `Request for ${d.account} cancelled`,
        lead: `The request by ${d.requester} for access to ${d.account} was cancelled${by}. No decision is needed any more.`,
        action: 'View the request',
      };
    case 'request-expired':
      return {
        subject: `Access request expired: ${d.account}`,
        title: `Request for ${d.account} expired`,
        lead: `The request by ${d.requester} for access to ${d.account} expired before it was decided. A new request is needed for access.`,
        action: 'View the request',
      };
    case 'release-revoked':
      return {
        subject: `Access revoked: ${d.account}`,
        title: `Access to ${d.account} revoked`,
        lead: `Access to ${d.account} granted to ${d.requester} was revoked${by} and has ended.`,
        action: 'View the request',
      };
    case 'release-expired':
      return {
        subject: `Access ended: ${d.account}`,
        title: `Access to ${d.account} ended`,
        lead: `The access period for ${d.account} granted to ${d.requester} has ended${d.endsAt === null ? '' : ` (${d.endsAt})`}.`,
        action: 'View the request',
      };
  }
}

/** The values as they appear in prose: one line each, names shortened. */
interface Names {
  readonly requester: string;
  readonly account: string;
  readonly decidedBy: string | null;
  readonly duration: string;
  readonly endsAt: string | null;
}

export function renderNotification(kind: NotificationKind, data: NotificationData): RenderedNotification {
  if (!notificationKinds.includes(kind)) throw new TypeError(`Unknown notification kind: ${String(kind)}`);
  const link = requestLink(data.portalUrl, data.requestId);
  const endsAt = data.endsAt === null ? null : formatInstant(data.endsAt);
  const duration = formatDuration(data.durationMinutes);
  const names: Names = {
    requester: oneLine(data.requesterName, 80),
    account: oneLine(data.accountName, 120),
    decidedBy: data.decidedBy === null ? null : oneLine(data.decidedBy, 80),
    duration,
    endsAt,
  };
  const wording = wordingOf(kind, names);

  const details: [label: string, value: string][] = [
    ['Requested by', oneLine(data.requesterName, 200)],
    ['Account', oneLine(data.accountName, 300)],
    ['Duration', duration],
  ];
  if (endsAt !== null && kind === 'request-approved') details.push(['Ends at', endsAt]);
  if (endsAt !== null && kind === 'release-expired') details.push(['Ended at', endsAt]);
  if (data.ticketId !== null) details.push(['Ticket', oneLine(data.ticketId, 200)]);
  const decidedByLabel = decidedByLabels[kind];
  if (data.decidedBy !== null && decidedByLabel !== undefined) {
    details.push([decidedByLabel, oneLine(data.decidedBy, 200)]);
  }
  details.push(['Request', oneLine(data.requestId, 100)]);
  const paragraphs: [label: string, value: string][] = [];
  if (data.reason !== null && data.reason.trim() !== '') paragraphs.push(['Reason', multiLine(data.reason)]);
  if (data.comment !== null && data.comment.trim() !== '')
    paragraphs.push(['Comment', multiLine(data.comment)]);

  const subject = oneLine(wording.subject, 200);
  const text = [
    wording.lead,
    '',
    ...details.map(([label, value]) => `${label}: ${value}`),
    ...paragraphs.flatMap(([label, value]) => ['', `${label}:`, value]),
    '',
    `${wording.action}: ${link}`,
    '',
    footer,
  ].join('\n');
  const html = renderHtml(subject, wording, details, paragraphs, link);
  return { subject, text, html, title: oneLine(wording.title, 160) };
}

const footer =
  'You receive this message because of your role in a Strongroom access request. Strongroom never sends passwords or keys by e-mail.';

/** The kinds that someone decided, and how the details name that person. */
const decidedByLabels: Partial<Record<NotificationKind, string>> = {
  'request-approved': 'Approved by',
  'request-denied': 'Denied by',
  'request-cancelled': 'Cancelled by',
  'release-revoked': 'Revoked by',
};

function renderHtml(
  subject: string,
  wording: Wording,
  details: readonly (readonly [string, string])[],
  paragraphs: readonly (readonly [string, string])[],
  link: string,
): string {
  const cell = 'padding:4px 12px 4px 0;vertical-align:top';
  const rows = details
    .map(
      ([label, value]) =>
        `<tr><th scope="row" style="${cell};text-align:left;font-weight:600;color:#555">${escapeHtml(label)}</th>` +
        `<td style="${cell}">${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  const blocks = paragraphs
    .map(
      ([label, value]) =>
        `<p style="margin:16px 0 4px;font-weight:600;color:#555">${escapeHtml(label)}</p>\n` +
        `<p style="margin:0;white-space:pre-wrap">${escapeHtml(value)}</p>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:24px;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;background:#ffffff">
<p style="margin:0 0 16px">${escapeHtml(wording.lead)}</p>
<table role="presentation" style="border-collapse:collapse;margin:0 0 8px">
${rows}
</table>
${blocks}
<p style="margin:24px 0"><a href="${escapeHtml(link)}" style="display:inline-block;padding:10px 18px;background:#1f4e8c;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(wording.action)}</a></p>
<p style="margin:0 0 24px;font-size:13px;color:#555">Or open this address: <a href="${escapeHtml(link)}" style="color:#1f4e8c">${escapeHtml(link)}</a></p>
<p style="margin:0;font-size:12px;color:#777">${escapeHtml(footer)}</p>
</body>
</html>
`;
}

// ---------------------------------------------------------------------------------------------

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and (double-quoted) attribute values. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => htmlEscapes[c]!);

/** Control characters, including line and paragraph separators and bidi overrides. */
const controlCharacters = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** A value on one line: control characters and line breaks become spaces, runs of spaces one. */
function oneLine(value: string, maxLength: number): string {
  const line = value.replace(controlCharacters, ' ').replace(/\s+/g, ' ').trim();
  const characters = [...line];
  return characters.length <= maxLength ? line : `${characters.slice(0, maxLength - 1).join('')}…`;
}

/** A value that may span lines: LF line breaks kept, other control characters removed, bounded. */
function multiLine(value: string): string {
  const normalised = value
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2028\u2029]/g, '\n')
    .replace(/[^\P{Cc}\n\t]|[\u202a-\u202e\u2066-\u2069]/gu, '')
    .trim();
  const characters = [...normalised];
  return characters.length <= 2000 ? normalised : `${characters.slice(0, 1999).join('')}…`;
}

/** `${portalUrl}/requests/${requestId}`, for an http(s) portal only; the id is path-encoded. */
export function requestLink(portalUrl: string, requestId: string): string {
  let base: URL;
  try {
    base = new URL(portalUrl);
  } catch {
    throw new TypeError('portalUrl is not a URL');
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError('portalUrl must be an http(s) URL');
  }
  return `${portalUrl.replace(/\/+$/, '')}/requests/${encodeURIComponent(requestId)}`;
}

/** `90` → `1 hour 30 minutes`, `2880` → `2 days`. */
export function formatDuration(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes < 0) return 'an unspecified time';
  const total = Math.round(minutes);
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const rest = total % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days} ${days === 1 ? 'day' : 'days'}`);
  if (hours > 0) parts.push(`${hours} ${hours === 1 ? 'hour' : 'hours'}`);
  if (rest > 0 || parts.length === 0) parts.push(`${rest} ${rest === 1 ? 'minute' : 'minutes'}`);
  return parts.join(' ');
}

/** An ISO instant as `2025-03-01 14:30 UTC`; anything unparseable is shown as given, on one line. */
function formatInstant(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return oneLine(value, 64);
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
