import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { requireSecret } from '../../src/config/secrets.js';

const minimal = {
  directory: { type: 'ldap', url: 'ldaps://dc01.corp.example.com', bindDn: 'svc@corp', baseDn: 'DC=corp' },
  cloud: { tenantId: 't', clientId: 'c' },
};

describe('config', () => {
  it('fills defaults and resolves relative paths against the file', () => {
    const cfg = parseConfig({ ...minimal, directory: { ...minimal.directory, caFile: 'ca.pem' }, state: { path: 'state.db' } }, 'x.json', '/etc/hps');
    assert.equal(cfg.directory.type === 'ldap' && cfg.directory.caFile, '/etc/hps/ca.pem');
    assert.equal(cfg.state.path, '/etc/hps/state.db');
    assert.equal(cfg.cloud.maxInFlight, 4);
    assert.equal(cfg.reconcile.allowDelete, false);
    assert.equal(cfg.reconcile.deleteThreshold, 500);
    assert.deepEqual(cfg.matching.order, ['immutableId', 'userPrincipalName', 'mail']);
    assert.equal(cfg.routing.defaultRoute, 'graph');
  });

  it('names every bad field, and refuses unknown keys', () => {
    assert.throws(
      () => parseConfig({ ...minimal, cloud: { tenantId: 't' }, directory: { ...minimal.directory, url: 'http://dc' }, colud: {} }, 'x.json', '/'),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /^x\.json is not valid:/);
        assert.match(err.message, /cloud\.clientId/);
        assert.match(err.message, /directory\.url: must start with ldaps:\/\//);
        assert.match(err.message, /colud/);
        return true;
      },
    );
  });

  it('says how to fix a missing file and broken JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hps-cfg-'));
    await assert.rejects(loadConfig(join(dir, 'nope.json')), /cannot read config .*nope\.json: it does not exist \(create it, or pass --config FILE/);
    await writeFile(join(dir, 'bad.json'), '{ "directory": ');
    await assert.rejects(loadConfig(join(dir, 'bad.json')), /bad\.json is not valid JSON/);
  });

  it('reads secrets only from the named environment variable and never echoes them', () => {
    assert.equal(requireSecret({ HPS_CLIENT_SECRET: 's3cret' }, 'HPS_CLIENT_SECRET', 'the client secret'), 's3cret');
    assert.throws(() => requireSecret({}, 'HPS_CLIENT_SECRET', 'the client secret'), /the client secret is not set: put it in the environment variable HPS_CLIENT_SECRET/);
  });
});

describe('config: exchange section', () => {
  it('wants both credential variables or neither', () => {
    assert.throws(() => parseConfig({ ...minimal, exchange: { mode: 'legacy', usernameEnv: 'EXO_USER' } }, 'x.json', '/'), /exchange\.usernameEnv: give both usernameEnv and passwordEnv, or neither/);
    const ok = parseConfig({ ...minimal, exchange: { mode: 'legacy', usernameEnv: 'U', passwordEnv: 'P' } }, 'x.json', '/');
    assert.equal(ok.exchange?.timeoutSeconds, 120);
  });
});
