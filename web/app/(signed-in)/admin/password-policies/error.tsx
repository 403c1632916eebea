'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function PasswordPoliciesError(props: ErrorRouteProps) {
  return <RouteError title="Password policies" {...props} />;
}
