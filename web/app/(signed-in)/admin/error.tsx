'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function AdminError(props: ErrorRouteProps) {
  return <RouteError title="Admin" {...props} />;
}
