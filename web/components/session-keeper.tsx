'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Keeps the portal session honest about inactivity:
 *
 *   - keyboard, pointer and scroll activity is noted locally and reported at most every 30 s
 *     (POST /api/session, marked active), which moves the server's lastActivityAt;
 *   - without activity it only polls (GET), which keeps the access token fresh but not the session;
 *   - `warningMs` before the limit it opens a dialog with a countdown and "Stay signed in";
 *   - at the limit it leaves for the sign-in page (the server has ended the session by then).
 */
const pingEveryMs = 30_000;

export function SessionKeeper({
  csrf,
  lastActivityAt,
  limitMs,
  warningMs,
}: {
  csrf: string;
  lastActivityAt: number;
  limitMs: number;
  warningMs: number;
}) {
  const [serverActivity, setServerActivity] = useState(lastActivityAt);
  const [now, setNow] = useState(() => Date.now());
  const activeSincePing = useRef(false);
  const lastPing = useRef(0);
  const stayButton = useRef<HTMLButtonElement>(null);
  const previousFocus = useRef<Element | null>(null);

  const signOut = useCallback(() => {
    window.location.assign('/sign-in?reason=inactive');
  }, []);

  const ping = useCallback(
    async (active: boolean) => {
      lastPing.current = Date.now();
      if (active) activeSincePing.current = false;
      try {
        const response = await fetch('/api/session', {
          method: active ? 'POST' : 'GET',
          headers: active ? { 'x-strongroom-activity': 'active', 'x-csrf-token': csrf } : {},
          cache: 'no-store',
        });
        if (response.status === 401) return signOut();
        if (response.ok) {
          const body = (await response.json()) as { lastActivityAt: number };
          setServerActivity(body.lastActivityAt);
        }
      } catch {
        // Offline for a moment: the next tick tries again; the deadline still applies.
      }
    },
    [csrf, signOut],
  );

  useEffect(() => setServerActivity(lastActivityAt), [lastActivityAt]);

  const deadline = serverActivity + limitMs;
  const warning = now >= deadline - warningMs;

  useEffect(() => {
    const noteActivity = () => {
      activeSincePing.current = true;
    };
    const events = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;
    for (const event of events) window.addEventListener(event, noteActivity, { passive: true });
    const timer = setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= deadline) return signOut();
      if (current - lastPing.current >= pingEveryMs) void ping(activeSincePing.current);
    }, 1000);
    return () => {
      for (const event of events) window.removeEventListener(event, noteActivity);
      clearInterval(timer);
    };
  }, [deadline, ping, signOut]);

  useEffect(() => {
    if (warning) {
      previousFocus.current = document.activeElement;
      stayButton.current?.focus();
    } else if (previousFocus.current instanceof HTMLElement) {
      previousFocus.current.focus();
      previousFocus.current = null;
    }
  }, [warning]);

  if (!warning) return null;
  const secondsLeft = Math.max(0, Math.ceil((deadline - now) / 1000));
  const minutes = Math.floor(secondsLeft / 60);
  const seconds = String(secondsLeft % 60).padStart(2, '0');
  return (
    <div className="dialog-backdrop">
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="inactivity-title"
        aria-describedby="inactivity-text"
      >
        <h2 id="inactivity-title">Are you still there?</h2>
        <p id="inactivity-text">
          You will be signed out in{' '}
          <strong>
            {minutes}:{seconds}
          </strong>{' '}
          because nothing has happened for a while.
        </p>
        <div className="button-row">
          <button
            ref={stayButton}
            type="button"
            className="button button-primary"
            onClick={() => void ping(true)}
          >
            Stay signed in
          </button>
          <button
            type="button"
            className="button button-secondary"
            onClick={() =>
              void fetch('/api/session', { method: 'DELETE', headers: { 'x-csrf-token': csrf } }).finally(
                () => window.location.assign('/sign-in?reason=signed-out'),
              )
            }
          >
            Sign out now
          </button>
        </div>
      </div>
    </div>
  );
}
