import { AdminLoading } from '../route-states';

export default function Loading() {
  return <AdminLoading title="Import systems and accounts" what="the import form" />;
}
