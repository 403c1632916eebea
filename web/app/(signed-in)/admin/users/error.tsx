'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function UsersError(props: ErrorRouteProps) {
  return <RouteError title="Users" {...props} />;
}
