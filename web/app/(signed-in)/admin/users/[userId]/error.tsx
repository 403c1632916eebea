'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function UserError(props: ErrorRouteProps) {
  return <RouteError title="User" {...props} />;
}
