import type { AuditEvent } from './audit-event.ts';

export const auditExportFormats = ['csv', 'jsonl'] as const;
export type AuditExportFormat = (typeof auditExportFormats)[number];

const csvColumns = [
  'id',
  'time',
  'tenantId',
  'actorType',
  'actorId',
  'actorName',
  'sourceIp',
  'userAgent',
  'action',
  'targetType',
  'targetId',
  'targetName',
  'outcome',
  'reason',
  'requestId',
  'lane',
  'seq',
  'prevHash',
  'hash',
  'details',
] as const;

/**
 * RFC 4180 field quoting, plus a guard against spreadsheet formula injection: a cell that a
 * spreadsheet would evaluate (leading =, +, -, @, tab, CR) is prefixed with a single quote.
 */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${csvColumns.join(',')}\r\n`;
}

export function csvRow(event: AuditEvent): string {
  const cells = [
    event.id,
    event.time,
    event.tenantId,
    event.actor.type,
    event.actor.id,
    event.actor.name,
    event.sourceIp,
    event.userAgent,
    event.action,
    event.target.type,
    event.target.id,
    event.target.name ?? null,
    event.outcome,
    event.reason,
    event.requestId,
    event.lane,
    event.seq,
    event.prevHash,
    event.hash,
    JSON.stringify(event.details),
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function jsonlRow(event: AuditEvent): string {
  return `${JSON.stringify(event)}\n`;
}

export function renderExport(format: AuditExportFormat, events: readonly AuditEvent[]): string {
  if (format === 'jsonl') return events.map(jsonlRow).join('');
  return csvHeader() + events.map(csvRow).join('');
}
