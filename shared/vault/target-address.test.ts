import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canonicalIp,
  hostOfUrl,
  normalizeAddress,
  normalizeHostname,
  systemAddressKeys,
  targetLookupKeys,
} from './target-address.ts';

/** WHATWG URL's IPv6 serializer follows RFC 5952 too: an independent oracle. */
const whatwgIpv6 = (groups: readonly number[]) =>
  new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);

const hextets = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
  minLength: 8,
  maxLength: 8,
});
/** Not IPv4-mapped (those become IPv4). */
const ipv6Groups = hextets.filter((g) => !(g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff));

/** A random but equivalent spelling: upper/lower case, leading zeros, full or compressed. */
const spelling = (groups: readonly number[]) =>
  fc
    .record({
      upper: fc.boolean(),
      pad: fc.boolean(),
      compress: fc.boolean(),
    })
    .map(({ upper, pad, compress }) => {
      let parts = groups.map((g) => (pad ? g.toString(16).padStart(4, '0') : g.toString(16)));
      if (upper) parts = parts.map((p) => p.toUpperCase());
      if (compress) {
        // Compress the first zero run of any length ≥ 1 (allowed on input, not in output).
        const start = groups.indexOf(0);
        if (start >= 0) {
          let end = start;
          while (end < 8 && groups[end] === 0) end++;
          return `${parts.slice(0, start).join(':')}::${parts.slice(end).join(':')}`;
        }
      }
      return parts.join(':');
    });

describe('canonicalIp', () => {
  it('canonicalizes IPv6 like RFC 5952 (compressed, lower case) whatever the spelling', () => {
    fc.assert(
      fc.property(
        ipv6Groups.chain((groups) => fc.tuple(fc.constant(groups), spelling(groups))),
        ([groups, text]) => {
          assert.equal(isIP(text), 6, text);
          assert.equal(canonicalIp(text), whatwgIpv6(groups), text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is idempotent and agrees with node:net on what is an IP', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.string({ maxLength: 45 })), (text) => {
        const canonical = canonicalIp(text);
        if (canonical === null) return;
        assert.ok(isIP(text) !== 0, `${text} accepted but node:net refuses it`);
        assert.equal(canonicalIp(canonical), canonical);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        assert.notEqual(canonicalIp(text), null, text);
      }),
      { numRuns: 500 },
    );
  });

  it('maps IPv4-mapped IPv6 to IPv4', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        assert.equal(canonicalIp(`::ffff:${v4}`), v4);
        assert.equal(canonicalIp(`0:0:0:0:0:FFFF:${v4}`), v4);
        const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
        const hex = `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        assert.equal(canonicalIp(hex), v4);
      }),
    );
  });

  it('handles the classic cases', () => {
    assert.equal(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonicalIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(canonicalIp('::'), '::');
    assert.equal(canonicalIp('::1'), '::1');
    assert.equal(canonicalIp('::1.2.3.4'), '::102:304');
    assert.equal(canonicalIp('1::1.2.3.4'), '1::102:304');
    assert.equal(canonicalIp(' 10.0.0.1 '), '10.0.0.1');
    for (const bad of [
      '010.0.0.1',
      '1.2.3',
      '1.2.3.256',
      'fe80::1%eth0',
      ':::1',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      'db01',
      '',
    ]) {
      assert.equal(canonicalIp(bad), null, bad);
    }
  });
});

describe('normalizeHostname and hostOfUrl', () => {
  it('lower-cases and strips the trailing dot; refuses what is not a hostname', () => {
    assert.equal(normalizeHostname('DB01.Corp.Example.'), 'db01.corp.example');
    assert.equal(normalizeHostname('db01'), 'db01');
    for (const bad of ['', '.', '-db', 'db_01.corp', 'a..b', '10.0.0.1', `${'a'.repeat(64)}.example`]) {
      assert.equal(normalizeHostname(bad), null, bad);
    }
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        const normalized = normalizeHostname(`${domain.toUpperCase()}.`);
        assert.equal(normalized, domain.toLowerCase());
      }),
    );
  });

  it('takes the normalized host of http(s) URLs only', () => {
    assert.equal(hostOfUrl('https://Portal.Example.COM./login?x=1'), 'portal.example.com');
    assert.equal(hostOfUrl('http://[2001:DB8::0:1]:8443/'), '2001:db8::1');
    assert.equal(hostOfUrl('http://[::ffff:10.1.2.3]/'), '10.1.2.3');
    assert.equal(hostOfUrl('ftp://files.example'), null);
    assert.equal(hostOfUrl('not a url'), null);
    assert.equal(normalizeAddress('::FFFF:10.1.2.3'), '10.1.2.3');
    assert.equal(normalizeAddress('App01.Example'), 'app01.example');
  });
});

describe('systemAddressKeys and targetLookupKeys', () => {
  const system = {
    hostname: 'DB01.corp.example.',
    ipAddress: '2001:DB8:0:0:0:0:0:10',
    additionalAddresses: ['10.0.0.12', 'db01-vip.corp.example', 'db01', 'junk value'],
    websiteUrl: 'https://Admin.Corp.Example/console',
  };

  it('files every address of a system under its kinds, deduplicated and sorted', () => {
    assert.deepEqual(systemAddressKeys(system), [
      'host:db01',
      'host:db01-vip.corp.example',
      'host:db01.corp.example',
      'ip:10.0.0.12',
      'ip:2001:db8::10',
      'short:db01',
      'short:db01-vip',
      'url:admin.corp.example',
    ]);
    assert.deepEqual(
      systemAddressKeys({ hostname: null, ipAddress: null, additionalAddresses: [], websiteUrl: null }),
      [],
    );
  });

  it('looks an FQDN up as host:, a single label as short: and host:, IPs as ip:, a URL as url: and its host', () => {
    assert.deepEqual(targetLookupKeys({ hostname: 'DB01.corp.example' }), ['host:db01.corp.example']);
    assert.deepEqual(targetLookupKeys({ hostname: 'DB01' }), ['short:db01', 'host:db01']);
    assert.deepEqual(targetLookupKeys({ hostname: '::ffff:10.0.0.12' }), ['ip:10.0.0.12']);
    assert.deepEqual(targetLookupKeys({ ipAddresses: ['2001:db8::0:10', '2001:db8::10', 'nope'] }), [
      'ip:2001:db8::10',
    ]);
    assert.deepEqual(targetLookupKeys({ url: 'https://admin.corp.example:8443/x' }), [
      'url:admin.corp.example',
      'host:admin.corp.example',
    ]);
    assert.deepEqual(targetLookupKeys({ url: 'http://[::1]/' }), ['url:::1', 'ip:::1']);
    assert.deepEqual(targetLookupKeys({}), []);
  });

  it('finds every system address through the lookup of the same address, however it is spelled', () => {
    fc.assert(
      fc.property(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6()), fc.boolean(), (address, upper) => {
        const filed = new Set(
          systemAddressKeys({
            hostname: null,
            ipAddress: null,
            additionalAddresses: [address],
            websiteUrl: null,
          }),
        );
        const query = upper ? address.toUpperCase() : address;
        const hit = targetLookupKeys({ hostname: query, ipAddresses: [query] }).some((key) => filed.has(key));
        assert.ok(hit, `${address} not found by ${query}`);
      }),
      { numRuns: 500 },
    );
  });
});
