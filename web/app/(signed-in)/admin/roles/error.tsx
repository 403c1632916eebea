'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function RolesError(props: ErrorRouteProps) {
  return <RouteError title="Roles" {...props} />;
}
