/**
 * Password rules and the generator.
 *
 * Uniformity: the generated password is drawn uniformly from the set of all strings of the given
 * length over the allowed alphabet that meet every class minimum. Instead of drawing whole
 * passwords and rejecting those that miss a minimum (which can need millions of draws for strict
 * rules), the generator
 *   1. draws how many characters each class gets, with exactly the probability that a uniformly
 *      drawn valid password would have those counts (counted with BigInt dynamic programming),
 *   2. shuffles the class slots with a uniform Fisher-Yates shuffle, and
 *   3. fills each slot with a uniform character of its class.
 * Every random integer comes from `crypto.randomInt`, which uses rejection sampling over the CSPRNG
 * (no modulo bias); the count draw uses its own BigInt rejection sampling. Passwords that contain a
 * common word (leetspeak folded), a keyboard or alphabet run, or a long repeat are rejected and
 * drawn again, which keeps the result uniform over the accepted set.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import { commonWords } from './common-words.ts';

export const defaultSymbols = '!#$%&()*+,-./:;<=>?@[]^_{|}~';
/** Characters people confuse when reading a password aloud or from a screen. */
export const lookAlikeCharacters = 'Il1|O0o`\'"';

const classAlphabets = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
} as const;

const characterClassSchema = z
  .object({
    allowed: z.boolean().default(true),
    min: z.int().min(0).max(128).default(1),
  })
  .strict();

const printableSymbol = /^[!-/:-@[-`{-~]+$/;

export const passwordRulesSchema = z
  .object({
    length: z.int().min(8).max(128).default(24),
    lowercase: characterClassSchema.default({ allowed: true, min: 1 }),
    uppercase: characterClassSchema.default({ allowed: true, min: 1 }),
    digits: characterClassSchema.default({ allowed: true, min: 1 }),
    symbols: characterClassSchema.default({ allowed: true, min: 1 }),
    allowedSymbols: z
      .string()
      .min(1)
      .max(32)
      .regex(printableSymbol, 'may hold printable ASCII symbols only (no letters, digits or spaces)')
      .refine((s) => new Set(s).size === s.length, 'must not repeat a symbol')
      .default(defaultSymbols),
    excludeLookAlikes: z.boolean().default(true),
    /** Maximum age of a credential under this policy before rotation is due. */
    maxAgeDays: z.int().min(1).max(3650).default(90),
  })
  .strict()
  .superRefine((rules, context) => {
    const classes = [rules.lowercase, rules.uppercase, rules.digits, rules.symbols];
    const names = ['lowercase', 'uppercase', 'digits', 'symbols'] as const;
    if (!classes.some((c) => c.allowed)) {
      context.addIssue({
        code: 'custom',
        path: ['lowercase'],
        message: 'at least one class must be allowed',
      });
    }
    names.forEach((name, index) => {
      const characterClass = classes[index]!;
      if (!characterClass.allowed && characterClass.min > 0) {
        context.addIssue({
          code: 'custom',
          path: [name, 'min'],
          message: 'must be 0 when the class is not allowed',
        });
      }
    });
    const minimums = classes.reduce((sum, c) => sum + (c.allowed ? c.min : 0), 0);
    if (minimums > rules.length) {
      context.addIssue({
        code: 'custom',
        path: ['length'],
        message: `must be at least the sum of class minimums (${minimums})`,
      });
    }
    if (rules.symbols.allowed && alphabetOf('symbols', rules).length === 0) {
      context.addIssue({ code: 'custom', path: ['allowedSymbols'], message: 'leaves no usable symbol' });
    }
  });
export type PasswordRules = z.infer<typeof passwordRulesSchema>;

type ClassName = 'lowercase' | 'uppercase' | 'digits' | 'symbols';

function alphabetOf(
  name: ClassName,
  rules: Pick<PasswordRules, 'allowedSymbols' | 'excludeLookAlikes'>,
): string {
  const base = name === 'symbols' ? rules.allowedSymbols : classAlphabets[name];
  if (!rules.excludeLookAlikes) return base;
  return [...base].filter((c) => !lookAlikeCharacters.includes(c)).join('');
}

/** A uniform BigInt in [0, bound), by rejection sampling over CSPRNG bytes. */
function uniformBigInt(bound: bigint): bigint {
  if (bound <= 0n) throw new RangeError('bound must be positive');
  const bits = bound.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const excessBits = BigInt(bytes * 8 - bits);
  for (;;) {
    const value = BigInt(`0x${randomBytes(bytes).toString('hex')}`) >> excessBits;
    if (value < bound) return value;
  }
}

/** Pascal's triangle up to the longest allowed password, built once. */
const binomials: bigint[][] = (() => {
  const rows: bigint[][] = [[1n]];
  for (let n = 1; n <= 128; n += 1) {
    const previous = rows[n - 1]!;
    rows.push(
      Array.from({ length: n + 1 }, (_, k) => (k === 0 || k === n ? 1n : previous[k - 1]! + previous[k]!)),
    );
  }
  return rows;
})();
const binomial = (n: number, k: number): bigint => binomials[n]![k]!;

interface ClassPlan {
  readonly alphabet: string;
  readonly min: number;
}

/**
 * For classes i..end and `remaining` slots, the number of ways to fill them meeting the minimums:
 * ways(i, r) = Σ_{n ≥ min_i} C(r, n) · |alphabet_i|^n · ways(i + 1, r − n); ways(end, 0) = 1.
 */
function waysCounter(plans: readonly ClassPlan[]) {
  const memo = new Map<string, bigint>();
  const powers = plans.map((plan) => {
    const size = BigInt(plan.alphabet.length);
    const row = [1n];
    for (let n = 1; n <= 128; n += 1) row.push(row[n - 1]! * size);
    return row;
  });
  const weight = (index: number, remaining: number, n: number): bigint =>
    binomial(remaining, n) * powers[index]![n]! * ways(index + 1, remaining - n);
  const ways = (index: number, remaining: number): bigint => {
    if (index === plans.length) return remaining === 0 ? 1n : 0n;
    const key = `${index}:${remaining}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let total = 0n;
    for (let n = plans[index]!.min; n <= remaining; n += 1) total += weight(index, remaining, n);
    memo.set(key, total);
    return total;
  };
  return { ways, weight };
}

