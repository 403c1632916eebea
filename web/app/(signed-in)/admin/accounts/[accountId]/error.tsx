'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function AdminAccountError(props: ErrorRouteProps) {
  return <RouteError title="Account" {...props} />;
}
