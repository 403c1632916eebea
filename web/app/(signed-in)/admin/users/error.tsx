'use client';

import { type ErrorProps, RouteError } from './_components/route-error';

export default function UsersError(props: ErrorProps) {
  return <RouteError title="Users" {...props} />;
}
