'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function ImportError(props: ErrorRouteProps) {
  return <RouteError title="Import systems and accounts" {...props} />;
}
