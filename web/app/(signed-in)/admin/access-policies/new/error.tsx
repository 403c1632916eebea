'use client';

import { type ErrorProps, RouteError } from '../../users/_components/route-error';

export default function NewPolicyError(props: ErrorProps) {
  return <RouteError title="New access policy" {...props} />;
}
