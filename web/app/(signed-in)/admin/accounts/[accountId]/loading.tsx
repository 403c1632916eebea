import { AdminLoading } from '../../route-states';

export default function Loading() {
  return <AdminLoading title="Account" what="the account" />;
}
