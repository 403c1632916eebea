'use client';

import { type ErrorProps, RouteError } from '../users/_components/route-error';

export default function AccessPoliciesError(props: ErrorProps) {
  return <RouteError title="Access policies" {...props} />;
}
