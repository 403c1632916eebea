import { LoadingPage } from '../../users/_components/route-states';

export default function Loading() {
  return <LoadingPage title="Group" what="the group and its members" rows={4} />;
}
