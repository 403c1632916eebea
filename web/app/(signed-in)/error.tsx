'use client';

import { type ErrorRouteProps, RouteError } from '@/components/route-error';

export default function SignedInError(props: ErrorRouteProps) {
  return <RouteError title="Something went wrong" what="This page could not be loaded" {...props} />;
}
