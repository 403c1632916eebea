import { LoadingPage } from '../users/_components/route-states';

export default function Loading() {
  return <LoadingPage title="Access policies" what="access policies" />;
}
