/**
 * Builds the embedded demo that `hps demo` runs: an LDIF export of a small on-prem OU (as `ldapsearch -LLL`
 * writes it) and a Graph emulator tenant whose cloud photos cover every status the report knows.
 * Deterministic; the output is committed. Rebuild with: npx tsx mocks/demo/build.ts
 */
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { guidStringToBytes, guidToImmutableId } from '../../src/directory/guid.js';
import { distinctPhoto, realPhoto, type RealPhotoName } from '../fixtures/photos/generate.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEMO_TENANT_ID = '7d1c2b8e-5f3a-4c61-9e0d-2a4b6c8d0e1f';
export const DEMO_CLIENT_ID = '3f9a7c55-0b2e-4d8a-b6c1-5e7f9a1b3c5d';
/** Not a secret: the demo tenant is an emulator on 127.0.0.1 that exists only while `hps demo` runs. */
export const DEMO_CLIENT_SECRET = 'demo-only-secret';
const BASE_DN = 'OU=Staff,DC=corp,DC=example,DC=com';
const DOMAIN = 'corp.example.com';

type Photo = { real: RealPhotoName } | { distinct: number } | { corrupt: true };
interface DemoUser {
  sam: string;
  given: string;
  sn: string;
  title: string;
  thumbnail?: Photo;
  jpegPhoto?: Photo;
  /** Cloud side: absent = no cloud account. */
  cloud?: { photo?: Photo; placeholder?: boolean; anchor?: boolean; upn?: string };
  mailbox?: 'onprem' | 'cloud';
  note: string;
}

const USERS: DemoUser[] = [
  { sam: 'eileen.collins', given: 'Eileen', sn: 'Collins', title: 'Commander', thumbnail: { real: 'astronaut-eileen-collins.jpg' }, cloud: { photo: { real: 'astronaut-eileen-collins.jpg' } }, mailbox: 'cloud', note: 'in-sync: the cloud re-encoded and resized the same picture' },
  { sam: 'grace.hopper', given: 'Grace', sn: 'Hopper', title: 'Rear Admiral', thumbnail: { real: 'grace-hopper.jpg' }, cloud: { photo: { real: 'cameraman.jpg' } }, mailbox: 'cloud', note: 'drifted: someone set another picture in the cloud' },
  { sam: 'alan.turing', given: 'Alan', sn: 'Turing', title: 'Researcher', jpegPhoto: { real: 'cameraman.jpg' }, cloud: { photo: { real: 'cameraman.jpg' }, anchor: false }, mailbox: 'cloud', note: 'in-sync via jpegPhoto, matched by UPN (cloud user has no immutableId)' },
  { sam: 'katherine.johnson', given: 'Katherine', sn: 'Johnson', title: 'Mathematician', thumbnail: { distinct: 11 }, cloud: {}, mailbox: 'cloud', note: 'missing-in-cloud' },
  { sam: 'margaret.hamilton', given: 'Margaret', sn: 'Hamilton', title: 'Director', cloud: { photo: { real: 'raccoon.jpg' } }, mailbox: 'cloud', note: 'missing-in-source: only the cloud has a photo' },
  { sam: 'temp.contractor', given: 'Temp', sn: 'Contractor', title: 'Contractor', thumbnail: { distinct: 12 }, note: 'unmatched: no cloud account' },
  { sam: 'edsger.dijkstra', given: 'Edsger', sn: 'Dijkstra', title: 'Professor', thumbnail: { corrupt: true }, cloud: { photo: { distinct: 13 } }, mailbox: 'cloud', note: 'error: the thumbnailPhoto is a truncated JPEG' },
  { sam: 'barbara.liskov', given: 'Barbara', sn: 'Liskov', title: 'Professor', cloud: {}, mailbox: 'cloud', note: 'in-sync: no photo on either side' },
  { sam: 'donald.knuth', given: 'Donald', sn: 'Knuth', title: 'Professor', thumbnail: { distinct: 14 }, cloud: { photo: { distinct: 14 }, anchor: false, upn: 'dknuth@corpexample.onmicrosoft.com' }, mailbox: 'cloud', note: 'in-sync, matched by mail (different UPN in the cloud)' },
  { sam: 'frances.allen', given: 'Frances', sn: 'Allen', title: 'Fellow', thumbnail: { real: 'rocket.jpg' }, cloud: {}, mailbox: 'onprem', note: 'missing-in-cloud; mailbox on on-prem Exchange' },
  { sam: 'john.backus', given: 'John', sn: 'Backus', title: 'Engineer', thumbnail: { real: 'coffee.jpg' }, cloud: { placeholder: true }, mailbox: 'cloud', note: 'missing-in-cloud: the cloud serves only the 1x1 placeholder' },
  { sam: 'ada.lovelace', given: 'Ada', sn: 'Lovelace', title: 'Analyst', thumbnail: { distinct: 15 }, cloud: { photo: { distinct: 16 } }, mailbox: 'cloud', note: 'drifted' },
];

