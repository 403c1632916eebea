'use client';

import { AdminError } from './route-states';

export default function ErrorPage(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <AdminError title="Admin" {...props} />;
}
