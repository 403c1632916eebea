import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Logo } from '@/components/logo';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

const reasons: Record<string, string> = {
  inactive: 'You were signed out after 15 minutes without activity.',
  expired: 'Your session ended. Sign in again to continue.',
  'signed-out': 'You are signed out.',
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  const params = await searchParams;
  const reason = typeof params.reason === 'string' ? reasons[params.reason] : undefined;
  const next = typeof params.next === 'string' ? params.next : '/';
  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <div className="brand brand-large">
          <Logo size={40} />
          <span>Strongroom</span>
        </div>
        <h1>Sign in</h1>
        {reason ? (
          <p className="notice notice-info" role="status">
            {reason}
          </p>
        ) : null}
        <SignInForm next={next} defaultTenant={process.env.STRONGROOM_WEB_DEFAULT_TENANT ?? ''} />
      </div>
    </main>
  );
}
