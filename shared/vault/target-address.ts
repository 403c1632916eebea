/**
 * Normalization of the addresses a system is reached at, and of the addresses a caller asks
 * about, into index keys `<kind>:<value>`. Pure: the repository writes one index item per key of
 * a system and looks the keys of a target up.
 *
 * | kind    | value                                                        | from                     |
 * |---------|--------------------------------------------------------------|--------------------------|
 * | `host`  | hostname lower-cased, trailing dot stripped                  | every hostname           |
 * | `short` | first label of a hostname with more than one label           | every multi-label name   |
 * | `ip`    | canonical IP: IPv4 dotted decimal; IPv6 RFC 5952 (compressed, lower case); IPv4-mapped IPv6 → IPv4 | every IP |
 * | `url`   | host of the website URL, normalized like a hostname or an IP | `websiteUrl`             |
 *
 * Values never contain `#` (hostnames are `[a-z0-9.-]`, IPs `[0-9a-f.:]`), so a key can sit
 * inside a `#`-separated sort key.
 */

export type AddressKind = 'host' | 'short' | 'ip' | 'url';
export type AddressKey = `${AddressKind}:${string}`;

const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const hostnamePattern = new RegExp(`^${label}(?:\\.${label})*$`);

/** `Db01.Corp.Example.` → `db01.corp.example`; null when it is not a DNS hostname. */
export function normalizeHostname(value: string): string | null {
  const lower = value.trim().toLowerCase().replace(/\.$/, '');
  if (lower.length === 0 || lower.length > 253 || !hostnamePattern.test(lower)) return null;
  // A name of digits and dots only is an IPv4 address or nothing (`10.1` is not a hostname).
  if (/^[0-9.]+$/.test(lower)) return null;
  return lower;
}

function parseIpv4(value: string): number[] | null {
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const part of parts) {
    // No leading zeros: `010` is octal to some parsers and decimal to others.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    octets.push(octet);
  }
  return octets;
}

function parseHextets(part: string): number[] | null {
  if (part === '') return [];
  const groups: number[] = [];
  for (const group of part.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

/** The eight 16-bit groups of an IPv6 address (with an optional trailing dotted IPv4), or null. */
function parseIpv6(value: string): number[] | null {
  let text = value;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    // `::1.2.3.4` and `1::1.2.3.4` keep their `::`; `1:2:3:4:5:6:1.2.3.4` drops its separator.
    text = text[lastColon - 1] === ':' ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  if (halves.length === 1) {
    const groups = parseHextets(halves[0]!);
    if (!groups) return null;
    const all = [...groups, ...tail];
    return all.length === 8 ? all : null;
  }
  const head = parseHextets(halves[0]!);
  const rest = parseHextets(halves[1]!);
  if (!head || !rest) return null;
  const known = head.length + rest.length + tail.length;
  // `::` stands for at least one group.
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

/** RFC 5952: lower case, no leading zeros, the longest run (≥ 2) of zero groups as `::`, first on ties. */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Canonical text of an IP address, or null when `value` is not one. IPv4: dotted decimal without
 * leading zeros. IPv6: RFC 5952; an IPv4-mapped address (`::ffff:a.b.c.d`) becomes the IPv4
 * address. Zone ids (`%eth0`) are refused.
 */
export function canonicalIp(value: string): string | null {
  const text = value.trim();
  if (text.includes(':')) {
    const groups = parseIpv6(text);
    if (!groups) return null;
    const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
    if (mapped) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
    return formatIpv6(groups);
  }
  const octets = parseIpv4(text);
  return octets ? octets.join('.') : null;
}

/** The canonical form of an address given as an IP or a hostname, or null when it is neither. */
export function normalizeAddress(value: string): string | null {
  return canonicalIp(value) ?? normalizeHostname(value);
}

/**
 * The host of an http(s) URL, normalized (a hostname lower-cased without trailing dot, or a
 * canonical IP), or null when the URL is not http(s) or has no usable host.
 */
export function hostOfUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return normalizeAddress(host);
}

/** Keys under which an address (IP or hostname) of a system is filed. */
function keysOfAddress(value: string): AddressKey[] {
  const ip = canonicalIp(value);
  if (ip) return [`ip:${ip}`];
  const host = normalizeHostname(value);
  if (!host) return [];
  const first = host.split('.')[0]!;
  return first === host ? [`host:${host}`] : [`host:${host}`, `short:${first}`];
}

/** What a system is reachable at (the fields of a system record that hold addresses). */
export interface SystemAddresses {
  readonly hostname: string | null;
  readonly ipAddress: string | null;
  readonly additionalAddresses: readonly string[];
  readonly websiteUrl: string | null;
}

/** Every index key of a system, deduplicated and sorted. Invalid values file nothing. */
export function systemAddressKeys(system: SystemAddresses): AddressKey[] {
  const keys = new Set<AddressKey>();
  const addresses = [system.hostname, system.ipAddress, ...system.additionalAddresses];
  for (const address of addresses) {
    if (address) for (const key of keysOfAddress(address)) keys.add(key);
  }
  if (system.websiteUrl) {
    const host = hostOfUrl(system.websiteUrl);
    if (host) keys.add(`url:${host}`);
  }
  return [...keys].sort();
}

/** What a caller looks systems up by. */
export interface TargetQuery {
  readonly hostname?: string | undefined;
  readonly ipAddresses?: readonly string[] | undefined;
  readonly url?: string | undefined;
}

/** Keys a hostname query matches: an FQDN its `host:` key; a single label `short:` and `host:`. */
function lookupKeysOfName(value: string): AddressKey[] {
  const ip = canonicalIp(value);
  if (ip) return [`ip:${ip}`];
  const host = normalizeHostname(value);
  if (!host) return [];
  return host.includes('.') ? [`host:${host}`] : [`short:${host}`, `host:${host}`];
}

/**
 * The index keys to look up for a target, deduplicated, in a stable order. A hostname that is an
 * IP is looked up as one; a URL matches `url:` of its host and, like a hostname, its host.
 * Values that are neither hostnames, IPs nor http(s) URLs match nothing.
 */
export function targetLookupKeys(target: TargetQuery): AddressKey[] {
  const keys = new Set<AddressKey>();
  if (target.hostname !== undefined) for (const key of lookupKeysOfName(target.hostname)) keys.add(key);
  for (const address of target.ipAddresses ?? []) {
    const ip = canonicalIp(address);
    if (ip) keys.add(`ip:${ip}`);
  }
  if (target.url !== undefined) {
    const host = hostOfUrl(target.url);
    if (host) {
      keys.add(`url:${host}`);
      for (const key of lookupKeysOfName(host)) keys.add(key);
    }
  }
  return [...keys];
}
