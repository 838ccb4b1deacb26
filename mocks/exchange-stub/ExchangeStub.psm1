# ExchangeStub: stands in for an Exchange server's photo cmdlets in tests of the hybrid-photo-sync bridge.
#
# Import it (Import-Module -Global) before ps-scripts/Connect-Exchange.ps1 runs its production code path: the stub's
# functions shadow New-PSSession / Import-PSSession / Remove-PSSession (functions win over cmdlets) and stand in for
# Connect-ExchangeOnline / Disconnect-ExchangeOnline, so the connect script runs unchanged. Set-UserPhoto,
# Get-UserPhoto and Remove-UserPhoto then work on a local store folder.
#
# Store folder (Set-ExchangeStubStore -Path, else $env:HPS_EXCHANGE_STUB_STORE):
#   mailboxes.txt       identities that exist, one per line (UTF-8, compared case-insensitively like Exchange)
#   denied.txt          identities whose changes are refused (access denied), one per line
#   flags/retired       Set-UserPhoto is gone: calling it fails with the engine's CommandNotFoundException text
#   flags/hang          Set-UserPhoto sleeps this many milliseconds (file content; default 600000) before working
#   flags/breakSession  the next photo cmdlet call breaks the session (one-shot: the flag file is removed)
#   flags/connectFail   New-PSSession / Connect-ExchangeOnline fail like an unreachable server
#   photos/<hex>.jpg    stored photos, <hex> = UTF-8 bytes of the lower-cased identity in hex
#   received.log        every call: cmdlet TAB base64(UTF-8 identity as received) TAB byte count
#   connections.log     every connect/disconnect: verb TAB ConnectionUri TAB Authentication TAB ConfigurationName
# Photos over 10 KB fail with the remote PowerShell 413 error unless the ConnectionUri carries proxyMethod=RPS
# (KB 3062745) or is an on-prem endpoint (path /PowerShell), which has no such limit.
#
# Uses only the engine and .NET (no Utility/Management cmdlets), like the bridge scripts: see HpsBridge.Common.ps1.

$script:StorePath = $null
$script:Connection = $null
$script:PhotoLimitBytes = 10240

function Set-ExchangeStubStore {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$Path)
    $script:StorePath = [System.IO.Path]::GetFullPath($Path)
    $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($script:StorePath, 'photos'))
    $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($script:StorePath, 'flags'))
}

function Get-StubStore {
    if (-not $script:StorePath) {
        if ($env:HPS_EXCHANGE_STUB_STORE) { Set-ExchangeStubStore -Path $env:HPS_EXCHANGE_STUB_STORE }
        else { throw 'ExchangeStub: no store folder (Set-ExchangeStubStore or $env:HPS_EXCHANGE_STUB_STORE)' }
    }
    return $script:StorePath
}

function Get-StubFile([string]$Name) { return [System.IO.Path]::Combine((Get-StubStore), $Name) }

function Test-StubFlag([string]$Name) { return [System.IO.File]::Exists((Get-StubFile ('flags/' + $Name))) }

function Add-StubLine([string]$File, [string]$Line) {
    [System.IO.File]::AppendAllText((Get-StubFile $File), $Line + "`n", [System.Text.UTF8Encoding]::new($false))
}

function Get-StubLines([string]$File) {
    $path = Get-StubFile $File
    if (-not [System.IO.File]::Exists($path)) { return , @() }
    $lines = [System.IO.File]::ReadAllLines($path, [System.Text.Encoding]::UTF8)
    return , @($lines | Where-Object { $_.Length -gt 0 })
}

function Test-StubListed([string]$File, [string]$Identity) {
    foreach ($line in (Get-StubLines $File)) {
        if ([string]::Equals($line, $Identity, [System.StringComparison]::OrdinalIgnoreCase)) { return $true }
    }
    return $false
}

function Get-StubPhotoPath([string]$Identity) {
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($Identity.ToLowerInvariant())
    $hex = [System.BitConverter]::ToString($bytes).Replace('-', '').ToLowerInvariant()
    if ($hex.Length -gt 200) { $hex = $hex.Substring(0, 200) + '-' + [string]$Identity.Length }
    return Get-StubFile ('photos/' + $hex + '.jpg')
}

function Write-StubReceived([string]$Cmdlet, [string]$Identity, [int]$Size) {
    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Identity))
    Add-StubLine 'received.log' ($Cmdlet + "`t" + $encoded + "`t" + [string]$Size)
}

function New-StubError {
    param([System.Exception]$Exception, [string]$ErrorId, [System.Management.Automation.ErrorCategory]$Category, $Target)
    return [System.Management.Automation.ErrorRecord]::new($Exception, $ErrorId, $Category, $Target)
}

