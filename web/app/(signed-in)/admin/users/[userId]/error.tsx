'use client';

import { type ErrorProps, RouteError } from '../_components/route-error';

export default function UserError(props: ErrorProps) {
  return <RouteError title="User" {...props} />;
}
