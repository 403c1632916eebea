'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function SystemError(props: ErrorRouteProps) {
  return <RouteError title="System" {...props} />;
}
