'use client';

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useFormStatus } from 'react-dom';

/**
 * The credential of an active `reveal` release, masked until the user asks for it. "Reveal" calls
 * a server action (audited by the API) that returns the secret to this component only then; it is
 * never in the page's HTML or props. It stays visible for 30 seconds, or until "Hide", and is then
 * dropped from state.
 */

export type RevealResult =
  | {
      readonly ok: true;
      readonly type: 'password' | 'ssh-key';
      readonly username: string;
      readonly version: number;
      readonly secret: string;
      readonly retrievedAt: string;
    }
  | { readonly ok: false; readonly message: string };

interface Revealed {
  readonly type: 'password' | 'ssh-key';
  readonly secret: string;
  readonly version: number;
}

const visibleForMs = 30_000;

function RevealButton({ label, subject }: { label: string; subject: string }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" className="button button-primary button-small" disabled={pending}>
      {pending ? (
        <>
          <span className="spinner" aria-hidden="true" />
          <span role="status">Revealing…</span>
        </>
      ) : (
        <>
          {label}
          <span className="visually-hidden">{` of ${subject}`}</span>
        </>
      )}
    </button>
  );
}

export function SecretReveal({
  releaseId,
  csrf,
  accountName,
  keyCredential = false,
  reveal,
}: {
  releaseId: string;
  csrf: string;
  accountName: string;
  /** The account holds an SSH key (known from the account before revealing), for the wording. */
  keyCredential?: boolean;
  reveal: (formData: FormData) => Promise<RevealResult>;
}) {
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [hidesAt, setHidesAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  /** What the status region says; `quiet` ones are for screen readers only (the screen shows it already). */
  const [announcement, setAnnouncement] = useState<{ text: string; quiet?: boolean }>({ text: '' });
  const [error, setError] = useState<string | null>(null);
  const container = useRef<HTMLDivElement>(null);
  const revealButtonArea = useRef<HTMLFormElement>(null);
  const hideButton = useRef<HTMLButtonElement>(null);
  const restoreFocus = useRef(false);
  const labelId = useId();

  const noun = (type: 'password' | 'ssh-key' | null) =>
    (type ?? (keyCredential ? 'ssh-key' : 'password')) === 'ssh-key' ? 'private key' : 'password';

  const hide = useCallback((message: string) => {
    const active = document.activeElement;
    restoreFocus.current =
      active === null || active === document.body || (container.current?.contains(active) ?? false);
    setRevealed(null);
    setHidesAt(null);
    setAnnouncement({ text: message });
  }, []);

  // Counts down to the automatic hide, and hides when the time is up.
  useEffect(() => {
    if (hidesAt === null) return;
    const tick = () => {
      const current = Date.now();
      setNow(current);
      if (current >= hidesAt) hide('Hidden again after 30 seconds.');
    };
    tick();
    const timer = setInterval(tick, 250);
    return () => clearInterval(timer);
  }, [hidesAt, hide]);

  // Keeps keyboard focus in place as the buttons swap.
  useEffect(() => {
    if (revealed) hideButton.current?.focus();
    else if (restoreFocus.current) {
      restoreFocus.current = false;
      revealButtonArea.current?.querySelector('button')?.focus();
    }
  }, [revealed]);

  async function submit(formData: FormData) {
    setError(null);
    setAnnouncement({ text: '' });
    const result = await reveal(formData);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setRevealed({ type: result.type, secret: result.secret, version: result.version });
    setHidesAt(Date.now() + visibleForMs);
    setNow(Date.now());
    setAnnouncement({ text: `The ${noun(result.type)} is shown. It hides in 30 seconds.`, quiet: true });
  }

  async function copy() {
    if (!revealed) return;
    try {
      await navigator.clipboard.writeText(revealed.secret);
      setAnnouncement({ text: 'Copied' });
    } catch {
      setAnnouncement({ text: 'Could not copy. Select the text and copy it yourself.' });
    }
  }

  const secondsLeft = hidesAt === null ? 0 : Math.max(0, Math.ceil((hidesAt - now) / 1000));
  const what = noun(revealed?.type ?? null);

  return (
    <div className="stack" ref={container}>
      <div id={labelId} className="small muted">
        {`${what[0]?.toUpperCase()}${what.slice(1)} of ${accountName}`}
        {revealed ? ` (version ${revealed.version})` : null}
      </div>
      {revealed ? (
        revealed.type === 'ssh-key' ? (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the key may scroll sideways; keyboard users must reach it
          <section className="table-wrap" aria-labelledby={labelId} tabIndex={0}>
            <pre className="secret">{revealed.secret}</pre>
          </section>
        ) : (
          <code className="secret">{revealed.secret}</code>
        )
      ) : (
        <div className="mono">
          <span aria-hidden="true">••••••••</span>
          <span className="visually-hidden">{`The ${what} is hidden.`}</span>
        </div>
      )}
      <div className="button-row">
        {revealed ? (
          <>
            <button
              ref={hideButton}
              type="button"
              className="button button-secondary button-small"
              onClick={() => hide(`The ${what} is hidden.`)}
            >
              Hide
            </button>
            <button type="button" className="button button-secondary button-small" onClick={copy}>
              Copy
            </button>
            <span className="muted small">{`Hides in ${secondsLeft} s`}</span>
          </>
        ) : (
          <form ref={revealButtonArea} action={submit}>
            <input type="hidden" name="csrf" value={csrf} />
            <input type="hidden" name="releaseId" value={releaseId} />
            <RevealButton label={`Reveal ${what}`} subject={accountName} />
          </form>
        )}
        <span role="status" className={announcement.quiet ? 'visually-hidden' : 'small muted'}>
          {announcement.text}
        </span>
      </div>
      {error ? (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
