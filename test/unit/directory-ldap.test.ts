import assert from 'node:assert/strict';
import type { ConnectionOptions } from 'node:tls';
import {
  AndFilter,
  EqualityFilter,
  GreaterThanEqualsFilter,
  InvalidCredentialsError,
  NoSuchObjectError,
  type ClientOptions,
  type Filter,
  type SearchOptions,
  type SearchResult,
} from 'ldapts';
import { DirectoryAuthError, DirectoryConfigError, DirectorySearchError, FilterSyntaxError } from '../../src/directory/errors.js';
import { openLdapSource, type LdapClientLike, type LdapConfig } from '../../src/directory/ldap.js';
import { collect } from '../support/json.js';

const GUID_BYTES = Buffer.from([0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
const INVOCATION = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const INVOCATION_ID = '67452301-ab89-efcd-0123-456789abcdef';
const DSA = 'CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=corp,DC=example,DC=test';

function entryFor(i: number): SearchResult['searchEntries'][number] {
  const guid = Buffer.from(GUID_BYTES);
  guid[15] = i;
  return { dn: `CN=U${i},DC=corp`, objectGUID: guid, sAMAccountName: `u${i}`, uSNChanged: String(1000 + i), thumbnailPhoto: Buffer.from([0xff, 0xd8, i]) };
}

/** A fake ldapts client: pages of `perPage` users, served lazily, everything recorded. */
class FakeClient implements LdapClientLike {
  readonly calls: string[] = [];
  readonly searches: Array<{ base: string; options: SearchOptions }> = [];
  pagesServed = 0;
  pagesFinished = false;
  bindError?: Error;
  searchError?: Error;
  startTlsOptions?: ConnectionOptions;

  constructor(
    readonly options: ClientOptions,
    private readonly total = 10,
    private readonly perPage = 3,
  ) {}

  async startTLS(options?: ConnectionOptions): Promise<void> {
    this.calls.push('startTLS');
    this.startTlsOptions = options;
  }
  async bind(dn: string, password?: string): Promise<void> {
    this.calls.push(`bind:${dn}:${password}`);
    if (this.bindError) throw this.bindError;
  }
  async search(base: string, options: SearchOptions = {}): Promise<SearchResult> {
    this.calls.push(`search:${base}`);
    if (base === '') return { searchEntries: [{ dn: '', highestCommittedUSN: '123456', dsServiceName: DSA }], searchReferences: [] };
    if (base === DSA) return { searchEntries: [{ dn: DSA, invocationId: INVOCATION }], searchReferences: [] };
    throw new Error(`unexpected search ${base} ${JSON.stringify(options.attributes)}`);
  }
  async *searchPaginated(base: string, options: SearchOptions = {}): AsyncGenerator<SearchResult> {
    this.searches.push({ base, options });
    try {
      for (let start = 0; start < this.total; start += this.perPage) {
        if (this.searchError) throw this.searchError;
        this.pagesServed += 1;
        const entries = [];
        for (let i = start; i < Math.min(this.total, start + this.perPage); i += 1) entries.push(entryFor(i));
        yield { searchEntries: entries, searchReferences: [] };
      }
    } finally {
      this.pagesFinished = true;
    }
  }
  async unbind(): Promise<void> {
    this.calls.push('unbind');
  }
}

const CONFIG: LdapConfig = {
  url: 'ldaps://dc1.corp.example.test',
  bindDn: 'svc-photos@corp.example.test',
  password: 's3cret',
  baseDn: 'DC=corp,DC=example,DC=test',
  pageSize: 3,
};

async function open(config: Partial<LdapConfig> = {}, fake?: (o: ClientOptions) => FakeClient) {
  const warnings: string[] = [];
  let client: FakeClient | undefined;
  const src = await openLdapSource(
    { ...CONFIG, ...config },
    {
      logger: { warn: (m) => warnings.push(m) },
      createClient: (o) => {
        client = fake ? fake(o) : new FakeClient(o);
        return client;
      },
      readFile: async (p) => {
        if (p === '/etc/ca.pem') return Buffer.from('PEM');
        throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
      },
    },
  );
  return { src, client: client as FakeClient, warnings };
}

function flatten(f: Filter | string | undefined): Filter[] {
  if (f === undefined || typeof f === 'string') return [];
  return f instanceof AndFilter ? f.filters.flatMap(flatten) : [f];
}

describe('directory LDAP source (fake client)', () => {
  it('checks the configuration before connecting', async () => {
    await assert.rejects(open({ url: 'ldap://dc1' }), (e: unknown) => e instanceof DirectoryConfigError && /unencrypted/.test(e.message));
    await assert.rejects(open({ url: 'ldaps://dc1', startTls: true }), DirectoryConfigError);
    await assert.rejects(open({ url: 'http://dc1' }), DirectoryConfigError);
    await assert.rejects(open({ pageSize: 0 }), DirectoryConfigError);
    await assert.rejects(open({ filter: '(cn=a(b)' }), FilterSyntaxError);
    await assert.rejects(open({ tls: { caFile: '/nope.pem' } }), (e: unknown) => e instanceof DirectoryConfigError && /CA file \/nope\.pem/.test(e.message));
  });

  it('verifies certificates by default, adds the CA file, and binds with the caller\'s password', async () => {
    const { client, warnings } = await open({ tls: { caFile: '/etc/ca.pem' }, timeouts: { connectMs: 1234, operationMs: 5678 } });
    assert.equal(client.options.tlsOptions?.rejectUnauthorized, true);
    assert.deepEqual(client.options.tlsOptions?.ca, [Buffer.from('PEM')]);
    assert.equal(client.options.connectTimeout, 1234);
    assert.equal(client.options.timeout, 5678);
    assert.deepEqual(client.calls, ['bind:svc-photos@corp.example.test:s3cret']);
    assert.deepEqual(warnings, []);
  });

  it('warns through the logger when verification is turned off', async () => {
    const { client, warnings } = await open({ tls: { rejectUnauthorized: false } });
    assert.equal(client.options.tlsOptions?.rejectUnauthorized, false);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /verification is OFF.*directory\.caFile/s);
  });

  it('does StartTLS on ldap:// with the TLS options, verifying against the URL\'s host', async () => {
    const { client } = await open({ url: 'ldap://dc1.corp.example.test:389', startTls: true, tls: { caFile: '/etc/ca.pem' } });
    assert.equal(client.options.tlsOptions, undefined, 'ldapts would go TLS-first if given tlsOptions on ldap://');
    assert.deepEqual(client.calls[0], 'startTLS');
    assert.equal(client.startTlsOptions?.host, 'dc1.corp.example.test');
    assert.equal(client.startTlsOptions?.rejectUnauthorized, true);
    assert.deepEqual(client.startTlsOptions?.ca, [Buffer.from('PEM')]);
  });

  it('turns a refused bind into DirectoryAuthError and unbinds', async () => {
    let made: FakeClient | undefined;
    const failing = (o: ClientOptions): FakeClient => {
      made = new FakeClient(o);
      made.bindError = new InvalidCredentialsError('80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563');
      return made;
    };
    await assert.rejects(open({}, failing), (e: unknown) => {
      assert.ok(e instanceof DirectoryAuthError);
      assert.equal(e.adCode, '52e');
      assert.match(e.message, /wrong user name or password/);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
    assert.deepEqual(made?.calls.at(-1), 'unbind');
  });

  it('searches the subtree in pages for the user attributes, binary ones as Buffers', async () => {
    const { src, client } = await open();
    const users = await collect(src.users());
    assert.equal(users.length, 10);
    assert.equal(users[9]?.sAMAccountName, 'u9');
    assert.deepEqual(users[9]?.photo?.bytes, Buffer.from([0xff, 0xd8, 9]));
    assert.equal(users[0]?.uSNChanged, 1000n);
    const { base, options } = client.searches[0] as { base: string; options: SearchOptions };
    assert.equal(base, CONFIG.baseDn);
    assert.equal(options.scope, 'sub');
    assert.deepEqual(options.paged, { pageSize: 3 });
    for (const a of ['objectGUID', 'thumbnailPhoto', 'jpegPhoto']) assert.ok(options.explicitBufferAttributes?.includes(a), a);
    for (const a of ['objectGUID', 'sAMAccountName', 'userPrincipalName', 'mail', 'displayName', 'employeeID', 'userAccountControl', 'uSNChanged', 'msExchRecipientTypeDetails']) {
      assert.ok(options.attributes?.includes(a), a);
    }
    assert.equal(client.pagesServed, 4);
  });

  it('asks only for the photo attributes photoOrder names', async () => {
    const { src, client } = await open({ photoOrder: ['thumbnailPhoto'] });
    await collect(src.users());
    const { options } = client.searches[0] as { options: SearchOptions };
    assert.ok(options.attributes?.includes('thumbnailPhoto'));
    assert.ok(!options.attributes?.includes('jpegPhoto'));
    const both = await open();
    await collect(both.src.users());
    assert.ok((both.client.searches[0] as { options: SearchOptions }).options.attributes?.includes('jpegPhoto'));
  });

  it('streams: the next page is fetched only when the consumer gets to it, and an early stop ends the search', async () => {
    const { src, client } = await open();
    let seen = 0;
    for await (const u of src.users()) {
      seen += 1;
      assert.equal(client.pagesServed, Math.ceil(seen / 3), `page count while at ${u.sAMAccountName}`);
      if (seen === 4) break;
    }
    assert.equal(client.pagesServed, 2);
    assert.equal(client.pagesFinished, true);
  });

  it('reports the DC\'s mark from rootDSE and its NTDS Settings invocationId', async () => {
    const { src, client } = await open();
    assert.deepEqual(await src.directoryMark(), { invocationId: INVOCATION_ID, usn: 123456n });
    assert.deepEqual(client.calls.slice(1), ['search:', `search:${DSA}`]);
  });

  it('adds uSNChanged >= usn + 1 for a mark from this DC, and reads everything (with a warning) for another DC\'s', async () => {
    const { src, client, warnings } = await open();
    await collect(src.users({ since: { invocationId: INVOCATION_ID.toUpperCase(), usn: 500n } }));
    const ge = flatten(client.searches[0]?.options.filter).find((f) => f instanceof GreaterThanEqualsFilter);
    assert.ok(ge instanceof GreaterThanEqualsFilter);
    assert.equal(ge.attribute, 'uSNChanged');
    assert.equal(ge.value, '501');
    assert.deepEqual(warnings, []);

    await collect(src.users({ since: { invocationId: '11111111-1111-1111-1111-111111111111', usn: 500n } }));
    assert.equal(flatten(client.searches[1]?.options.filter).some((f) => f instanceof GreaterThanEqualsFilter), false);
    assert.match(warnings[0] ?? '', /another DC database.*reading all users/);
  });

  it('looks one user up by objectGUID with the exact bytes', async () => {
    const { src, client } = await open();
    await collect(src.users({ only: { by: 'objectGuid', value: '00112233-4455-6677-8899-aabbccddeeff' } }));
    const eq = flatten(client.searches[0]?.options.filter).find((f) => f instanceof EqualityFilter && f.attribute === 'objectGUID');
    assert.ok(eq instanceof EqualityFilter);
    assert.deepEqual(eq.value, GUID_BYTES);
  });

  it('turns search failures into DirectorySearchError, naming a missing base DN; close is idempotent', async () => {
    const { src, client } = await open();
    client.searchError = new NoSuchObjectError('0000208D: NameErr: DSID-03100241, problem 2001 (NO_OBJECT)');
    await assert.rejects(collect(src.users()), (e: unknown) => e instanceof DirectorySearchError && /base DN DC=corp,DC=example,DC=test does not exist/.test(e.message));
    client.searchError = new Error('socket hang up');
    await assert.rejects(collect(src.users()), (e: unknown) => e instanceof DirectorySearchError && /socket hang up/.test(e.message));
    await src.close();
    await src.close();
    assert.equal(client.calls.filter((c) => c === 'unbind').length, 1);
  });
});
