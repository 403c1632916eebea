import { z } from 'zod';

const accountIdSchema = z.string().regex(/^acc_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an account id');

export const rotateAccountBodySchema = z
  .object({
    accountId: accountIdSchema,
    reason: z.string().trim().min(3).max(500).optional(),
  })
  .strict();

export const listRotationsQuerySchema = z
  .object({
    accountId: accountIdSchema,
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(2048).optional(),
  })
  .strict();
