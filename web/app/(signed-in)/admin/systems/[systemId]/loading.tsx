import { AdminLoading } from '../../route-states';

export default function Loading() {
  return <AdminLoading title="System" what="the system" />;
}
