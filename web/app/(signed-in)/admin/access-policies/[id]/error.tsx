'use client';

import { type ErrorProps, RouteError } from '../../users/_components/route-error';

export default function AccessPolicyError(props: ErrorProps) {
  return <RouteError title="Access policy" {...props} />;
}
