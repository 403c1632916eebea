import { AdminLoading } from './route-states';

export default function Loading() {
  return <AdminLoading title="Admin" what="admin areas" />;
}
