import { z } from 'zod';

/**
 * When an account's credential is due: its maximum age after the last change, moved forward
 * into the next rotation window when the account has one. Pure; the scheduler and the vault use
 * it to file the account in the due index.
 */

export const rotationWeekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Weekday = (typeof rotationWeekdays)[number];

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const rotationWindowSchema = z
  .object({
    daysOfWeek: z
      .array(z.enum(rotationWeekdays))
      .min(1)
      .max(7)
      .default([...rotationWeekdays]),
    /** Local time; `to` before `from` spans midnight. */
    from: timeOfDay.default('00:00'),
    to: timeOfDay.default('23:59'),
    timezone: z
      .string()
      .min(1)
      .max(64)
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Europe/Paris')
      .default('UTC'),
  })
  .strict()
  .refine((w) => w.from !== w.to, { path: ['to'], message: 'must differ from from' });
export type RotationWindow = z.infer<typeof rotationWindowSchema>;

const formatters = new Map<string, Intl.DateTimeFormat>();
function local(instant: Date, timezone: string): { day: Weekday; minutes: number } {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  const day = (parts.weekday as string).toLowerCase().slice(0, 3) as Weekday;
  return { day, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Whether `instant` lies inside the window (an overnight window belongs to the day it opens). */
export function insideWindow(window: RotationWindow, instant: Date): boolean {
  const { day, minutes } = local(instant, window.timezone);
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (from < to) return minutes >= from && minutes < to && window.daysOfWeek.includes(day);
  if (minutes >= from) return window.daysOfWeek.includes(day);
  if (minutes < to) {
    const previous = rotationWeekdays[(rotationWeekdays.indexOf(day) + 6) % 7] as Weekday;
    return window.daysOfWeek.includes(previous);
  }
  return false;
}

/**
 * The first instant at or after `from` inside the window, to the minute (searching at most
 * 8 days, which covers every window). Null when the window never opens.
 */
export function nextWindowStart(window: RotationWindow, from: Date): Date | null {
  const start = new Date(Math.ceil(from.getTime() / 60_000) * 60_000);
  if (insideWindow(window, start)) return start;
  // Walk forward in 15-minute steps, then refine to the minute.
  for (let step = 15; step <= 8 * 24 * 60; step += 15) {
    const candidate = new Date(start.getTime() + step * 60_000);
    if (insideWindow(window, candidate)) {
      for (let back = 14; back >= 1; back--) {
        const earlier = new Date(candidate.getTime() - back * 60_000);
        if (insideWindow(window, earlier)) return earlier;
      }
      return candidate;
    }
  }
  return null;
}

/** When the credential changed at `changedAt` is next due, or null when nothing schedules it. */
export function nextDueAt(
  changedAt: Date,
  maxAgeDays: number | null,
  window: RotationWindow | null,
): Date | null {
  if (maxAgeDays === null) return null;
  const due = new Date(changedAt.getTime() + maxAgeDays * 86_400_000);
  return window ? nextWindowStart(window, due) : due;
}
