'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import styles from './admin.module.css';

/** Admin's own navigation; the link of the area on screen carries aria-current="page". */
export function AdminNavigation({ items }: { items: readonly { href: string; label: string }[] }) {
  const pathname = usePathname();
  const current = (href: string) => pathname === href || pathname.startsWith(`${href}/`);
  return (
    <nav aria-label="Admin" className={styles.navigation}>
      <ul>
        <li>
          <Link href="/admin" prefetch={false} aria-current={pathname === '/admin' ? 'page' : undefined}>
            Overview
          </Link>
        </li>
        {items.map((item) => (
          <li key={item.href}>
            <Link href={item.href} prefetch={false} aria-current={current(item.href) ? 'page' : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
