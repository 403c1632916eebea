import { accessContext } from '../compose-access.ts';
import { createLambdaHandler } from './lambda-app.ts';

/** API Gateway → the access context: policies, requests, releases, lookup (routes: infra/lib/api-routes.ts). */
export const handler = createLambdaHandler('strongroom-access', ['access'], [accessContext]);
