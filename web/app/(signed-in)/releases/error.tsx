'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function MyAccessError(props: ErrorRouteProps) {
  return <RouteError title="My access" what="Your access could not be loaded" {...props} />;
}
