'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function RequestAccessError(props: ErrorRouteProps) {
  return <RouteError title="Request access" what="Your access options could not be loaded" {...props} />;
}
