import { LoadingPage } from '../../users/_components/route-states';

export default function Loading() {
  return <LoadingPage title="Access policy" what="the policy and its versions" rows={6} />;
}
