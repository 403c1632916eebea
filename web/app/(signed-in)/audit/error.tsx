'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function AuditError(props: ErrorRouteProps) {
  return <RouteError title="Audit trail" what="The audit trail could not be loaded" {...props} />;
}
