'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function SystemsError(props: ErrorRouteProps) {
  return <RouteError title="Systems" {...props} />;
}