# The one-shot session break and the "is there a usable session" check shared by the photo cmdlets.
function Assert-StubSession {
    param($Cmdlet)
    if ($null -eq $script:Connection) {
        $ex = [System.InvalidOperationException]::new('ExchangeStub: no session; run New-PSSession or Connect-ExchangeOnline first')
        $Cmdlet.ThrowTerminatingError((New-StubError $ex 'NoSession' ([System.Management.Automation.ErrorCategory]::ResourceUnavailable) $null))
    }
    if ($null -ne $script:Connection.Session -and $script:Connection.Session.State -ne 'Opened') {
        $ex = [System.Management.Automation.Remoting.PSRemotingTransportException]::new('The session state is Broken, not Opened: the remote PowerShell session cannot be used.')
        $Cmdlet.ThrowTerminatingError((New-StubError $ex 'PSSessionStateBroken' ([System.Management.Automation.ErrorCategory]::ResourceUnavailable) $null))
    }
    $flag = Get-StubFile 'flags/breakSession'
    if ([System.IO.File]::Exists($flag)) {
        [System.IO.File]::Delete($flag)
        if ($null -ne $script:Connection.Session) { $script:Connection.Session.State = 'Broken' }
        $ex = [System.Management.Automation.Remoting.PSRemotingTransportException]::new('Processing data from remote server failed with the following error message: The I/O operation has been aborted because of either a thread exit or an application request. For more information, see the about_Remote_Troubleshooting Help topic.')
        $Cmdlet.ThrowTerminatingError((New-StubError $ex 'JobFailure' ([System.Management.Automation.ErrorCategory]::OpenError) $null))
    }
}

function Assert-StubMailbox {
    param($Cmdlet, [string]$Identity)
    if (-not (Test-StubListed 'mailboxes.txt' $Identity)) {
        $ex = [System.Management.Automation.ItemNotFoundException]::new("The operation couldn't be performed because object '$Identity' couldn't be found on 'dc01.stub.invalid'.")
        $Cmdlet.ThrowTerminatingError((New-StubError $ex 'ManagementObjectNotFoundException,Microsoft.Exchange.Management.RecipientTasks.SetUserPhoto' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $Identity))
    }
    if (Test-StubListed 'denied.txt' $Identity) {
        $ex = [System.UnauthorizedAccessException]::new('Access is denied.')
        $Cmdlet.ThrowTerminatingError((New-StubError $ex 'AccessDenied' ([System.Management.Automation.ErrorCategory]::PermissionDenied) $Identity))
    }
}

# Whether the current connection has remote PowerShell's ~10 KB request limit.
function Test-StubSizeLimited {
    if ($null -eq $script:Connection -or $script:Connection.Kind -ne 'PSSession') { return $false }
    $uri = [System.Uri]$script:Connection.ConnectionUri
    if ($uri.Query -match '(?i)[?&]proxyMethod=RPS(&|$)') { return $false }
    if ($uri.AbsolutePath -match '(?i)^/powershell/?$') { return $false }
    return $true
}

function New-PSSession {
    [CmdletBinding()]
    param(
        [string]$ConfigurationName,
        [Parameter(Mandatory = $true)][System.Uri]$ConnectionUri,
        [string]$Authentication = 'Default',
        [System.Management.Automation.PSCredential]$Credential,
        [switch]$AllowRedirection,
        $SessionOption
    )
    $null = Get-StubStore
    Add-StubLine 'connections.log' ("New-PSSession`t" + $ConnectionUri.OriginalString + "`t" + $Authentication + "`t" + $ConfigurationName)
    if (Test-StubFlag 'connectFail') {
        $ex = [System.Management.Automation.Remoting.PSRemotingTransportException]::new("Connecting to remote server $($ConnectionUri.Host) failed with the following error message : The WinRM client cannot complete the operation within the time specified. For more information, see the about_Remote_Troubleshooting Help topic.")
        $PSCmdlet.ThrowTerminatingError((New-StubError $ex 'PSSessionOpenFailed' ([System.Management.Automation.ErrorCategory]::OpenError) $null))
    }
    $session = [pscustomobject]@{
        Id = 1
        Name = 'ExchangeStubSession'
        ComputerName = $ConnectionUri.Host
        ConfigurationName = $ConfigurationName
        State = 'Opened'
        ConnectionUri = $ConnectionUri.OriginalString
        Authentication = $Authentication
        UserName = $(if ($Credential) { $Credential.UserName } else { $null })
    }
    $script:Connection = @{ Kind = 'PSSession'; ConnectionUri = $ConnectionUri.OriginalString; Session = $session }
    return $session
}

function Import-PSSession {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)]$Session, [string[]]$CommandName, [switch]$DisableNameChecking, [switch]$AllowClobber, [string]$Prefix)
    if ($null -eq $script:Connection -or -not [object]::ReferenceEquals($script:Connection.Session, $Session)) {
        throw 'ExchangeStub: Import-PSSession got a session this stub did not create'
    }
    # Real Import-PSSession returns a new module of proxy functions; the stub's own functions play that part.
    return $ExecutionContext.SessionState.Module
}

function Remove-PSSession {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)]$Session)
    if ($null -ne $script:Connection -and [object]::ReferenceEquals($script:Connection.Session, $Session)) {
        Add-StubLine 'connections.log' ("Remove-PSSession`t" + $script:Connection.ConnectionUri + "`t`t")
        $Session.State = 'Closed'
        $script:Connection = $null
    }
}

