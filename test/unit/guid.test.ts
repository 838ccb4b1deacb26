import assert from 'node:assert/strict';
import {
  InvalidGuidError,
  guidBytesToString,
  guidStringToBytes,
  guidToImmutableId,
  immutableIdToGuid,
} from '../../src/directory/guid.js';

/**
 * Published vectors (PowerShell `[Convert]::ToBase64String(([guid]$s).ToByteArray())`, i.e. the .NET
 * mixed-endian layout AD uses for objectGUID), not derived from the code under test.
 */
const VECTORS = [
  {
    guid: '8c4ac332-975f-4717-ad7b-ba4a4e968fff',
    octets: '32c34a8c5f971747ad7bba4a4e968fff',
    immutableId: 'MsNKjF+XF0ete7pKTpaP/w==',
  },
  { guid: '3ab39606-c642-489b-84b6-58c038d3ef39', immutableId: 'BpazOkLGm0iEtljAONPvOQ==' },
];

describe('directory/guid', () => {
  it('converts stored objectGUID bytes to the canonical string (first three groups little-endian)', () => {
    const bytes = Buffer.from('32c34a8c5f971747ad7bba4a4e968fff', 'hex');
    assert.equal(guidBytesToString(bytes), '8c4ac332-975f-4717-ad7b-ba4a4e968fff');
  });

  it('converts a canonical string to the stored bytes', () => {
    assert.equal(guidStringToBytes('8c4ac332-975f-4717-ad7b-ba4a4e968fff').toString('hex'), '32c34a8c5f971747ad7bba4a4e968fff');
    assert.equal(guidStringToBytes('{8C4AC332-975F-4717-AD7B-BA4A4E968FFF}').toString('hex'), '32c34a8c5f971747ad7bba4a4e968fff');
  });

  for (const v of VECTORS) {
    it(`matches the published immutableId for ${v.guid}`, () => {
      assert.equal(guidToImmutableId(v.guid), v.immutableId);
      assert.equal(immutableIdToGuid(v.immutableId), v.guid);
      const bytes = Buffer.from(v.immutableId, 'base64');
      assert.equal(guidToImmutableId(bytes), v.immutableId);
      assert.equal(guidBytesToString(bytes), v.guid);
      if (v.octets) assert.equal(bytes.toString('hex'), v.octets);
    });
  }

  it('is not the naive big-endian encoding', () => {
    // The naive encoding of the hex digits in string order gives a different (wrong) value.
    const naive = Buffer.from('6701fa1afb0f45a89356d302b2affbb1', 'hex').toString('base64');
    assert.equal(naive, 'ZwH6GvsPRaiTVtMCsq/7sQ==');
    assert.notEqual(guidToImmutableId('6701fa1a-fb0f-45a8-9356-d302b2affbb1'), naive);
    assert.equal(guidStringToBytes('6701fa1a-fb0f-45a8-9356-d302b2affbb1').subarray(0, 8).toString('hex'), '1afa01670ffba845');
  });

  it('round-trips random GUIDs', () => {
    for (let i = 0; i < 50; i++) {
      const bytes = Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256)));
      const s = guidBytesToString(bytes);
      assert.match(s, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.deepEqual(guidStringToBytes(s), bytes);
      assert.equal(immutableIdToGuid(guidToImmutableId(bytes)), s);
    }
  });

  it('rejects malformed input with InvalidGuidError', () => {
    assert.throws(() => guidBytesToString(Buffer.alloc(15)), InvalidGuidError);
    assert.throws(() => guidStringToBytes('8c4ac332-975f-4717-ad7b-ba4a4e968ff'), InvalidGuidError);
    assert.throws(() => guidStringToBytes('zc4ac332-975f-4717-ad7b-ba4a4e968fff'), InvalidGuidError);
    assert.throws(() => immutableIdToGuid('not base64!'), InvalidGuidError);
    assert.throws(() => immutableIdToGuid(Buffer.alloc(20).toString('base64')), InvalidGuidError);
    assert.throws(() => guidToImmutableId(Buffer.alloc(4)), InvalidGuidError);
  });
});
