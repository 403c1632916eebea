/** Time, injected so that tests can control expiry, lockouts and audit timestamps. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
