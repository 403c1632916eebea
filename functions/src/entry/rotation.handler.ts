import { rotationContext } from '../compose-rotation.ts';
import { createLambdaHandler } from './lambda-app.ts';

/** API Gateway → the rotation context: on-demand rotation, status, schedules (routes: infra/lib/api-routes.ts). */
export const handler = createLambdaHandler('strongroom-rotation', ['rotation'], [rotationContext()]);
