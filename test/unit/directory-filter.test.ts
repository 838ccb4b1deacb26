import assert from 'node:assert/strict';
import {
  AndFilter,
  BerWriter,
  EqualityFilter,
  ExtensibleFilter,
  FilterParser,
  GreaterThanEqualsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
  type Filter,
} from 'ldapts';
import { DirectoryConfigError, FilterSyntaxError } from '../../src/directory/errors.js';
import {
  DEFAULT_USER_FILTER,
  buildUserFilter,
  escapeFilterValue,
  parseFilter,
  selectorFilter,
} from '../../src/directory/filter.js';

/** The BER bytes a filter puts on the wire. */
function wire(f: Filter): Buffer {
  const w = new BerWriter();
  f.write(w);
  return w.buffer;
}

const GUID_BYTES = Buffer.from([0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
const GUID_STRING = '00112233-4455-6677-8899-aabbccddeeff';

describe('directory filter: escapeFilterValue (RFC 4515 §3, §4 vectors)', () => {
  const vectors: Array<[string, string | Buffer, string]> = [
    ['parentheses', 'Parens R Us (for all your parenthetical needs)', 'Parens R Us \\28for all your parenthetical needs\\29'],
    ['asterisk', '*', '\\2a'],
    ['backslash', 'C:\\MyFile', 'C:\\5cMyFile'],
    ['NUL in text', 'a\u0000b', 'a\\00b'],
    ['binary bytes', Buffer.from([0, 0, 0, 4]), '\\00\\00\\00\\04'],
    ['non-ASCII as UTF-8 bytes', 'Lu\u010di\u0107', 'Lu\\c4\\8di\\c4\\87'],
    ['astral character (4 UTF-8 bytes)', 'x\u{1F600}', 'x\\f0\\9f\\98\\80'],
    ['all specials together', '*()\\\u0000', '\\2a\\28\\29\\5c\\00'],
    ['filter operators are not special inside a value', 'a=b&c|d!e~f<g>h', 'a=b&c|d!e~f<g>h'],
    ['empty', '', ''],
  ];
  for (const [name, input, expected] of vectors) {
    it(name, () => assert.equal(escapeFilterValue(input), expected));
  }

  it('produces plain ASCII that our parser decodes back to the exact UTF-8 bytes', () => {
    const tricky = ['Müller (Sales)*', 'O\'Brien\\Admin', 'Łukasz Żółć', '李小龍', 'tab\there', '\u0000lead', 'émoji 😀*'];
    for (const s of tricky) {
      const escaped = escapeFilterValue(s);
      assert.ok([...escaped].every((c) => c.charCodeAt(0) > 0 && c.charCodeAt(0) < 0x80), `not ASCII-only: ${escaped}`);
      const f = parseFilter(`(cn=${escaped})`);
      assert.ok(f instanceof EqualityFilter);
      assert.deepEqual(f.value, Buffer.from(s, 'utf8'), s);
    }
  });
});

describe('directory filter: parseFilter', () => {
  it('parses the RFC 4515 §4 examples into the right filter kinds', () => {
    const and = parseFilter('(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))');
    assert.ok(and instanceof AndFilter);
    assert.equal(and.filters.length, 2);
    const or = and.filters[1];
    assert.ok(or instanceof OrFilter);
    const sub = or.filters[1];
    assert.ok(sub instanceof SubstringFilter);
    assert.equal(sub.initial, 'Babs J');
    assert.equal(sub.final, '');

    const not = parseFilter('(!(cn=Tim Howes))');
    assert.ok(not instanceof NotFilter);

    const many = parseFilter('(o=univ*of*mich*)');
    assert.ok(many instanceof SubstringFilter);
    assert.deepEqual([many.initial, many.any, many.final], ['univ', ['of', 'mich'], '']);

    const empty = parseFilter('(seeAlso=)');
    assert.ok(empty instanceof EqualityFilter);
    assert.equal(empty.value.length, 0);

    const ext = parseFilter('(sn:dn:2.4.6.8.10:=Barney Rubble)');
    assert.ok(ext instanceof ExtensibleFilter);
    assert.deepEqual([ext.matchType, ext.rule, ext.dnAttributes, ext.value], ['sn', '2.4.6.8.10', true, 'Barney Rubble']);

    const ruleOnly = parseFilter('(:DN:2.4.6.8.10:=Dino)');
    assert.ok(ruleOnly instanceof ExtensibleFilter);
    assert.deepEqual([ruleOnly.matchType, ruleOnly.rule, ruleOnly.dnAttributes], ['', '2.4.6.8.10', true]);

    const named = parseFilter('(cn:caseExactMatch:=Fred Flintstone)');
    assert.ok(named instanceof ExtensibleFilter);
    assert.equal(named.rule, 'caseExactMatch');

    const present = parseFilter('(mail=*)');
    assert.ok(present instanceof PresenceFilter);
    assert.equal(present.attribute, 'mail');

    const ge = parseFilter('(uSNChanged>=12346)');
    assert.ok(ge instanceof GreaterThanEqualsFilter);
    assert.equal(ge.value, '12346');

    assert.ok(parseFilter('objectClass=user') instanceof EqualityFilter, 'outer parentheses are optional');
  });

  it('decodes the RFC escape examples to bytes', () => {
    const paren = parseFilter('(o=Parens R Us \\28for all your parenthetical needs\\29)');
    assert.ok(paren instanceof EqualityFilter);
    assert.equal(paren.value.toString(), 'Parens R Us (for all your parenthetical needs)');
    const star = parseFilter('(cn=*\\2A*)');
    assert.ok(star instanceof SubstringFilter);
    assert.deepEqual(star.any, ['*']);
    const bin = parseFilter('(bin=\\00\\00\\00\\04)');
    assert.ok(bin instanceof EqualityFilter);
    assert.deepEqual(bin.value, Buffer.from([0, 0, 0, 4]));
    const upper = parseFilter('(sn=Lu\\C4\\8Di\\C4\\87)');
    assert.ok(upper instanceof EqualityFilter);
    assert.equal(upper.value.toString('utf8'), 'Lu\u010di\u0107');
  });

  it('puts an escaped objectGUID on the wire byte for byte (ldapts\' own parser would not)', () => {
    const text = `(objectGUID=${escapeFilterValue(GUID_BYTES)})`;
    const ours = wire(parseFilter(text));
    assert.ok(ours.includes(GUID_BYTES), 'the 16 GUID bytes appear verbatim in the BER');
    // The reason we parse ourselves: ldapts maps \xx to one UTF-16 unit and re-encodes as UTF-8.
    const theirs = wire(FilterParser.parseString(text));
    assert.ok(!theirs.includes(GUID_BYTES));
  });

  it('rejects malformed filters with the offset', () => {
    const bad = ['(cn=a(b)', '(cn=\\zz)', '(cn=a', '(&(cn=a)', '(cn=a)x', '(=a)', '(cn>=\\ff)', '(cn=a**b)', '(cn~a)', '(cn:=x', '(:=x)'];
    for (const b of bad) {
      assert.throws(() => parseFilter(b), (err: unknown) => {
        assert.ok(err instanceof FilterSyntaxError, `${b}: ${String(err)}`);
        assert.ok(err instanceof DirectoryConfigError);
        assert.ok(err.position >= 0 && err.position <= b.length + 2, `${b}: position ${err.position}`);
        return true;
      }, b);
    }
  });
});

describe('directory filter: buildUserFilter', () => {
  it('is the default user filter when nothing else is asked for', () => {
    assert.equal(buildUserFilter({}), DEFAULT_USER_FILTER);
    assert.equal(buildUserFilter({ filter: 'objectClass=inetOrgPerson' }), '(objectClass=inetOrgPerson)');
  });

  it('adds nested group membership with the DN escaped, and parses back to the exact DN', () => {
    const groupDn = 'CN=Photo Sync (Pilot),OU=Gr\u00fcppen,DC=corp,DC=example,DC=test';
    const text = buildUserFilter({ groupDn });
    assert.equal(
      text,
      `(&${DEFAULT_USER_FILTER}(memberOf:1.2.840.113556.1.4.1941:=CN=Photo Sync \\28Pilot\\29,OU=Gr\\c3\\bcppen,DC=corp,DC=example,DC=test))`,
    );
    const f = parseFilter(text);
    assert.ok(f instanceof AndFilter);
    const ext = f.filters[1];
    assert.ok(ext instanceof ExtensibleFilter);
    assert.equal(ext.value, groupDn);
    assert.equal(ext.rule, '1.2.840.113556.1.4.1941');
    assert.equal(buildUserFilter({ groupDn: 'CN=G,DC=x', nestedGroups: false }), `(&${DEFAULT_USER_FILTER}(memberOf=CN=G,DC=x))`);
  });

  it('asks for changes after the mark: uSNChanged >= usn + 1', () => {
    const text = buildUserFilter({ since: { invocationId: GUID_STRING, usn: 9007199254740993n } });
    assert.equal(text, `(&${DEFAULT_USER_FILTER}(uSNChanged>=9007199254740994))`);
  });

  it('picks one user by each identifier, escaping the value', () => {
    assert.equal(selectorFilter({ by: 'sAMAccountName', value: 'a*b(c)' }), '(sAMAccountName=a\\2ab\\28c\\29)');
    assert.equal(selectorFilter({ by: 'userPrincipalName', value: ' j\u00f6rg@corp.example.test ' }), '(userPrincipalName=j\\c3\\b6rg@corp.example.test)');
    assert.equal(selectorFilter({ by: 'mail', value: 'x@y.test' }), '(mail=x@y.test)');
    const escapedGuid = Array.from(GUID_BYTES, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
    assert.equal(selectorFilter({ by: 'objectGuid', value: GUID_STRING }), `(objectGUID=${escapedGuid})`);
    assert.equal(selectorFilter({ by: 'objectGuid', value: `{${GUID_STRING.toUpperCase()}}` }), `(objectGUID=${escapedGuid})`);
    assert.equal(selectorFilter({ by: 'objectGuid', value: GUID_BYTES.toString('base64') }), `(objectGUID=${escapedGuid})`, 'immutableId works too');
    assert.throws(() => selectorFilter({ by: 'objectGuid', value: 'not-a-guid' }), DirectoryConfigError);
    const all = buildUserFilter({ only: { by: 'objectGuid', value: GUID_STRING } });
    const f = parseFilter(all);
    assert.ok(f instanceof AndFilter);
    const eq = f.filters[1];
    assert.ok(eq instanceof EqualityFilter);
    assert.deepEqual(eq.value, GUID_BYTES);
  });
});