function Connect-ExchangeOnline {
    [CmdletBinding()]
    param([string]$AppId, [string]$CertificateThumbprint, [string]$Organization, [switch]$ShowBanner, [string]$ConnectionUri)
    $null = Get-StubStore
    Add-StubLine 'connections.log' ("Connect-ExchangeOnline`t" + $Organization + "`t" + $AppId + "`t" + $CertificateThumbprint)
    if (Test-StubFlag 'connectFail') {
        throw [System.Net.Http.HttpRequestException]::new('No such host is known. (login.microsoftonline.com:443)')
    }
    $script:Connection = @{ Kind = 'ExchangeOnline'; ConnectionUri = $null; Session = $null; Organization = $Organization }
}

function Disconnect-ExchangeOnline {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param()
    if ($PSCmdlet.ShouldProcess('Exchange Online session')) {
        Add-StubLine 'connections.log' "Disconnect-ExchangeOnline`t`t`t"
        $script:Connection = $null
    }
}

function Set-UserPhoto {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]$Identity,
        [byte[]]$PictureData,
        [System.IO.Stream]$PictureStream,
        [switch]$Save,
        [switch]$Cancel,
        [switch]$Preview
    )
    $null = Get-StubStore
    # Exchange Online retired Set-UserPhoto on 30 Nov 2023; the V3 module no longer has it.
    if ((Test-StubFlag 'retired') -or ($null -ne $script:Connection -and $script:Connection.Kind -eq 'ExchangeOnline')) {
        $ex = [System.Management.Automation.CommandNotFoundException]::new("The term 'Set-UserPhoto' is not recognized as a name of a cmdlet, function, script file, or executable program.`nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.")
        $ex.CommandName = 'Set-UserPhoto'
        $PSCmdlet.ThrowTerminatingError((New-StubError $ex 'CommandNotFoundException' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) 'Set-UserPhoto'))
    }
    $id = [string]$Identity
    $size = 0
    if ($null -ne $PictureData) { $size = $PictureData.Length }
    Write-StubReceived 'Set-UserPhoto' $id $size
    Assert-StubSession $PSCmdlet
    $hang = Get-StubFile 'flags/hang'
    if ([System.IO.File]::Exists($hang)) {
        $ms = 600000
        $text = [System.IO.File]::ReadAllText($hang).Trim()
        if ($text -match '^\d+$') { $ms = [int]$text }
        [System.Threading.Thread]::Sleep($ms)
    }
    if ($null -eq $PictureData -or $size -eq 0) {
        $ex = [System.ArgumentException]::new('PictureData is empty.')
        $PSCmdlet.ThrowTerminatingError((New-StubError $ex 'EmptyPicture' ([System.Management.Automation.ErrorCategory]::InvalidArgument) $id))
    }
    if ($size -gt $script:PhotoLimitBytes -and (Test-StubSizeLimited)) {
        $ex = [System.Net.WebException]::new('The remote server returned an error: (413) Request Entity Too Large.')
        $PSCmdlet.ThrowTerminatingError((New-StubError $ex 'WebException' ([System.Management.Automation.ErrorCategory]::NotSpecified) $id))
    }
    Assert-StubMailbox $PSCmdlet $id
    if ($PSCmdlet.ShouldProcess($id, 'Set-UserPhoto')) {
        [System.IO.File]::WriteAllBytes((Get-StubPhotoPath $id), $PictureData)
    }
}

function Get-UserPhoto {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0)]$Identity)
    $null = Get-StubStore
    $id = [string]$Identity
    Write-StubReceived 'Get-UserPhoto' $id 0
    Assert-StubSession $PSCmdlet
    Assert-StubMailbox $PSCmdlet $id
    $path = Get-StubPhotoPath $id
    if (-not [System.IO.File]::Exists($path)) {
        $ex = [System.Management.Automation.ItemNotFoundException]::new('There is no photo stored here.')
        $PSCmdlet.ThrowTerminatingError((New-StubError $ex 'UserPhotoNotFoundException,Microsoft.Exchange.Management.RecipientTasks.GetUserPhoto' ([System.Management.Automation.ErrorCategory]::ReadError) $id))
    }
    return [pscustomobject]@{ Identity = $id; PictureData = [System.IO.File]::ReadAllBytes($path); IsValid = $true }
}

function Remove-UserPhoto {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param([Parameter(Mandatory = $true, Position = 0)]$Identity, [switch]$ClearMailboxPhotoRecord)
    $null = Get-StubStore
    $id = [string]$Identity
    Write-StubReceived 'Remove-UserPhoto' $id 0
    Assert-StubSession $PSCmdlet
    Assert-StubMailbox $PSCmdlet $id
    if ($PSCmdlet.ShouldProcess($id, 'Remove-UserPhoto')) {
        $path = Get-StubPhotoPath $id
        if ([System.IO.File]::Exists($path)) { [System.IO.File]::Delete($path) }
    }
}

Export-ModuleMember -Function Set-ExchangeStubStore, New-PSSession, Import-PSSession, Remove-PSSession, Connect-ExchangeOnline, Disconnect-ExchangeOnline, Set-UserPhoto, Get-UserPhoto, Remove-UserPhoto