function drawClassCounts(plans: readonly ClassPlan[], length: number): number[] {
  const { ways, weight } = waysCounter(plans);
  const counts: number[] = [];
  let remaining = length;
  for (let index = 0; index < plans.length; index += 1) {
    const plan = plans[index]!;
    let pick = uniformBigInt(ways(index, remaining));
    let chosen = -1;
    for (let n = plan.min; n <= remaining; n += 1) {
      const share = weight(index, remaining, n);
      if (pick < share) {
        chosen = n;
        break;
      }
      pick -= share;
    }
    counts.push(chosen);
    remaining -= chosen;
  }
  return counts;
}

const keyboardRows = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890', 'abcdefghijklmnopqrstuvwxyz'];
const leetspeak: Record<string, string> = {
  '0': 'o',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '8': 'b',
  '9': 'g',
};

function foldings(password: string): string[] {
  const lower = password.toLowerCase();
  const base = [...lower].map((c) => leetspeak[c] ?? c).join('');
  // '1' and '!' read as either 'i' or 'l'.
  return [base.replace(/[1!|]/g, 'i'), base.replace(/[1!|]/g, 'l')];
}

/** The reason a password looks weak, or null. Used to reject draws and to check imported passwords. */
export function weaknessOf(password: string): string | null {
  for (const folded of foldings(password)) {
    for (const word of commonWords) {
      if (folded.includes(word)) return 'contains a common word';
    }
  }
  const lower = password.toLowerCase();
  for (let i = 0; i + 4 <= lower.length; i += 1) {
    const window = lower.slice(i, i + 4);
    if (new Set(window).size === 1) return 'repeats a character';
    for (const row of keyboardRows) {
      if (row.includes(window) || [...row].reverse().join('').includes(window))
        return 'contains a keyboard or alphabet run';
    }
  }
  return null;
}

/** A password drawn uniformly from the strings that satisfy `rules` and do not look weak. */
export function generatePassword(input: PasswordRules): string {
  const rules = passwordRulesSchema.parse(input);
  const plans: ClassPlan[] = (['lowercase', 'uppercase', 'digits', 'symbols'] as const)
    .filter((name) => rules[name].allowed)
    .map((name) => ({ alphabet: alphabetOf(name, rules), min: rules[name].min }));
  for (let attempt = 0; attempt < 10_000; attempt += 1) {
    const counts = drawClassCounts(plans, rules.length);
    const slots: number[] = counts.flatMap((count, classIndex) => Array<number>(count).fill(classIndex));
    for (let i = slots.length - 1; i > 0; i -= 1) {
      const j = randomInt(i + 1);
      [slots[i], slots[j]] = [slots[j]!, slots[i]!];
    }
    const password = slots
      .map((classIndex) => {
        const alphabet = plans[classIndex]!.alphabet;
        return alphabet[randomInt(alphabet.length)]!;
      })
      .join('');
    if (weaknessOf(password) === null) return password;
  }
  // Only reachable with rules so narrow that nearly every draw is a run or repeat (e.g. digits only).
  throw new RangeError('the password rules are too narrow to generate a password that does not look weak');
}

/** Bits of entropy of a uniformly drawn password under `rules` (before the weak-pattern filter). */
export function entropyBitsOf(input: PasswordRules): number {
  const rules = passwordRulesSchema.parse(input);
  const plans = (['lowercase', 'uppercase', 'digits', 'symbols'] as const)
    .filter((name) => rules[name].allowed)
    .map((name) => ({ alphabet: alphabetOf(name, rules), min: rules[name].min }));
  return waysCounter(plans).ways(0, rules.length).toString(2).length - 1;
}
