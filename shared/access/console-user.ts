import { ValidationError } from '../kernel/errors.ts';

/**
 * Console-user mapping for the jump-item API: remote-support consoles name their user in several
 * formats (`joe.user`, `ACME\joe.user`, `joe.user@acme.com`, an LDAP DN such as
 * `uid=joe.user,ou=HelpDesk,dc=acme-inc,dc=com`). `parseConsoleUser` reduces them to one identity;
 * `candidateEmails` lists the e-mail addresses under which that user may be known to Strongroom,
 * most specific first.
 */

export interface ConsoleUserIdentity {
  /** The user's name without domain, lowercased, e.g. `joe.user`. */
  readonly localName: string;
  /** DNS domain (`acme.com`, `acme-inc.com`) or NetBIOS domain (`acme`), lowercased; null when none was given. */
  readonly domain: string | null;
  /** The e-mail address, when the input was an e-mail/UPN or one follows from a DN's `dc=` parts. */
  readonly email: string | null;
}

type Field = 'username' | 'distinguishedName';
const fieldPath = (field: Field) => ['body', 'consoleUser', field] as const;
const invalid = (field: Field, message: string) => ValidationError.field(fieldPath(field), message);

const maxUsernameLength = 256;
const maxDistinguishedNameLength = 1024;
/** The longest local part of an e-mail address (RFC 5321). */
const maxLocalNameLength = 64;
const maxDomainLength = 253;
/** NetBIOS names are at most 15 characters. */
const maxNetbiosLength = 15;

/** RFC 5322 atext plus Unicode letters and digits; dots only between other characters. */
const localNamePattern = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const dnsLabelPattern = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const netbiosPattern = /^[\p{L}\p{N}](?:[\p{L}\p{N}_-]*)$/u;
/** First-RDN attribute types that name the user. */
const userAttributeTypes = new Set(['uid', 'userid', 'cn', 'samaccountname']);
/** A username that starts like a DN naming a user is parsed as one. */
const looksLikeDn = /^(?:uid|userid|cn|samaccountname)\s*=/i;

export function parseConsoleUser(input: {
  readonly username: string;
  readonly distinguishedName?: string | undefined;
}): ConsoleUserIdentity {
  const fromUsername = parseUsername(input.username);
  if (input.distinguishedName === undefined) return fromUsername;
  const fromDn = parseDistinguishedName(input.distinguishedName, 'distinguishedName');
  if (fromUsername.domain !== null || fromDn.domain === null) return fromUsername;
  // The DN's domain fills a missing one, and with it comes the address it implies.
  return {
    localName: fromUsername.localName,
    domain: fromDn.domain,
    email: emailOf(fromUsername.localName, fromDn.domain),
  };
}

/**
 * The addresses to look the user up by, in order, without duplicates: the e-mail itself, then
 * `localName@domain` (for a DNS domain), then `localName@` each of the tenant's e-mail domains.
 */
export function candidateEmails(
  identity: ConsoleUserIdentity,
  tenantEmailDomains: readonly string[],
): string[] {
  const candidates = new Set<string>();
  if (identity.email !== null) candidates.add(identity.email.toLowerCase());
  if (identity.domain?.includes('.')) {
    candidates.add(`${identity.localName}@${identity.domain}`);
  }
  for (const tenantDomain of tenantEmailDomains) {
    const domain = tenantDomain.trim().replace(/^@/, '').toLowerCase();
    if (isDnsDomain(domain)) candidates.add(`${identity.localName}@${domain}`);
  }
  return [...candidates];
}

// ---------------------------------------------------------------------------------------------

