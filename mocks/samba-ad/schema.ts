/**
 * Schema extension for the test DC: msExchRecipientTypeDetails (Exchange's recipient type, a Large Integer)
 * as an optional attribute of `user`, so tests can mark users as on-prem (1) or remote (2147483648) mailboxes.
 * Needs `dsdb:schema update allowed = true` in smb.conf (set at provision time).
 */
import { Attribute, Change, type Client } from 'ldapts';
import { SambaSchemaError } from './errors.js';

export const RECIPIENT_TYPE_ATTRIBUTE = {
  cn: 'ms-Exch-Recipient-Type-Details',
  lDAPDisplayName: 'msExchRecipientTypeDetails',
  attributeID: '1.2.840.113556.1.4.7000.102.50',
  attributeSyntax: '2.5.5.16',
  oMSyntax: '65',
} as const;

async function schemaUpdateNow(client: Client): Promise<void> {
  await client.modify('', new Change({ operation: 'add', modification: new Attribute({ type: 'schemaUpdateNow', values: ['1'] }) }));
}

/** Adds msExchRecipientTypeDetails to the schema and to `user`'s mayContain; idempotent. */
export async function extendSchema(client: Client, baseDn: string): Promise<void> {
  const schemaDn = `CN=Schema,CN=Configuration,${baseDn}`;
  const a = RECIPIENT_TYPE_ATTRIBUTE;
  try {
    const existing = await client.search(schemaDn, { scope: 'one', filter: `(lDAPDisplayName=${a.lDAPDisplayName})`, attributes: ['cn'] });
    if (existing.searchEntries.length === 0) {
      await client.add(`CN=${a.cn},${schemaDn}`, {
        objectClass: ['top', 'attributeSchema'],
        cn: a.cn,
        attributeID: a.attributeID,
        attributeSyntax: a.attributeSyntax,
        oMSyntax: a.oMSyntax,
        isSingleValued: 'TRUE',
        lDAPDisplayName: a.lDAPDisplayName,
        adminDisplayName: a.cn,
        searchFlags: '0',
      });
      await schemaUpdateNow(client);
    }
    const user = await client.search(`CN=User,${schemaDn}`, { scope: 'base', attributes: ['mayContain'] });
    const mayContain = [user.searchEntries[0]?.['mayContain'] ?? []].flat().map(String);
    if (!mayContain.includes(a.lDAPDisplayName)) {
      await client.modify(
        `CN=User,${schemaDn}`,
        new Change({ operation: 'add', modification: new Attribute({ type: 'mayContain', values: [a.lDAPDisplayName] }) }),
      );
      await schemaUpdateNow(client);
    }
  } catch (err) {
    throw new SambaSchemaError(`could not add ${a.lDAPDisplayName} to the schema: ${(err as Error).message}`, { cause: err });
  }
}
