import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui';
import { requireSession } from '@/lib/api';
import styles from './admin.module.css';
import { adminSectionsFor } from './admin-sections';

export const metadata: Metadata = { title: 'Admin' };

export default async function AdminOverviewPage() {
  const session = await requireSession();
  const sections = adminSectionsFor(session);
  return (
    <>
      <PageHeader
        title="Admin"
        description={`Set up ${session.user.tenantName}: what Strongroom protects, and who may use it.`}
      />
      <ul className={`grid ${styles.cards}`}>
        {sections.map((section) => (
          <li key={section.href} className="card">
            <h2>
              <Link href={section.href} prefetch={false}>
                {section.label}
              </Link>
            </h2>
            <p>{section.summary}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