function parseUsername(raw: string): ConsoleUserIdentity {
  if (typeof raw !== 'string') throw invalid('username', 'must be a string');
  const username = raw.trim();
  if (username === '') throw invalid('username', 'must not be empty');
  if (username.length > maxUsernameLength) {
    throw invalid('username', `must be at most ${maxUsernameLength} characters`);
  }
  if (looksLikeDn.test(username)) return parseUserDn(username);
  const backslash = username.indexOf('\\');
  if (backslash !== -1) {
    // DOMAIN\user (down-level logon name); the domain may be NetBIOS or DNS.
    const domain = username.slice(0, backslash);
    const localName = username.slice(backslash + 1);
    if (localName.includes('\\')) throw invalid('username', 'has more than one backslash');
    if (localName.includes('@')) throw invalid('username', 'mixes DOMAIN\\user and user@domain');
    return {
      localName: checkLocalName(localName, 'username'),
      domain: checkDomain(domain, 'username', { netbios: true }),
      email: null,
    };
  }
  const at = username.indexOf('@');
  if (at !== -1) {
    // user@domain: an e-mail address or a user principal name.
    if (username.indexOf('@', at + 1) !== -1) throw invalid('username', 'has more than one @');
    const localName = checkLocalName(username.slice(0, at), 'username');
    const domain = checkDomain(username.slice(at + 1), 'username', { netbios: false });
    return { localName, domain, email: emailOf(localName, domain) };
  }
  return { localName: checkLocalName(username, 'username'), domain: null, email: null };
}

/** `localName@domain` for a DNS domain with at least two labels; a single label is no mail domain. */
const emailOf = (localName: string, domain: string): string | null =>
  domain.includes('.') ? `${localName}@${domain}` : null;

function checkLocalName(value: string, field: Field): string {
  if (value === '') throw invalid(field, 'names no user');
  if (value.length > maxLocalNameLength) {
    throw invalid(field, `the user name must be at most ${maxLocalNameLength} characters`);
  }
  if (!localNamePattern.test(value)) throw invalid(field, 'the user name contains characters it cannot have');
  return value.toLowerCase();
}

function isDnsDomain(domain: string): boolean {
  return (
    domain.length > 0 &&
    domain.length <= maxDomainLength &&
    domain.split('.').every((label) => dnsLabelPattern.test(label))
  );
}

function checkDomain(value: string, field: Field, options: { readonly netbios: boolean }): string {
  const domain = value.toLowerCase();
  if (domain === '') throw invalid(field, 'has an empty domain');
  if (options.netbios && !domain.includes('.')) {
    if (domain.length > maxNetbiosLength || !netbiosPattern.test(domain)) {
      throw invalid(field, 'the domain is not a NetBIOS or DNS domain name');
    }
    return domain;
  }
  if (!isDnsDomain(domain)) throw invalid(field, 'the domain is not a DNS domain name');
  return domain;
}

// ---------------------------------------------------------------------------------------------
// Distinguished names (RFC 4514, with the leniencies of RFC 2253 readers: spaces around
// separators, `;` between RDNs, quoted values).

interface AttributeValue {
  /** Lowercased attribute type (`uid`, `dc`, `samaccountname`, or a numeric OID). */
  readonly type: string;
  readonly value: string;
}

interface ParsedDn {
  /** The first RDN's first attribute: who or what the DN names. */
  readonly first: AttributeValue;
  /** The `dc=` values joined with dots, lowercased; null when there are none. */
  readonly domain: string | null;
}

/** A user's DN given as the username: its first RDN must name the user. */
function parseUserDn(dn: string): ConsoleUserIdentity {
  const { first, domain } = parseDistinguishedName(dn, 'username');
  if (!userAttributeTypes.has(first.type)) {
    throw invalid('username', 'a DN must start with uid=, cn= or sAMAccountName= naming the user');
  }
  // Some directories name users by their UPN (cn=joe.user@acme.com): its local part is the name.
  const at = first.value.lastIndexOf('@');
  const localName = checkLocalName(at === -1 ? first.value : first.value.slice(0, at), 'username');
  return { localName, domain, email: domain === null ? null : emailOf(localName, domain) };
}

