import { LoadingPage } from './_components/route-states';

export default function Loading() {
  return <LoadingPage title="Users" what="users" />;
}
