'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function AccountsError(props: ErrorRouteProps) {
  return <RouteError title="Accounts" what="The accounts could not be loaded" {...props} />;
}