function parseDistinguishedName(raw: string, field: Field): ParsedDn {
  if (typeof raw !== 'string') throw invalid(field, 'must be a string');
  const dn = raw.trim();
  if (dn === '') throw invalid(field, 'must not be empty');
  if (dn.length > maxDistinguishedNameLength) {
    throw invalid(field, `must be at most ${maxDistinguishedNameLength} characters`);
  }
  const rdns = splitDistinguishedName(dn, field);
  const labels = rdns.flatMap((rdn) => rdn.filter((ava) => ava.type === 'dc').map((ava) => ava.value));
  let domain: string | null = null;
  if (labels.length > 0) {
    domain = labels.join('.').toLowerCase();
    if (!isDnsDomain(domain)) throw invalid(field, 'its dc= parts do not form a DNS domain name');
  }
  return { first: rdns[0]![0]!, domain };
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const attributeTypePattern = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;
const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The DN's RDNs, each a list of attribute-value pairs (several when joined with `+`). */
function splitDistinguishedName(dn: string, field: Field): AttributeValue[][] {
  const bad = (message: string) => invalid(field, `is not a distinguished name: ${message}`);
  const rdns: AttributeValue[][] = [];
  let rdn: AttributeValue[] = [];
  let i = 0;
  for (;;) {
    while (isSpace(dn[i])) i++;
    const equals = dn.indexOf('=', i);
    if (equals === -1) throw bad('an attribute has no "="');
    const type = dn.slice(i, equals).trim();
    if (!attributeTypePattern.test(type)) throw bad(`"${type}" is not an attribute type`);
    i = equals + 1;
    while (isSpace(dn[i])) i++;

    const bytes: number[] = [];
    /** Length of `bytes` up to the last character that is not an unescaped space. */
    let significant = 0;
    const pushText = (text: string, escaped: boolean) => {
      for (const byte of encoder.encode(text)) bytes.push(byte);
      if (escaped || !isSpace(text)) significant = bytes.length;
    };
    if (dn[i] === '#') throw bad('BER-encoded (#…) values are not supported');
    if (dn[i] === '"') {
      // Quoted value (RFC 2253 readers): separators inside are literal.
      i++;
      while (dn[i] !== '"') {
        if (i >= dn.length) throw bad('a quoted value is not closed');
        if (dn[i] === '\\') i++;
        if (i >= dn.length) throw bad('a quoted value is not closed');
        const c = String.fromCodePoint(dn.codePointAt(i)!);
        pushText(c, true);
        i += c.length;
      }
      i++;
      while (isSpace(dn[i])) i++;
    } else {
      while (i < dn.length && dn[i] !== ',' && dn[i] !== ';' && dn[i] !== '+') {
        if (dn[i] === '\\') {
          if (isHex(dn[i + 1]) && isHex(dn[i + 2])) {
            bytes.push(Number.parseInt(dn.slice(i + 1, i + 3), 16));
            significant = bytes.length;
            i += 3;
            continue;
          }
          if (i + 1 >= dn.length) throw bad('it ends in a lone backslash');
          const c = String.fromCodePoint(dn.codePointAt(i + 1)!);
          pushText(c, true);
          i += 1 + c.length;
          continue;
        }
        if (dn[i] === '"') throw bad('a quote inside a value must be escaped');
        const c = String.fromCodePoint(dn.codePointAt(i)!);
        pushText(c, false);
        i += c.length;
      }
    }
    let value: string;
    try {
      value = strictUtf8.decode(new Uint8Array(bytes.slice(0, significant)));
    } catch {
      throw bad('an escaped value is not UTF-8');
    }
    rdn.push({ type: type.toLowerCase(), value });

    if (i >= dn.length) {
      rdns.push(rdn);
      return rdns;
    }
    const separator = dn[i];
    i++;
    if (separator !== '+') {
      rdns.push(rdn);
      rdn = [];
    }
    while (isSpace(dn[i])) i++;
    if (i >= dn.length) throw bad(`it ends in "${separator}"`);
  }
}
