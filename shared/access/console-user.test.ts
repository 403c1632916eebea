import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '../kernel/errors.ts';
import { type ConsoleUserIdentity, candidateEmails, parseConsoleUser } from './console-user.ts';

const rejects = (input: { username: string; distinguishedName?: string }, field: string) => {
  assert.throws(
    () => parseConsoleUser(input),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
      assert.deepEqual(error.issues[0]?.path, ['body', 'consoleUser', field]);
      return true;
    },
    `accepted ${JSON.stringify(input)}`,
  );
};

describe('parseConsoleUser: the four formats', () => {
  it('a bare user name', () => {
    assert.deepEqual(parseConsoleUser({ username: 'joe.user' }), {
      localName: 'joe.user',
      domain: null,
      email: null,
    });
  });

  it('DOMAIN\\user with a NetBIOS domain', () => {
    assert.deepEqual(parseConsoleUser({ username: 'ACME\\joe.user' }), {
      localName: 'joe.user',
      domain: 'acme',
      email: null,
    });
  });

  it('an e-mail address or UPN', () => {
    assert.deepEqual(parseConsoleUser({ username: 'joe.user@acme.com' }), {
      localName: 'joe.user',
      domain: 'acme.com',
      email: 'joe.user@acme.com',
    });
  });

  it('an LDAP distinguished name', () => {
    const expected = { localName: 'joe.user', domain: 'acme-inc.com', email: 'joe.user@acme-inc.com' };
    const dn = 'uid=joe.user,ou=HelpDesk,dc=acme-inc,dc=com';
    assert.deepEqual(parseConsoleUser({ username: dn }), expected);
    assert.deepEqual(parseConsoleUser({ username: 'joe.user', distinguishedName: dn }), expected);
  });
});

