import { LoadingPage } from '../_components/route-states';

export default function Loading() {
  return <LoadingPage title="User" what="the user" rows={4} />;
}
