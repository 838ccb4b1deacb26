import assert from 'node:assert/strict';
import { createPowerShellRunner, extractResult } from '../../src/powershell/runner.js';
import { createExchangeWriter } from '../../src/powershell/exchange-writer.js';
import { ExchangeConfigError, PowerShellNotFoundError } from '../../src/powershell/errors.js';

describe('powershell/runner', () => {
  it('takes the last result line from mixed output', () => {
    const out = 'WARNING: noise\n{"hpsResult":1,"ok":false}\nmore noise\n  {"hpsResult":1,"ok":true,"items":[]}\r\n\n';
    assert.deepEqual(extractResult(out), { hpsResult: 1, ok: true, items: [] });
    assert.equal(extractResult('{"other":1}\nplain text'), undefined);
    assert.throws(() => extractResult('{"hpsResult":1,'), SyntaxError);
  });

  it('gives PowerShellNotFoundError, not a crash, when the executable is missing', async () => {
    const runner = createPowerShellRunner({ executable: '/nonexistent/hps-test/pwsh' });
    try {
      await assert.rejects(runner.runScript('/tmp/none.ps1', '/tmp/none.json'), (err: unknown) => {
        assert.ok(err instanceof PowerShellNotFoundError);
        assert.match(err.message, /\/nonexistent\/hps-test\/pwsh/);
        return true;
      });
      // The runner stays usable for a clear answer on the next call too.
      await assert.rejects(runner.start(), PowerShellNotFoundError);
      assert.equal(runner.generation, 0);
    } finally {
      await runner.dispose();
    }
  });

  it('lets the Exchange writer throw PowerShellNotFoundError (it cannot work at all)', async () => {
    const runner = createPowerShellRunner({ executable: '/nonexistent/hps-test/pwsh' });
    const writer = createExchangeWriter({ runner, mode: 'onprem', connectionUri: 'http://exch01.stub.invalid/PowerShell/' });
    try {
      await assert.rejects(writer.setPhotos([{ key: 'k1', identity: 'a@b.test', jpeg: Buffer.from([0xff, 0xd8, 0xff]) }]), PowerShellNotFoundError);
    } finally {
      await writer.close();
      await runner.dispose();
    }
  });

  it('checks writer configuration up front', () => {
    const runner = createPowerShellRunner({ executable: '/nonexistent/hps-test/pwsh' });
    assert.throws(() => createExchangeWriter({ runner, mode: 'onprem' }), ExchangeConfigError);
    assert.throws(() => createExchangeWriter({ runner, mode: 'legacy', connectionUri: 'nope' }), ExchangeConfigError);
    assert.throws(() => createExchangeWriter({ runner, mode: 'exo', organization: 'contoso.onmicrosoft.com' }), /appId/);
    const legacy = createExchangeWriter({ runner, mode: 'legacy', connectionUri: 'https://ps.stub.invalid/powershell-liveid/?a=1' });
    assert.equal(legacy.connectionUri, 'https://ps.stub.invalid/powershell-liveid/?a=1&proxyMethod=RPS');
    assert.equal(legacy.route, 'exchange-legacy');
    assert.equal(createExchangeWriter({ runner, mode: 'onprem', connectionUri: 'http://exch01.stub.invalid/PowerShell/' }).route, 'exchange-onprem');
    assert.equal(createExchangeWriter({ runner, mode: 'exo', organization: 'o', appId: 'a', certificateThumbprint: 't' }).route, 'exchange-legacy');
  });
});
