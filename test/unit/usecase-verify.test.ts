import assert from 'node:assert/strict';
import { createPhotoGenerator } from '../../mocks/fixtures/photos/generate.js';
import { comparePrints } from '../../src/photo/compare.js';
import { fingerprint } from '../../src/photo/fingerprint.js';
import { verifyCloudPhoto } from '../../src/usecases/verify.js';
import { classified, fakeReader } from '../support/fakes.js';

describe('fix read-back (verify)', function () {
  this.timeout(20_000);
  const gen = createPhotoGenerator();

  it('checks the cloud photo against the source perceptually, and says what it found', async () => {
    const [a, b] = await Promise.all([gen.photo(0, { size: 200 }), gen.photo(1, { size: 200 })]);
    const src = await fingerprint(a);
    const user = classified(1, { sourceSha256: src.sha256, sourcePhash: src.phash });
    const reader = (photo?: Buffer) => fakeReader([{ id: 'c1', userPrincipalName: 'u1@corp' }], new Map(photo ? [['c1', photo]] : []));
    const same = await verifyCloudPhoto(reader(a), user, 'photo', comparePrints);
    assert.equal(same.verified, true);
    assert.match(same.detail, /is the source picture \(distance 0\)/);
    const other = await verifyCloudPhoto(reader(b), user, 'photo', comparePrints);
    assert.deepEqual([other.verified, /does not match the source/.test(other.detail)], [false, true]);
    assert.equal((await verifyCloudPhoto(reader(), user, 'photo', comparePrints)).detail, 'the cloud has no photo after the write');
    assert.equal((await verifyCloudPhoto(reader(), user, 'none', comparePrints)).verified, true);
    assert.equal((await verifyCloudPhoto(reader(a), { ...user, cloudId: null }, 'photo', comparePrints)).detail, 'no cloud user to check');
  });
});
