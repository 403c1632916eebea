import { createLambdaHandler } from './lambda-app.ts';

/** API Gateway → the identity context (routes: see infra/lib/api-routes.ts). */
export const handler = createLambdaHandler('strongroom-identity', ['identity']);
