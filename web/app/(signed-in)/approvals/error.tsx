'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function ApprovalsError(props: ErrorRouteProps) {
  return <RouteError title="Approvals" what="The approvals could not be loaded" {...props} />;
}
