'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { NavigationItem } from '@/lib/navigation';

export function MainNavigation({ items }: { items: readonly NavigationItem[] }) {
  const pathname = usePathname();
  const current = (href: string) =>
    href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <nav aria-label="Main" className="main-navigation">
      <ul>
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
