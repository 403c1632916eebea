'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function GroupsError(props: ErrorRouteProps) {
  return <RouteError title="Groups" {...props} />;
}
