import { createLambdaHandler } from './lambda-app.ts';

/** API Gateway → the vault context (routes: see infra/lib/api-routes.ts). */
export const handler = createLambdaHandler('strongroom-vault', ['vault']);
