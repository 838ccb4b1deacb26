import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { executableCandidates, findPowerShell, probeExecutable } from '../../src/powershell/executable.js';
import { PowerShellNotFoundError } from '../../src/powershell/errors.js';

describe('powershell/executable', () => {
  it('uses only the configured executable when there is one', () => {
    assert.deepEqual(executableCandidates({ configured: '/opt/pwsh/pwsh', platform: 'linux', env: { PATH: '/usr/bin' }, home: '/home/a' }), ['/opt/pwsh/pwsh']);
  });

  it('tries pwsh on PATH, then ~/.dotnet/tools/pwsh, on Linux', () => {
    assert.deepEqual(executableCandidates({ platform: 'linux', env: { PATH: '/usr/local/bin:/usr/bin::' }, home: '/home/a' }), [
      '/usr/local/bin/pwsh',
      '/usr/bin/pwsh',
      '/home/a/.dotnet/tools/pwsh',
    ]);
  });

  it('tries pwsh.exe before powershell.exe on Windows', () => {
    const got = executableCandidates({ platform: 'win32', env: { Path: 'C:\\PS7;C:\\Windows\\System32', SystemRoot: 'C:\\Windows' }, home: 'C:\\Users\\a' });
    assert.deepEqual(got, [
      'C:\\PS7\\pwsh.exe',
      'C:\\Windows\\System32\\pwsh.exe',
      'C:\\Users\\a\\.dotnet\\tools\\pwsh.exe',
      'C:\\PS7\\powershell.exe',
      'C:\\Windows\\System32\\powershell.exe',
      'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    ]);
  });

  it('reports a missing executable from the probe instead of throwing', async () => {
    const res = await probeExecutable('/nonexistent/hps/pwsh');
    assert.ok('error' in res);
    assert.match(res.error, /not found|ENOENT/);
  });

  it('rejects an executable that runs but is not PowerShell', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hps-exe-'));
    try {
      const fake = path.join(dir, 'pwsh');
      await writeFile(fake, '#!/bin/sh\necho "I am not PowerShell" >&2\nexit 3\n');
      await chmod(fake, 0o755);
      const res = await probeExecutable(fake);
      assert.ok('error' in res);
      assert.match(res.error, /code 3.*not PowerShell/);
      await assert.rejects(findPowerShell({ configured: fake }), (err: unknown) => {
        assert.ok(err instanceof PowerShellNotFoundError);
        assert.equal(err.tried.length, 1);
        assert.match(err.message, /not PowerShell/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('throws PowerShellNotFoundError with advice when nothing is found', async () => {
    await assert.rejects(findPowerShell({ platform: 'linux', env: { PATH: '/nonexistent-a:/nonexistent-b' }, home: '/nonexistent-home' }), (err: unknown) => {
      assert.ok(err instanceof PowerShellNotFoundError);
      assert.match(err.message, /No usable PowerShell found/);
      assert.match(err.advice ?? '', /Install PowerShell 7/);
      return true;
    });
    await assert.rejects(findPowerShell({ configured: '/nonexistent/pwsh' }), /configured executable \/nonexistent\/pwsh.*does not exist/);
  });
});
