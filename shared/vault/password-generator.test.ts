import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { commonWords } from './common-words.ts';
import {
  defaultSymbols,
  entropyBitsOf,
  generatePassword,
  lookAlikeCharacters,
  passwordRulesSchema,
  weaknessOf,
} from './password-generator.ts';

const count = (text: string, pattern: RegExp) => [...text].filter((c) => pattern.test(c)).length;

const rulesArbitrary = fc
  .record({
    length: fc.integer({ min: 8, max: 64 }),
    lower: fc.boolean(),
    upper: fc.boolean(),
    digits: fc.boolean(),
    symbols: fc.boolean(),
    mins: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
    excludeLookAlikes: fc.boolean(),
    allowedSymbols: fc.constantFrom(defaultSymbols, '!@#', '-_.', '%'),
  })
  .filter((r) => r.lower || r.upper || r.digits)
  // Minimums that do not fit the length are refused by the schema (tested separately).
  .filter(
    (r) =>
      [r.lower, r.upper, r.digits, r.symbols].reduce((sum, on, i) => sum + (on ? r.mins[i]! : 0), 0) <=
      r.length,
  )
  .map((r) => {
    const flags = [r.lower, r.upper, r.digits, r.symbols];
    const cls = (i: number) => ({ allowed: flags[i]!, min: flags[i] ? r.mins[i]! : 0 });
    return passwordRulesSchema.parse({
      length: r.length,
      lowercase: cls(0),
      uppercase: cls(1),
      digits: cls(2),
      symbols: cls(3),
      allowedSymbols: r.allowedSymbols,
      excludeLookAlikes: r.excludeLookAlikes,
    });
  });

describe('password rules', () => {
  it('default to 24 characters of four classes, one of each at least, look-alikes excluded', () => {
    const rules = passwordRulesSchema.parse({});
    assert.equal(rules.length, 24);
    assert.equal(rules.excludeLookAlikes, true);
    assert.equal(rules.maxAgeDays, 90);
    assert.ok(entropyBitsOf(rules) >= 140, `entropy ${entropyBitsOf(rules)}`);
  });

  it('reject minimums that do not fit the length, naming the field', () => {
    const result = passwordRulesSchema.safeParse({ length: 8, digits: { min: 5 }, symbols: { min: 4 } });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ['length']);
  });

  it('reject a minimum on a class that is not allowed, and unknown fields', () => {
    const result = passwordRulesSchema.safeParse({ symbols: { allowed: false, min: 2 } });
    assert.deepEqual(result.error?.issues[0]?.path, ['symbols', 'min']);
    assert.equal(passwordRulesSchema.safeParse({ lenght: 20 }).success, false);
  });

  it('reject letters or spaces among the allowed symbols', () => {
    assert.equal(passwordRulesSchema.safeParse({ allowedSymbols: 'a!' }).success, false);
    assert.equal(passwordRulesSchema.safeParse({ allowedSymbols: ' !' }).success, false);
  });
});

describe('generatePassword', () => {
  it('meets every rule for arbitrary policies', () => {
    fc.assert(
      fc.property(rulesArbitrary, (rules) => {
        const password = generatePassword(rules);
        assert.equal(password.length, rules.length);
        const lower = count(password, /[a-z]/);
        const upper = count(password, /[A-Z]/);
        const digits = count(password, /[0-9]/);
        const symbols = password.length - lower - upper - digits;
        assert.ok(rules.lowercase.allowed ? lower >= rules.lowercase.min : lower === 0);
        assert.ok(rules.uppercase.allowed ? upper >= rules.uppercase.min : upper === 0);
        assert.ok(rules.digits.allowed ? digits >= rules.digits.min : digits === 0);
        assert.ok(rules.symbols.allowed ? symbols >= rules.symbols.min : symbols === 0);
        for (const c of password.replace(/[a-zA-Z0-9]/g, '')) assert.ok(rules.allowedSymbols.includes(c));
        if (rules.excludeLookAlikes) for (const c of lookAlikeCharacters) assert.ok(!password.includes(c));
        assert.equal(weaknessOf(password), null);
      }),
      { numRuns: 300 },
    );
  });

  it('draws characters uniformly (chi-square over 20,000 digit-and-lowercase passwords)', () => {
    // Alphabet of 36 with no minimums: every position is uniform over the 36 characters.
    const rules = passwordRulesSchema.parse({
      length: 8,
      uppercase: { allowed: false, min: 0 },
      symbols: { allowed: false, min: 0 },
      lowercase: { min: 0 },
      digits: { min: 0 },
      excludeLookAlikes: false,
    });
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const frequencies = new Map<string, number>();
    const samples = 20_000;
    for (let i = 0; i < samples; i += 1) {
      const c = generatePassword(rules)[3]!;
      frequencies.set(c, (frequencies.get(c) ?? 0) + 1);
    }
    const expected = samples / alphabet.length;
    const chiSquare = [...alphabet].reduce(
      (sum, c) => sum + ((frequencies.get(c) ?? 0) - expected) ** 2 / expected,
      0,
    );
    // 35 degrees of freedom: the 99.99th percentile is about 72. The weak-pattern filter removes a
    // few percent of draws and skews the distribution only slightly.
    assert.ok(chiSquare < 80, `chi-square ${chiSquare.toFixed(1)}`);
  });

  it('gives each class its exact share when minimums apply', () => {
    // Lowercase (26) and digits (10), length 8, at least 7 digits. Valid strings with 7 digits:
    // C(8,7)·26·10^7; with 8 digits: 10^8. P(8 digits) = 10^8 / (8·26·10^7 + 10^8) = 10/218.
    const rules = passwordRulesSchema.parse({
      length: 8,
      uppercase: { allowed: false, min: 0 },
      symbols: { allowed: false, min: 0 },
      lowercase: { min: 0 },
      digits: { min: 7 },
      excludeLookAlikes: false,
    });
    const samples = 5_000;
    let allDigits = 0;
    for (let i = 0; i < samples; i += 1) if (/^[0-9]{8}$/.test(generatePassword(rules))) allDigits += 1;
    const expected = (samples * 10) / 218;
    const sigma = Math.sqrt(samples * (10 / 218) * (208 / 218));
    assert.ok(Math.abs(allDigits - expected) < 5 * sigma, `${allDigits} vs ${expected.toFixed(0)}`);
  });

  it('handles the longest and the strictest policies quickly', () => {
    const longest = passwordRulesSchema.parse({ length: 128 });
    assert.equal(generatePassword(longest).length, 128);
    const onlyDigits = passwordRulesSchema.parse({
      length: 8,
      lowercase: { allowed: false, min: 0 },
      uppercase: { allowed: false, min: 0 },
      symbols: { allowed: false, min: 0 },
      digits: { min: 8 },
    });
    assert.match(generatePassword(onlyDigits), /^[0-9]{8}$/);
  });
});

describe('weaknessOf', () => {
  it('finds common words, leetspeak, runs and repeats', () => {
    assert.equal(weaknessOf('xK9#P4ssw0rd!2'), 'contains a common word');
    assert.equal(weaknessOf('zz9#QWER!2'), 'contains a keyboard or alphabet run');
    assert.equal(weaknessOf('zz9#4321!2'), 'contains a keyboard or alphabet run');
    assert.equal(weaknessOf('x7#aaaa#9Z'), 'repeats a character');
    assert.equal(weaknessOf('x7#Kq9#Zt2'), null);
  });

  it('uses a word list of lowercase words of four or more letters and digits', () => {
    for (const word of commonWords) assert.match(word, /^[a-z0-9]{4,}$/);
  });
});
