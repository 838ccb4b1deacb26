import assert from 'node:assert/strict';
import { defaultAuditPath, defaultStateDir, defaultStatePath } from '../../src/state/paths.js';

describe('default state paths', () => {
  it('Windows: %LOCALAPPDATA%\\hybrid-photo-sync\\state.db', () => {
    const ctx = { platform: 'win32', env: { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, homedir: 'C:\\Users\\ann' };
    assert.equal(defaultStatePath(ctx), 'C:\\Users\\ann\\AppData\\Local\\hybrid-photo-sync\\state.db');
    assert.equal(defaultAuditPath(ctx), 'C:\\Users\\ann\\AppData\\Local\\hybrid-photo-sync\\audit.jsonl');
  });

  it('Windows without LOCALAPPDATA (or empty): <home>\\AppData\\Local', () => {
    for (const env of [{}, { LOCALAPPDATA: '' }]) {
      assert.equal(
        defaultStatePath({ platform: 'win32', env, homedir: 'C:\\Users\\svc-sync' }),
        'C:\\Users\\svc-sync\\AppData\\Local\\hybrid-photo-sync\\state.db',
      );
    }
  });

  it('macOS: ~/Library/Application Support/hybrid-photo-sync/state.db (XDG ignored)', () => {
    assert.equal(
      defaultStatePath({ platform: 'darwin', env: { XDG_STATE_HOME: '/x' }, homedir: '/Users/ann' }),
      '/Users/ann/Library/Application Support/hybrid-photo-sync/state.db',
    );
  });

  it('Linux: $XDG_STATE_HOME when absolute, else ~/.local/state', () => {
    assert.equal(defaultStatePath({ platform: 'linux', env: { XDG_STATE_HOME: '/var/lib/me' }, homedir: '/home/ann' }), '/var/lib/me/hybrid-photo-sync/state.db');
    assert.equal(defaultStatePath({ platform: 'linux', env: {}, homedir: '/home/ann' }), '/home/ann/.local/state/hybrid-photo-sync/state.db');
    assert.equal(defaultStatePath({ platform: 'linux', env: { XDG_STATE_HOME: 'relative/dir' }, homedir: '/home/ann' }), '/home/ann/.local/state/hybrid-photo-sync/state.db');
    assert.equal(defaultStateDir({ platform: 'linux', env: { XDG_STATE_HOME: '' }, homedir: '/home/ann' }), '/home/ann/.local/state/hybrid-photo-sync');
  });

  it('other Unixes follow the XDG rule', () => {
    assert.equal(defaultStatePath({ platform: 'freebsd', env: {}, homedir: '/home/ann' }), '/home/ann/.local/state/hybrid-photo-sync/state.db');
  });
});
