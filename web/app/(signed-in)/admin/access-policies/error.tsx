'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function AccessPoliciesError(props: ErrorRouteProps) {
  return <RouteError title="Access policies" {...props} />;
}
