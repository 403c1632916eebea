'use client';

import { useEffect, useState } from 'react';

function format(ms: number): string {
  if (ms <= 0) return 'ended';
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/** Time left until `until`, ticking each second (the accessible text updates each minute only). */
export function Countdown({ until, label = 'left' }: { until: string; label?: string }) {
  const end = Date.parse(until);
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = now === null ? null : end - now;
  return (
    <span className="countdown">
      <time dateTime={until} aria-hidden="true">
        {left === null ? '…' : format(left)}
      </time>
      <span className="visually-hidden">
        {left === null ? '' : left <= 0 ? 'ended' : `${Math.ceil(left / 60_000)} minutes ${label}`}
      </span>
    </span>
  );
}
