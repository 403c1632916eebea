import { postgresqlConnector } from '@strongroom/connectors/postgresql.connector';
import { sshKeyConnector } from '@strongroom/connectors/ssh-key.connector';
import { sshPasswordConnector } from '@strongroom/connectors/ssh-password.connector';
import { AppError } from '@strongroom/shared/kernel/errors';
import type { ConnectorKind, RotationConnector } from '@strongroom/shared/rotation/connector';

/** The connectors the cloud rotation worker can use, by kind. */
const connectors: Partial<Record<ConnectorKind, RotationConnector>> = {
  'ssh-password': sshPasswordConnector,
  'ssh-key': sshKeyConnector,
  postgresql: postgresqlConnector,
};

export function connectorFor(kind: ConnectorKind): RotationConnector {
  const connector = connectors[kind];
  if (!connector) throw new AppError('conflict', 'no-connector', `No ${kind} connector is available.`);
  return connector;
}
