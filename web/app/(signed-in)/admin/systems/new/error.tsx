'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function NewSystemError(props: ErrorRouteProps) {
  return <RouteError title="New system" {...props} />;
}
