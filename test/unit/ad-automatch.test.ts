import assert from 'node:assert/strict';
import type { OnPremUser } from '../../src/model.js';
import { automatch, userLabel } from '../../src/sync/decide/automatch.js';
import { compileNamePattern, fold, PatternError } from '../../src/sync/decide/ad-pattern.js';

function user(sam: string, extra: Partial<OnPremUser> = {}): OnPremUser {
  return { dn: `CN=${sam},OU=Staff,DC=corp`, objectGuid: `guid-${sam}`, immutableId: '', sAMAccountName: sam, userPrincipalName: `${sam}@corp.example`, ...extra };
}

const labels = (us: OnPremUser[]): string[] => us.map((u) => u.sAMAccountName ?? '').sort();

describe('ad/pattern and ad/automatch', () => {
  it('folds case and accents, including letters NFKD keeps whole', () => {
    assert.equal(fold('ÉLODIE Ångström-Øster Straße Łukasz Æsir'), 'elodie angstrom-oster strasse lukasz aesir');
  });

  it('rejects patterns that cannot work, naming the problem', () => {
    assert.throws(() => compileNamePattern('photos/{sAMAccountName}.jpg'), PatternError);
    assert.throws(() => compileNamePattern('{firstName}.jpg'), /unknown token \{firstName\}.*\{givenName\}/);
    assert.throws(() => compileNamePattern('photo.jpg'), /needs a user token/);
    assert.throws(() => compileNamePattern('{sn.jpg'), /without "}"/);
  });

  it('matches {givenName}.{sn} across accents, umlaut spellings, case and name separators', () => {
    const users = [
      user('eboucher', { givenName: 'Élodie', sn: 'Boucher' }),
      user('jmuller', { givenName: 'Jürgen', sn: 'Müller' }),
      user('kmuller', { givenName: 'Käthe', sn: 'Müller' }),
      user('jlpicard', { givenName: 'Jean-Luc', sn: 'Picard' }),
      user('sobrien', { givenName: 'Seán', sn: "O'Brien" }),
    ];
    const files = ['elodie.boucher.jpg', 'JUERGEN.MUELLER.JPEG', 'Käthe.Muller.png', 'jeanluc.picard.jpg', 'Sean.OBrien.jpg', 'notes.txt'];
    const r = automatch(files, users, [compileNamePattern('{givenName}.{sn}.{ext}')]);
    assert.deepEqual(
      r.matched.map((m) => [m.file, m.user.sAMAccountName]),
      [['elodie.boucher.jpg', 'eboucher'], ['jeanluc.picard.jpg', 'jlpicard'], ['JUERGEN.MUELLER.JPEG', 'jmuller'], ['Käthe.Muller.png', 'kmuller'], ['Sean.OBrien.jpg', 'sobrien']].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
    );
    assert.deepEqual(r.ignoredFiles, ['notes.txt']);
    assert.deepEqual(r.filesWithoutUser, []);
  });

  it('lists all four outcomes, with several patterns, literal prefixes and suffixes', () => {
    const users = [
      user('jsmith', { employeeId: '004711', givenName: 'John', sn: 'Smith' }),
      user('asmith', { employeeId: '004712', givenName: 'Anna', sn: 'Berg' }),
      user('aberg2', { employeeId: '004713', givenName: 'Anna', sn: 'Berg' }),
      user('pnone', { employeeId: '004714' }),
      user('twofiles', { employeeId: '004715', displayName: 'Two Files' }),
    ];
    const patterns = ['{sAMAccountName}.{ext}', 'emp-{employeeID}_hr.{ext}', '{givenName}.{sn}.{ext}', '{displayName}.{ext}'].map(compileNamePattern);
    const files = ['JSmith.jpg', 'emp-004799_hr.jpg', 'anna.berg.jpg', 'emp-004715_hr.png', 'Two Files.jpg', 'stranger.png', 'emp-004711.jpg'];
    const r = automatch(files, users, patterns);
    assert.deepEqual(r.matched.map((m) => [m.file, m.user.sAMAccountName, m.patterns]), [['JSmith.jpg', 'jsmith', ['{sAMAccountName}.{ext}']]]);
    assert.deepEqual(r.filesWithoutUser, ['emp-004711.jpg', 'emp-004799_hr.jpg', 'stranger.png']);
    assert.deepEqual(labels(r.usersWithoutFile), ['pnone']);
    assert.deepEqual(r.ambiguousFiles.map((a) => [a.file, labels(a.users)]), [['anna.berg.jpg', ['aberg2', 'asmith']]]);
    assert.deepEqual(r.ambiguousUsers.map((a) => [userLabel(a.user), a.files]), [['twofiles@corp.example', ['Two Files.jpg', 'emp-004715_hr.png']]]);
  });

  it('treats a user without the token value as not matched by that pattern, and never matches a different name', () => {
    const r = automatch(['.jpg', 'ann.jpg', 'anna.jpg'], [user('ann'), user('x', { sAMAccountName: undefined })], [compileNamePattern('{sAMAccountName}.jpg')]);
    assert.deepEqual(r.matched.map((m) => m.file), ['ann.jpg']);
    assert.deepEqual(r.filesWithoutUser, ['anna.jpg']);
    assert.deepEqual(r.ignoredFiles, ['.jpg'], 'a hidden file with no name is not a photo');
  });
});
