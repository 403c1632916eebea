import { z } from 'zod';
import {
  dayBefore,
  localTime,
  minutesOf,
  timeOfDaySchema,
  timezoneSchema,
  weekdays,
} from '../kernel/local-time.ts';

/**
 * When an account's credential is due: its maximum age after the last change, moved forward
 * into the next rotation window when the account has one. Pure; the scheduler and the vault use
 * it to file the account in the due index.
 */

export const rotationWeekdays = weekdays;

export const rotationWindowSchema = z
  .object({
    daysOfWeek: z
      .array(z.enum(rotationWeekdays))
      .min(1)
      .max(7)
      .default([...rotationWeekdays]),
    /** Local time; `to` before `from` spans midnight. */
    from: timeOfDaySchema.default('00:00'),
    to: timeOfDaySchema.default('23:59'),
    timezone: timezoneSchema.default('UTC'),
  })
  .strict()
  .refine((w) => w.from !== w.to, { path: ['to'], message: 'must differ from from' });
export type RotationWindow = z.infer<typeof rotationWindowSchema>;

/** Whether `instant` lies inside the window (an overnight window belongs to the day it opens). */
export function insideWindow(window: RotationWindow, instant: Date): boolean {
  const { weekday: day, minutes } = localTime(instant, window.timezone);
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (from < to) return minutes >= from && minutes < to && window.daysOfWeek.includes(day);
  if (minutes >= from) return window.daysOfWeek.includes(day);
  if (minutes < to) {
    return window.daysOfWeek.includes(dayBefore(day));
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
