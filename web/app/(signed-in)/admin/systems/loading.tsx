import { AdminLoading } from '../route-states';

export default function Loading() {
  return <AdminLoading title="Systems" what="systems" />;
}
