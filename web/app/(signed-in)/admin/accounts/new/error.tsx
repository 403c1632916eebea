'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function NewAccountError(props: ErrorRouteProps) {
  return <RouteError title="New account" {...props} />;
}
