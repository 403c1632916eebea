import { LoadingPage } from '../../users/_components/route-states';

export default function Loading() {
  return <LoadingPage title="New access policy" what="groups, systems and account groups" rows={6} />;
}
