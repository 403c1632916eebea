import { z } from 'zod';
import { auditExportFormats } from './audit-export.ts';

const isoTime = z.iso.datetime({ offset: true });

const fromBeforeTo = {
  check: (f: { from?: string | undefined; to?: string | undefined }) =>
    !f.from || !f.to || new Date(f.from) < new Date(f.to),
  issue: { path: ['to'], message: 'must be after from' },
};

export const auditFilterSchema = z
  .object({
    actorId: z.string().min(1).max(128).optional(),
    targetId: z.string().min(1).max(256).optional(),
    action: z
      .string()
      .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'must look like "credential.retrieve"')
      .max(64)
      .optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
  })
  .strict()
  .refine(fromBeforeTo.check, fromBeforeTo.issue);

export const listAuditEventsQuerySchema = z
  .object({
    ...auditFilterSchema.shape,
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(4096).optional(),
  })
  .strict()
  // The shape is copied from auditFilterSchema, its refinement is not: said again here.
  .refine(fromBeforeTo.check, fromBeforeTo.issue);

export const exportAuditEventsQuerySchema = z
  .object({
    ...auditFilterSchema.shape,
    format: z.enum(auditExportFormats).default('jsonl'),
    limit: z.coerce.number().int().min(1).max(5_000).optional(),
    cursor: z.string().max(4096).optional(),
  })
  .strict()
  .refine(fromBeforeTo.check, fromBeforeTo.issue);

export const verifyAuditChainBodySchema = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
  })
  .strict()
  .refine(fromBeforeTo.check, fromBeforeTo.issue);
