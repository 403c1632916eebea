'use client';

import { type ErrorProps, RouteError } from '../users/_components/route-error';

export default function GroupsError(props: ErrorProps) {
  return <RouteError title="Groups" {...props} />;
}
