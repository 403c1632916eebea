'use client';

import { type ErrorProps, RouteError } from '../../users/_components/route-error';

export default function GroupError(props: ErrorProps) {
  return <RouteError title="Group" {...props} />;
}
