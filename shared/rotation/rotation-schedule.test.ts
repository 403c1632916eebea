import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  insideWindow,
  nextDueAt,
  nextWindowStart,
  rotationWeekdays,
  rotationWindowSchema,
} from './rotation-schedule.ts';

const window = (input: object) => rotationWindowSchema.parse(input);

describe('rotation schedule', () => {
  it('is due the maximum age after the last change, or never without one', () => {
    const changed = new Date('2026-11-01T10:00:00Z');
    assert.equal(nextDueAt(changed, 30, null)?.toISOString(), '2026-12-01T10:00:00.000Z');
    assert.equal(nextDueAt(changed, null, null), null);
  });

  it('moves a due time into the next window, in the window’s time zone', () => {
    // 2026-12-01 is a Tuesday; the window is Sundays 02:00–04:00 in Paris (UTC+1 in winter).
    const sundays = window({ daysOfWeek: ['sun'], from: '02:00', to: '04:00', timezone: 'Europe/Paris' });
    const due = nextDueAt(new Date('2026-11-01T10:00:00Z'), 30, sundays);
    assert.equal(due?.toISOString(), '2026-12-06T01:00:00.000Z');
  });

  it('overnight windows belong to the day they open', () => {
    const fridayNight = window({ daysOfWeek: ['fri'], from: '22:00', to: '02:00', timezone: 'UTC' });
    assert.equal(insideWindow(fridayNight, new Date('2026-11-27T23:00:00Z')), true); // Friday 23:00
    assert.equal(insideWindow(fridayNight, new Date('2026-11-28T01:30:00Z')), true); // Saturday 01:30
    assert.equal(insideWindow(fridayNight, new Date('2026-11-28T23:00:00Z')), false); // Saturday 23:00
    assert.equal(insideWindow(fridayNight, new Date('2026-11-27T01:00:00Z')), false); // Friday 01:00 (Thursday's night)
  });

  it('the next window start is inside the window, not before the start, and the first such minute (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...rotationWeekdays), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'),
        fc.integer({ min: 0, max: 365 * 24 * 60 }),
        (days, fromHour, toHour, timezone, minuteOfYear) => {
          fc.pre(fromHour !== toHour);
          const w = window({
            daysOfWeek: days,
            from: `${String(fromHour).padStart(2, '0')}:00`,
            to: `${String(toHour).padStart(2, '0')}:00`,
            timezone,
          });
          const from = new Date(Date.parse('2026-01-01T00:00:00Z') + minuteOfYear * 60_000);
          const start = nextWindowStart(w, from);
          assert.ok(start, 'every window opens within a week');
          assert.ok(start.getTime() >= from.getTime());
          assert.ok(insideWindow(w, start));
          if (start.getTime() > from.getTime()) {
            assert.equal(
              insideWindow(w, new Date(start.getTime() - 60_000)),
              false,
              'the first minute inside',
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
