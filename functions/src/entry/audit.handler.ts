import { createLambdaHandler } from './lambda-app.ts';

/** API Gateway → the audit context (routes: see infra/lib/api-routes.ts). */
export const handler = createLambdaHandler('strongroom-audit', ['audit']);
