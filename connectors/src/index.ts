/**
 * The rotation connectors, by kind. Framework-free: the cloud rotation worker and the on-prem
 * broker both take their connectors from here.
 */
import type {
  ConnectorKind,
  KeyRotationConnector,
  PasswordRotationConnector,
  RotationConnector,
} from '@strongroom/shared/rotation/connector';
import { activeDirectoryConnector } from './active-directory.connector.ts';
import { mariadbConnector } from './mariadb.connector.ts';
import { postgresqlConnector } from './postgresql.connector.ts';
import { sshKeyConnector } from './ssh-key.connector.ts';
import { sshPasswordConnector } from './ssh-password.connector.ts';

export const connectors = {
  'ssh-password': sshPasswordConnector,
  'ssh-key': sshKeyConnector,
  postgresql: postgresqlConnector,
  mariadb: mariadbConnector,
  'active-directory': activeDirectoryConnector,
} as const satisfies Record<ConnectorKind, RotationConnector>;

/** The connector of a kind (for `RotationEngineDeps.connectorFor` and the broker). */
export function connectorFor(kind: 'ssh-key'): KeyRotationConnector;
export function connectorFor(kind: Exclude<ConnectorKind, 'ssh-key'>): PasswordRotationConnector;
export function connectorFor(kind: ConnectorKind): RotationConnector;
export function connectorFor(kind: ConnectorKind): RotationConnector {
  const connector = connectors[kind];
  if (!connector) throw new Error(`No connector for kind '${String(kind)}'.`);
  return connector;
}

export {
  activeDirectoryConnector,
  mariadbConnector,
  postgresqlConnector,
  sshKeyConnector,
  sshPasswordConnector,
};
