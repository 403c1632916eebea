import { LoadingPage } from '../users/_components/route-states';

export default function Loading() {
  return <LoadingPage title="Groups" what="groups" />;
}
