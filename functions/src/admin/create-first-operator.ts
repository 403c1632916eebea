/**
 * Creates the first provider operator of a deployed stage, when none exists yet:
 *
 *   STRONGROOM_STAGE=dev STRONGROOM_MAIN_TABLE=… STRONGROOM_AUDIT_TABLE=… STRONGROOM_PLATFORM_KEY_ID=… \
 *   STRONGROOM_OPERATOR_EMAIL=ops@example.com STRONGROOM_OPERATOR_PASSWORD=… \
 *     npm run operator:create
 *
 * Run with AWS credentials allowed to write the stage's tables (an administrator's, not a
 * function's). The values come from the Data stack's outputs; see docs/operations.md. The event
 * lands in the provider realm's audit trail like any other.
 */
import { compose, createAwsClients } from '../composition-root.ts';
import { configFromEnvironment } from '../config.ts';

const email = process.env.STRONGROOM_OPERATOR_EMAIL;
const password = process.env.STRONGROOM_OPERATOR_PASSWORD;
if (!email || !password || password.length < 12) {
  console.error('Set STRONGROOM_OPERATOR_EMAIL and STRONGROOM_OPERATOR_PASSWORD (at least 12 characters).');
  process.exit(2);
}
const composition = compose({
  config: configFromEnvironment(),
  clients: createAwsClients(),
  contexts: ['identity'],
});
const created = await composition.services.identity!.ensureProviderOperator(email, password);
console.log(
  created
    ? `Created provider operator ${email}. Sign in with tenant "provider".`
    : 'A provider operator already exists; nothing changed.',
);
