import assert from 'node:assert/strict';
import { classifyConnectError, classifyExchangeError, isExchangeOnlineRpsUri } from '../../src/powershell/advice.js';

describe('powershell/advice', () => {
  it('maps the remote PowerShell 413 to RequestEntityTooLarge with the proxyMethod=RPS advice', () => {
    const a = classifyExchangeError({ errorId: 'WebException', message: 'The remote server returned an error: (413) Request Entity Too Large.' }, 'legacy');
    assert.equal(a.errorId, 'RequestEntityTooLarge');
    assert.equal(a.status, 413);
    assert.equal(a.retryable, false);
    assert.match(a.advice, /\?proxyMethod=RPS/);
    assert.match(a.advice, /KB 3062745/);
    assert.match(a.advice, /Graph/);
  });

  it('prefers 413 over a transport error wrapping it', () => {
    const a = classifyExchangeError({ errorId: 'PSRemotingTransportException', message: 'Processing data… (413) Request Entity Too Large' }, 'legacy');
    assert.equal(a.errorId, 'RequestEntityTooLarge');
  });

  it('says plainly that Set-UserPhoto was retired when the cmdlet is missing in the cloud modes', () => {
    const raw = { errorId: 'CommandNotFoundException', message: "The term 'Set-UserPhoto' is not recognized as a name of a cmdlet, function, script file, or executable program." };
    for (const mode of ['exo', 'legacy'] as const) {
      const a = classifyExchangeError(raw, mode);
      assert.equal(a.errorId, 'CmdletRetired');
      assert.match(a.advice, /retired in Exchange Online on 30 Nov 2023/);
      assert.match(a.advice, /Graph route/);
    }
    // Windows PowerShell 5.1 words it "the name"; the id is enough too.
    assert.equal(classifyExchangeError({ message: "The term 'Set-UserPhoto' is not recognized as the name of a cmdlet" }, 'exo').errorId, 'CmdletRetired');
    assert.equal(classifyExchangeError({ exceptionType: 'System.Management.Automation.CommandNotFoundException' }, 'exo').errorId, 'CmdletRetired');
  });

  it('points at RBAC, not retirement, when the cmdlet is missing on-prem', () => {
    const a = classifyExchangeError({ errorId: 'CommandNotFoundException' }, 'onprem');
    assert.equal(a.errorId, 'CmdletNotFound');
    assert.match(a.advice, /RBAC/);
  });

  it('recognises object not found, photo not found, access denied and broken sessions', () => {
    assert.equal(
      classifyExchangeError({ fullyQualifiedErrorId: 'ManagementObjectNotFoundException,Microsoft.Exchange.Management.RecipientTasks.SetUserPhoto', category: 'ObjectNotFound' }, 'onprem').errorId,
      'ObjectNotFound',
    );
    assert.equal(classifyExchangeError({ message: "The operation couldn't be performed because object 'x' couldn't be found on 'dc1'." }, 'onprem').errorId, 'ObjectNotFound');
    assert.equal(classifyExchangeError({ category: 'ObjectNotFound', message: 'whatever' }, 'onprem').errorId, 'ObjectNotFound');
    const photo = classifyExchangeError({ fullyQualifiedErrorId: 'UserPhotoNotFoundException,Microsoft.Exchange.Management.RecipientTasks.GetUserPhoto', message: 'There is no photo stored here.' }, 'onprem');
    assert.equal(photo.errorId, 'PhotoNotFound');
    const denied = classifyExchangeError({ category: 'PermissionDenied', message: 'Access is denied.' }, 'onprem');
    assert.equal(denied.errorId, 'AccessDenied');
    assert.equal(denied.status, 403);
    assert.equal(denied.retryable, false);
    const broken = classifyExchangeError({ errorId: 'PSRemotingTransportException', message: 'The I/O operation has been aborted' }, 'onprem');
    assert.equal(broken.errorId, 'SessionBroken');
    assert.equal(broken.retryable, true);
  });

  it('falls back to Unknown with generic advice, and maps timeouts as retryable', () => {
    const a = classifyExchangeError({ message: 'something odd' }, 'onprem');
    assert.equal(a.errorId, 'Unknown');
    assert.equal(a.retryable, false);
    assert.equal(classifyExchangeError({ errorId: 'Timeout' }, 'onprem').retryable, true);
  });

  it('tells Exchange Online RPS endpoints from on-prem servers', () => {
    assert.equal(isExchangeOnlineRpsUri('https://outlook.office365.com/powershell-liveid/'), true);
    assert.equal(isExchangeOnlineRpsUri('https://outlook.office365.us/powershell-liveid/'), true);
    assert.equal(isExchangeOnlineRpsUri('http://exch01.contoso.local/PowerShell/'), false);
    assert.equal(isExchangeOnlineRpsUri('not a url'), false);
  });

  it('says RPS is blocked in Exchange Online when a legacy connection to it fails', () => {
    const a = classifyConnectError({ message: 'Connecting to remote server outlook.office365.com failed' }, 'legacy', 'https://outlook.office365.com/powershell-liveid/?proxyMethod=RPS');
    assert.equal(a.errorId, 'RpsBlocked');
    assert.match(a.advice, /1 Oct 2023/);
    assert.equal(classifyConnectError({ message: 'Connecting to remote server exch01 failed' }, 'onprem', 'http://exch01/PowerShell/').errorId, 'ConnectFailed');
    assert.equal(classifyConnectError({ errorId: 'CredentialMissing' }, 'legacy', 'https://rps.sovereign.test/PowerShell/').errorId, 'CredentialMissing');
    assert.equal(classifyConnectError({ errorId: 'ModuleMissing' }, 'exo').errorId, 'ModuleMissing');
  });
});