describe('parseConsoleUser: edge cases', () => {
  it('lowercases and trims', () => {
    assert.deepEqual(parseConsoleUser({ username: '  Joe.User@ACME.Com \t' }), {
      localName: 'joe.user',
      domain: 'acme.com',
      email: 'joe.user@acme.com',
    });
    assert.deepEqual(parseConsoleUser({ username: ' ACME-Corp\\JOE_User ' }), {
      localName: 'joe_user',
      domain: 'acme-corp',
      email: null,
    });
  });

  it('DOMAIN\\user with a DNS domain gives the domain but no e-mail', () => {
    assert.deepEqual(parseConsoleUser({ username: 'acme.com\\joe' }), {
      localName: 'joe',
      domain: 'acme.com',
      email: null,
    });
  });

  it('a UPN with a single-label suffix has a domain but no e-mail', () => {
    assert.deepEqual(parseConsoleUser({ username: 'joe@acme' }), {
      localName: 'joe',
      domain: 'acme',
      email: null,
    });
  });

  it('DNs with cn= or sAMAccountName=, any attribute case, spaces around separators', () => {
    assert.deepEqual(parseConsoleUser({ username: 'CN = Joe.User , OU=Help Desk, DC=Acme, DC=Com' }), {
      localName: 'joe.user',
      domain: 'acme.com',
      email: 'joe.user@acme.com',
    });
    assert.deepEqual(
      parseConsoleUser({ username: 'sAMAccountName=jdoe;OU=Staff;dc=corp;dc=example;dc=org' }),
      {
        localName: 'jdoe',
        domain: 'corp.example.org',
        email: 'jdoe@corp.example.org',
      },
    );
    assert.deepEqual(parseConsoleUser({ username: 'SAMACCOUNTNAME=JDoe,DC=acme,DC=com' }).localName, 'jdoe');
  });

  it('DN escapes: \\, in later RDNs, hex pairs, escaped specials, quoted values, multi-valued RDNs', () => {
    assert.equal(
      parseConsoleUser({ username: 'uid=joe.user,ou=Help\\, Desk,ou="Tier 1, EMEA",dc=acme,dc=com' }).domain,
      'acme.com',
    );
    assert.deepEqual(parseConsoleUser({ username: 'uid=j\\C3\\A9r\\c3\\b4me,dc=acme,dc=fr' }), {
      localName: 'jérôme',
      domain: 'acme.fr',
      email: 'jérôme@acme.fr',
    });
    assert.equal(parseConsoleUser({ username: 'uid=a\\+b\\=c,dc=acme,dc=com' }).localName, 'a+b=c');
    assert.equal(parseConsoleUser({ username: 'uid=a\\2Bb,dc=acme,dc=com' }).localName, 'a+b');
    assert.equal(parseConsoleUser({ username: 'uid="joe.user",dc=acme,dc=com' }).localName, 'joe.user');
    assert.deepEqual(parseConsoleUser({ username: 'uid=joe+cn=Joe User,ou=x,dc=acme,dc=com' }), {
      localName: 'joe',
      domain: 'acme.com',
      email: 'joe@acme.com',
    });
  });

  it('a DN without dc= parts has no domain; a single dc= gives a domain but no e-mail', () => {
    assert.deepEqual(parseConsoleUser({ username: 'uid=joe,ou=people,o=Acme' }), {
      localName: 'joe',
      domain: null,
      email: null,
    });
    assert.deepEqual(parseConsoleUser({ username: 'uid=joe,dc=acme' }), {
      localName: 'joe',
      domain: 'acme',
      email: null,
    });
  });

  it('reads a name that starts like a user DN as a DN, not as a local name containing =', () => {
    assert.deepEqual(parseConsoleUser({ username: 'Cn=a' }), { localName: 'a', domain: null, email: null });
    assert.deepEqual(parseConsoleUser({ username: 'uid=joe' }), {
      localName: 'joe',
      domain: null,
      email: null,
    });
    // `=` elsewhere stays part of the name.
    assert.deepEqual(parseConsoleUser({ username: 'ab=c' }), {
      localName: 'ab=c',
      domain: null,
      email: null,
    });
  });

  it('a DN whose cn is a UPN names the UPN’s local part', () => {
    assert.deepEqual(parseConsoleUser({ username: 'cn=joe.user@acme.com,ou=Users,dc=acme,dc=com' }), {
      localName: 'joe.user',
      domain: 'acme.com',
      email: 'joe.user@acme.com',
    });
  });

  it('with username and DN, the DN’s domain fills a missing domain only', () => {
    const dn = 'CN=Doe\\, Joe,OU=HelpDesk,DC=acme-inc,DC=com';
    assert.deepEqual(parseConsoleUser({ username: 'Joe.User', distinguishedName: dn }), {
      localName: 'joe.user',
      domain: 'acme-inc.com',
      email: 'joe.user@acme-inc.com',
    });
    assert.deepEqual(parseConsoleUser({ username: 'ACME\\joe.user', distinguishedName: dn }), {
      localName: 'joe.user',
      domain: 'acme',
      email: null,
    });
    assert.deepEqual(parseConsoleUser({ username: 'joe.user@acme.com', distinguishedName: dn }), {
      localName: 'joe.user',
      domain: 'acme.com',
      email: 'joe.user@acme.com',
    });
    assert.deepEqual(parseConsoleUser({ username: 'joe.user', distinguishedName: 'uid=x,o=Acme' }), {
      localName: 'joe.user',
      domain: null,
      email: null,
    });
  });

  it('rejects garbage usernames, naming the field', () => {
    const garbage = [
      '',
      '   ',
      'joe user',
      'joe\tuser',
      'joe,user',
      'joe"user',
      'a\\b\\c',
      '\\joe',
      'ACME\\',
      'ACME\\joe@acme.com',
      'joe@',
      '@acme.com',
      'joe@acme@com',
      'joe@-acme.com',
      'joe@acme..com',
      'joe@acme_inc.com',
      'joe..user',
      '.joe',
      'joe.',
      'x'.repeat(65),
      `joe@${'a'.repeat(64)}.com`,
      'VERYLONGNETBIOSNAME\\joe',
      'AC ME\\joe',
      'x'.repeat(257),
      // DNs in the username field
      'uid=joe,dc=acme,',
      'uid=joe,ou',
      'uid=joe\\',
      'uid="joe,dc=acme',
      'uid=#04024869,dc=acme',
      'uid=joe,dc=ac me',
      'uid=\\ff,dc=acme',
      'uid=,dc=acme,dc=com',
      'cn=Joe User,dc=acme,dc=com',
      'uid=jo"e,dc=acme',
      'uid=joe,d c=acme',
    ];
    for (const username of garbage) rejects({ username }, 'username');
  });

  it('rejects a garbage DN, naming distinguishedName', () => {
    for (const distinguishedName of ['', 'not a dn', 'uid=joe,', 'uid=joe,dc=-acme,dc=com', 'uid=joe\\']) {
      rejects({ username: 'joe', distinguishedName }, 'distinguishedName');
    }
    // A bad username is reported first.
    rejects({ username: 'joe user', distinguishedName: 'not a dn' }, 'username');
  });
});

