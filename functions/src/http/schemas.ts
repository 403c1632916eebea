import { z } from '@hono/zod-openapi';

/** Schemas shared by every route file: problem details, pages, ids in paths. */

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          in: z.string(),
          field: z.string(),
          pointer: z.string(),
          message: z.string(),
        }),
      )
      .optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** Error responses every authenticated operation can give. */
export const commonErrors = {
  400: problem('Invalid input; `errors` names each field.'),
  401: problem('Missing, expired or invalid access token.'),
  403: problem('The caller lacks the permission.'),
  404: problem("Not found (also another tenant's object)."),
  413: problem('Body larger than the limit.'),
  503: problem('A dependency (such as the audit trail) is unavailable; nothing was changed.'),
} as const;

export const conflictError = { 409: problem('Conflicts with existing state.') } as const;
export const lockedError = { 423: problem('Locked.') } as const;

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item).readonly(),
      nextCursor: z.string().optional().openapi({ description: 'Pass as `cursor` for the next page.' }),
    })
    .openapi(name);

export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

export const idParam = <N extends string>(name: N, prefix: string) => {
  const id = z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be a ${prefix}_ id`)
    .openapi({ param: { name, in: 'path' }, example: `${prefix}_01JDQ4V6S5Y7R1B8K3M2N9P0QW` });
  return z.object({ [name]: id } as Record<N, typeof id>);
};

/**
 * Names a schema as an OpenAPI component. Zod 4 copies methods onto each schema when it is
 * created, so schemas of `shared/` built before `@hono/zod-openapi` extended zod lack `.openapi`;
 * calling the prototype's method works whatever the import order.
 */
export function named<T extends z.ZodType>(schema: T, refId: string): T {
  const openapi = (z.ZodType.prototype as unknown as { openapi(this: T, refId: string): T }).openapi;
  return openapi.call(schema, refId);
}
