import { AdminLoading } from '../../route-states';

export default function Loading() {
  return <AdminLoading title="New account" what="the form" />;
}
