'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function AccessPolicyError(props: ErrorRouteProps) {
  return <RouteError title="Access policy" {...props} />;
}
