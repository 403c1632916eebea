'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function NewAccessPolicyError(props: ErrorRouteProps) {
  return <RouteError title="New access policy" {...props} />;
}
