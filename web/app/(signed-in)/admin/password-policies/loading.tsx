import { AdminLoading } from '../route-states';

export default function Loading() {
  return <AdminLoading title="Password policies" what="password policies" />;
}
