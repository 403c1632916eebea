'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function AccountError(props: ErrorRouteProps) {
  return <RouteError title="Account" what="The account could not be loaded" {...props} />;
}