/** A deterministic objectGUID per account. */
function guidFor(sam: string): string {
  const h = createHash('sha256').update(`demo:${sam}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An on-prem thumbnail: what an admin would have put in AD (≤100 KB), square, 240 px. */
async function onPremBytes(p: Photo): Promise<Buffer> {
  if ('corrupt' in p) {
    const full = await sharp(realPhoto('chelsea-cat.jpg')).resize(200, 200).jpeg({ quality: 80 }).toBuffer();
    return full.subarray(0, Math.floor(full.length / 3));
  }
  const src = 'real' in p ? realPhoto(p.real) : await distinctPhoto(p.distinct, { size: 512 });
  return sharp(src).resize(240, 240, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer();
}

/** A cloud photo: what Microsoft 365 keeps after a push from an HR original (648 px, re-encoded). */
async function cloudBytes(p: Photo): Promise<Buffer> {
  const src = 'real' in p ? realPhoto(p.real) : 'distinct' in p ? await distinctPhoto(p.distinct, { size: 800 }) : Buffer.alloc(0);
  return sharp(src).resize(648, 648, { fit: 'cover' }).jpeg({ quality: 78 }).toBuffer();
}

/** LDIF value line, base64 (`::`) where needed, folded at 76 columns like ldapsearch. */
function ldifLine(attr: string, value: string | Buffer): string {
  const safe = typeof value === 'string' && /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value) && !value.endsWith(' ');
  const line = safe ? `${attr}: ${value}` : `${attr}:: ${Buffer.from(value).toString('base64')}`;
  const parts = [line.slice(0, 76)];
  for (let i = 76; i < line.length; i += 75) parts.push(` ${line.slice(i, i + 75)}`);
  return parts.join('\n');
}

export async function buildDemo(outDir: string = HERE): Promise<void> {
  const photosDir = join(outDir, 'cloud-photos');
  await rm(photosDir, { recursive: true, force: true });
  await mkdir(photosDir, { recursive: true });
  const ldif: string[] = ['# hybrid-photo-sync demo: an ldapsearch -LLL export of OU=Staff', 'version: 1', ''];
  const cloudUsers: Record<string, unknown>[] = [];
  for (const u of USERS) {
    const guid = guidFor(u.sam);
    const upn = `${u.sam}@${DOMAIN}`;
    const dn = `CN=${u.given} ${u.sn},${BASE_DN}`;
    const entry = [
      ldifLine('dn', dn), 'objectClass: top', 'objectClass: person', 'objectClass: organizationalPerson', 'objectClass: user',
      ldifLine('cn', `${u.given} ${u.sn}`), ldifLine('sAMAccountName', u.sam), ldifLine('userPrincipalName', upn),
      ldifLine('mail', upn), ldifLine('givenName', u.given), ldifLine('sn', u.sn), ldifLine('displayName', `${u.given} ${u.sn}`),
      ldifLine('title', u.title), ldifLine('objectGUID', guidStringToBytes(guid)), 'userAccountControl: 512',
    ];
    if (u.mailbox === 'onprem') entry.push('msExchRecipientTypeDetails: 1');
    if (u.mailbox === 'cloud') entry.push('msExchRecipientTypeDetails: 2147483648');
    if (u.thumbnail) entry.push(ldifLine('thumbnailPhoto', await onPremBytes(u.thumbnail)));
    if (u.jpegPhoto) entry.push(ldifLine('jpegPhoto', await onPremBytes(u.jpegPhoto)));
    ldif.push(`# ${u.note}`, ...entry, '');
    if (!u.cloud) continue;
    let photo: string | null = null;
    if (u.cloud.photo) {
      photo = `cloud-photos/${u.sam}.jpg`;
      await writeFile(join(outDir, photo), await cloudBytes(u.cloud.photo));
    }
    cloudUsers.push({
      userPrincipalName: u.cloud.upn ?? upn,
      mail: upn,
      displayName: `${u.given} ${u.sn}`,
      onPremisesImmutableId: u.cloud.anchor === false ? null : guidToImmutableId(guid),
      onPremisesSyncEnabled: true,
      photo,
      ...(u.cloud.placeholder ? { photoPlaceholder: true } : {}),
    });
  }
  const tenant = {
    tenantId: DEMO_TENANT_ID,
    clients: [{ clientId: DEMO_CLIENT_ID, secret: DEMO_CLIENT_SECRET, roles: ['User.Read.All', 'ProfilePhoto.ReadWrite.All', 'PeopleSettings.Read.All'] }],
    users: cloudUsers,
    photoUpdateSettings: { source: 'cloud' },
  };
  await writeFile(join(outDir, 'directory.ldif'), `${ldif.join('\n')}`);
  await writeFile(join(outDir, 'tenant.json'), `${JSON.stringify(tenant, null, 2)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDemo();
  console.log(`demo written to ${HERE}`);
}