describe('candidateEmails', () => {
  const tenantDomains = ['acme.com', 'ACME-inc.com', '@acme.com', '', 'not a domain'];

  it('lists the e-mail, then localName@domain, then each tenant domain, without duplicates', () => {
    assert.deepEqual(candidateEmails(parseConsoleUser({ username: 'joe.user@acme.com' }), tenantDomains), [
      'joe.user@acme.com',
      'joe.user@acme-inc.com',
    ]);
    assert.deepEqual(
      candidateEmails(parseConsoleUser({ username: 'uid=joe.user,dc=eu,dc=acme,dc=com' }), tenantDomains),
      ['joe.user@eu.acme.com', 'joe.user@acme.com', 'joe.user@acme-inc.com'],
    );
  });

  it('uses a DNS domain without an e-mail, but not a NetBIOS one', () => {
    assert.deepEqual(candidateEmails(parseConsoleUser({ username: 'corp.example\\joe' }), ['acme.com']), [
      'joe@corp.example',
      'joe@acme.com',
    ]);
    assert.deepEqual(candidateEmails(parseConsoleUser({ username: 'ACME\\joe.user' }), tenantDomains), [
      'joe.user@acme.com',
      'joe.user@acme-inc.com',
    ]);
  });

  it('falls back to the tenant domains alone for a bare name, and may be empty', () => {
    assert.deepEqual(candidateEmails(parseConsoleUser({ username: 'Joe.User' }), tenantDomains), [
      'joe.user@acme.com',
      'joe.user@acme-inc.com',
    ]);
    assert.deepEqual(candidateEmails(parseConsoleUser({ username: 'joe.user' }), []), []);
  });

  it('keeps a given identity’s e-mail first', () => {
    const identity: ConsoleUserIdentity = { localName: 'joe', domain: 'acme', email: 'Joe@Other.example' };
    assert.deepEqual(candidateEmails(identity, ['acme.com']), ['joe@other.example', 'joe@acme.com']);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: any user name and domain, written in each of the four forms, parses back.

const atomChars = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ..."!#$%&'*+/=?^_`{|}~-",
  ...'éÉüÜñÑжЖ',
];
const atom = fc.string({ unit: fc.constantFrom(...atomChars), minLength: 1, maxLength: 12 });
const localNameArbitrary = fc
  .array(atom, { minLength: 1, maxLength: 4 })
  .map((atoms) => atoms.join('.'))
  // `=` is legal in a local name, but a name that starts like a DN naming a user (`cn=a`) is read
  // as a DN by design; that case has its own example test.
  .filter((name) => name.length <= 64 && !/^(?:uid|userid|cn|samaccountname)=/i.test(name));
const alnum = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const dnsLabel = fc
  .tuple(
    fc.constantFrom(...alnum),
    fc.string({ unit: fc.constantFrom(...alnum, '-'), maxLength: 10 }),
    fc.constantFrom(...alnum),
  )
  .map(([first, middle, last]) => `${first}${middle}${last}`);
const dnsDomainArbitrary = fc.array(dnsLabel, { minLength: 2, maxLength: 4 });
const netbiosArbitrary = fc
  .tuple(fc.constantFrom(...alnum), fc.string({ unit: fc.constantFrom(...alnum, '-', '_'), maxLength: 14 }))
  .map(([first, rest]) => `${first}${rest}`);

/** RFC 4514 escaping of an attribute value, with specials escaped as `\c` or `\XX`, or everything as hex. */
function escapeDnValue(value: string, style: 'minimal' | 'hex-specials' | 'hex-all'): string {
  const hex = (c: string) =>
    [...Buffer.from(c, 'utf8')].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
  const chars = [...value];
  return chars
    .map((c, index) => {
      if (style === 'hex-all') return hex(c);
      const special =
        '"+,;<>\\'.includes(c) ||
        (index === 0 && (c === '#' || c === ' ')) ||
        (index === chars.length - 1 && c === ' ');
      if (!special) return c;
      return style === 'minimal' ? `\\${c}` : hex(c);
    })
    .join('');
}

const caseOf = (text: string, upper: boolean) => (upper ? text.toUpperCase() : text);
const separatorArbitrary = fc.constantFrom(',', ', ', ' , ', ';');

describe('parseConsoleUser: property', () => {
  it('parses each of the four forms of any name and domain back to the same name and domain', () => {
    fc.assert(
      fc.property(
        localNameArbitrary,
        dnsDomainArbitrary,
        netbiosArbitrary,
        fc.record({
          attribute: fc.constantFrom('uid', 'UID', 'cn', 'CN', 'sAMAccountName', 'samaccountname', 'userid'),
          upperDc: fc.boolean(),
          separator: separatorArbitrary,
          escape: fc.constantFrom('minimal' as const, 'hex-specials' as const, 'hex-all' as const),
          ou: fc.string({ unit: fc.constantFrom(...alnum, ' ', ',', '+', '\\', '"', 'é'), minLength: 1 }),
          padding: fc.constantFrom('', ' ', '  \t'),
        }),
        (localName, labels, netbios, dn) => {
          const name = localName.toLowerCase();
          const domain = labels.join('.');
          const lower = domain.toLowerCase();

          const bare = parseConsoleUser({ username: `${dn.padding}${localName}${dn.padding}` });
          assert.deepEqual(bare, { localName: name, domain: null, email: null });

          const downLevel = parseConsoleUser({ username: `${netbios}\\${localName}` });
          assert.deepEqual(downLevel, { localName: name, domain: netbios.toLowerCase(), email: null });
          const downLevelDns = parseConsoleUser({ username: `${domain}\\${localName}` });
          assert.deepEqual(downLevelDns, { localName: name, domain: lower, email: null });

          const upn = parseConsoleUser({ username: `${localName}@${domain}` });
          assert.deepEqual(upn, { localName: name, domain: lower, email: `${name}@${lower}` });

          const distinguishedName = [
            `${dn.attribute}=${escapeDnValue(localName, dn.escape)}`,
            `ou=${escapeDnValue(dn.ou, dn.escape)}`,
            ...labels.map((label) => `${caseOf('dc', dn.upperDc)}=${label}`),
          ].join(dn.separator);
          const expected = { localName: name, domain: lower, email: `${name}@${lower}` };
          assert.deepEqual(parseConsoleUser({ username: distinguishedName }), expected);
          assert.deepEqual(parseConsoleUser({ username: localName, distinguishedName }), expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
