'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function GroupError(props: ErrorRouteProps) {
  return <RouteError title="Group" {...props} />;
}
