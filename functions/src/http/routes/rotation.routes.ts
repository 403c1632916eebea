import { createRoute, z } from '@hono/zod-openapi';
import { rotationSettingsSchema } from '@strongroom/shared/rotation/rotation.schemas';
import {
  listRotationsQuerySchema,
  rotateAccountBodySchema,
} from '@strongroom/shared/rotation/rotation-api.schemas';
import type { ApiApp } from '../api-app.ts';
import {
  commonErrors,
  conflictError,
  idParam,
  jsonBody,
  jsonResponse,
  named,
  pageOf,
  pageQuerySchema,
} from '../schemas.ts';
import { type ApiServices, need } from '../services.ts';

const tags = ['Rotation'];
const steps = ['create', 'set', 'test', 'finish'] as const;

const rotationSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    systemId: z.string(),
    trigger: z.enum(['schedule', 'release', 'manual', 'onboarding']),
    requestedBy: z.string(),
    reason: z.string().nullable(),
    status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
    step: z.enum(steps).openapi({ description: 'The next step to run, or the last one once finished.' }),
    fromVersion: z.int().nullable(),
    pendingVersion: z.int().nullable(),
    attempts: z.int(),
    lastError: z
      .object({ step: z.enum(steps), code: z.string(), message: z.string(), at: z.string() })
      .nullable()
      .openapi({ description: 'What the target said; never a secret.' }),
    history: z
      .array(
        z.object({
          step: z.enum(steps),
          outcome: z.enum(['done', 'retry', 'failed', 'recovered']),
          at: z.string(),
          detail: z.string().nullable(),
        }),
      )
      .readonly(),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Rotation');

const scheduleSchema = z
  .object({
    accountId: z.string(),
    rotation: named(rotationSettingsSchema, 'RotationSettings'),
    nextDueAt: z.string().nullable(),
  })
  .openapi('RotationSchedule');

export function registerRotationRoutes(app: ApiApp, services: ApiServices): void {
  const rotation = () => need(services.rotation, 'rotation');

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/rotations',
      operationId: 'rotateAccountNow',
      tags,
      summary: 'Rotate an account’s credential now',
      description:
        'Starts a rotation (create → set → test → finish) and queues it; answers at once. If one is already running, answers with it.',
      request: { body: jsonBody(named(rotateAccountBodySchema, 'RotateAccountRequest')) },
      responses: {
        202: jsonResponse(rotationSchema, 'Started (or already running).'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(
        await rotation().rotateAccountNow(c.get('context'), body.accountId, body.reason ?? null),
        202,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rotations',
      operationId: 'listRotations',
      tags,
      summary: 'An account’s rotations, newest first',
      request: { query: listRotationsQuerySchema },
      responses: {
        200: jsonResponse(pageOf(rotationSchema, 'RotationPage'), 'A page of rotations.'),
        ...commonErrors,
      },
    }),
    async (c) => {
      const { accountId, ...page } = c.req.valid('query');
      return c.json(await rotation().listRotations(c.get('context'), accountId, page), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rotations/failing',
      operationId: 'listFailingRotations',
      tags,
      summary: 'Rotations that are failing, with the target’s error',
      request: { query: pageQuerySchema },
      responses: {
        200: jsonResponse(pageOf(rotationSchema, 'FailingRotationPage'), 'A page of failing rotations.'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await rotation().listFailingRotations(c.get('context'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rotations/{rotationId}',
      operationId: 'getRotationStatus',
      tags,
      summary: 'A rotation’s step, status, attempts and history',
      request: { params: idParam('rotationId', 'rot') },
      responses: { 200: jsonResponse(rotationSchema, 'The rotation.'), ...commonErrors },
    }),
    async (c) =>
      c.json(await rotation().getRotationStatus(c.get('context'), c.req.valid('param').rotationId), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/rotation-schedules/{accountId}',
      operationId: 'setRotationSchedule',
      tags,
      summary: 'Set an account’s rotation settings and schedule',
      description:
        'Scheduled rotation (maximum age, optional window), rotation after every release, the connector and an optional functional account. Answers with the next due time.',
      request: {
        params: idParam('accountId', 'acc'),
        body: jsonBody(named(rotationSettingsSchema, 'RotationSettingsRequest')),
      },
      responses: {
        200: jsonResponse(scheduleSchema, 'The settings and the next due time.'),
        ...commonErrors,
      },
    }),
    async (c) =>
      c.json(
        await rotation().setRotationSchedule(
          c.get('context'),
          c.req.valid('param').accountId,
          c.req.valid('json'),
        ),
        200,
      ),
  );
}
