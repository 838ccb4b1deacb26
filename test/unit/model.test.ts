import assert from 'node:assert/strict';
import { STATUSES, ACTIONS, ROUTES } from '../../src/model.js';

describe('model vocabulary', () => {
  it('has the statuses, actions and routes the sketch names', () => {
    assert.deepEqual([...STATUSES], ['in-sync', 'drifted', 'missing-in-cloud', 'missing-in-source', 'unmatched', 'blocked', 'error']);
    assert.deepEqual([...ACTIONS], ['set', 'delete', 'skip']);
    assert.deepEqual([...ROUTES], ['graph', 'exchange-onprem', 'exchange-legacy']);
  });
});
