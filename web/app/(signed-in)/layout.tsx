import Link from 'next/link';
import type { ReactNode } from 'react';
import { Logo } from '@/components/logo';
import { MainNavigation } from '@/components/main-navigation';
import { SessionKeeper } from '@/components/session-keeper';
import { requireSession } from '@/lib/api';
import { navigationFor } from '@/lib/navigation';
import { inactivityLimitMs, inactivityWarningMs } from '@/lib/session-cookie';
import { signOutAction } from './actions';

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="app-header">
        <Link href="/" className="brand" prefetch={false}>
          <Logo />
          <span>Strongroom</span>
        </Link>
        <MainNavigation items={navigationFor(session)} />
        <div className="user-menu">
          <span className="user-name">
            {session.user.displayName}
            <span className="muted small"> · {session.user.tenantName}</span>
          </span>
          <form action={signOutAction}>
            <input type="hidden" name="csrf" value={session.csrfToken} />
            <button type="submit" className="button button-secondary button-small">
              Sign out
            </button>
          </form>
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        {children}
      </main>
      <SessionKeeper
        csrf={session.csrfToken}
        lastActivityAt={session.lastActivityAt}
        limitMs={inactivityLimitMs}
        warningMs={inactivityWarningMs}
      />
    </>
  );
}
