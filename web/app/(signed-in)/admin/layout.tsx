import type { ReactNode } from 'react';
import { ErrorNotice, PageHeader } from '@/components/ui';
import { requireSession } from '@/lib/api';
import styles from './admin.module.css';
import { AdminNavigation } from './admin-navigation';
import { adminSectionsFor } from './admin-sections';

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  const sections = adminSectionsFor(session);
  if (sections.length === 0) {
    return (
      <>
        <PageHeader title="Admin" />
        <ErrorNotice title="Not available to you">
          <p>
            Administering this organisation needs the tenant administrator or password administrator role.
          </p>
        </ErrorNotice>
      </>
    );
  }
  return (
    <div className={styles.shell}>
      <AdminNavigation items={sections.map(({ href, label }) => ({ href, label }))} />
      <div className={styles.content}>{children}</div>
    </div>
  );
}
