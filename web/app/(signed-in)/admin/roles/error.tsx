'use client';

import { type ErrorProps, RouteError } from '../users/_components/route-error';

export default function RolesError(props: ErrorProps) {
  return <RouteError title="Roles" {...props} />;
}
