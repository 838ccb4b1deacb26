<#
.SYNOPSIS
    Opens the Exchange session the other bridge scripts use, once per shell (hybrid-photo-sync).
.DESCRIPTION
    Reads everything from the job file (JSON):
      mode                   'onprem' | 'legacy' | 'exo'
      connectionUri          onprem: http(s)://SERVER/PowerShell/; legacy: the remote PowerShell URI, which the
                             caller has already given ?proxyMethod=RPS (KB 3062745)
      authentication         Kerberos | Negotiate | Basic | Default (New-PSSession -Authentication)
      credentialUserEnv      names of environment variables holding user name and password, for Basic (the
      credentialPasswordEnv  secret itself never appears in a job file)
      appId, certificateThumbprint, organization   exo: Connect-ExchangeOnline (V3, app-only)
      stubModule, stubStore  tests only: import this module first (it stands in for the Exchange cmdlets)
    Keeps the connection in $global:HpsExchangeBridge; a second call replaces the first connection.
    Prints one JSON document: {"hpsResult":1,"ok":...,"mode":...,"connectionUri":...}.
#>
[CmdletBinding()]
param([Parameter(Mandatory = $true)][string]$JobFile)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'HpsBridge.Common.ps1'))

$mode = ''
$uri = $null
try {
    $job = Read-HpsJob -Path $JobFile
    $mode = [string](Get-HpsField $job 'mode' '')
    $uri = Get-HpsField $job 'connectionUri'

    $stubModule = Get-HpsField $job 'stubModule'
    if ($stubModule) {
        Import-Module -Name ([string]$stubModule) -Global -Force -DisableNameChecking
        $stubStore = Get-HpsField $job 'stubStore'
        if ($stubStore) { Set-ExchangeStubStore -Path ([string]$stubStore) }
    }

    # Replace any earlier connection of this shell.
    $previous = Get-HpsBridgeState
    if ($null -ne $previous) {
        $global:HpsExchangeBridge = $null
        try {
            if ($null -ne $previous.session) { Remove-PSSession -Session $previous.session -ErrorAction SilentlyContinue }
        } catch { }
    }

    if ($mode -eq 'exo') {
        if (-not (Get-Command -Name Connect-ExchangeOnline -ErrorAction SilentlyContinue)) {
            Import-Module -Name ExchangeOnlineManagement -Global -ErrorAction SilentlyContinue
        }
        if (-not (Get-Command -Name Connect-ExchangeOnline -ErrorAction SilentlyContinue)) {
            Format-HpsResult -Ok $false -ErrorId 'ModuleMissing' -Message 'Connect-ExchangeOnline is not available (ExchangeOnlineManagement module not installed)' -Fields ([ordered]@{ mode = $mode })
            return
        }
        $null = Connect-ExchangeOnline -AppId ([string]$job.appId) -CertificateThumbprint ([string]$job.certificateThumbprint) -Organization ([string]$job.organization) -ShowBanner:$false
        $global:HpsExchangeBridge = @{ mode = $mode; session = $null; connectionUri = $null }
        Format-HpsResult -Ok $true -Fields ([ordered]@{ mode = $mode; connectionUri = $null })
        return
    }

    if ($mode -ne 'onprem' -and $mode -ne 'legacy') { throw "Unknown mode '$mode'" }
    if (-not $uri) { throw 'connectionUri is required' }

    $authentication = [string](Get-HpsField $job 'authentication' 'Kerberos')
    $sessionParams = @{
        ConfigurationName = 'Microsoft.Exchange'
        ConnectionUri = [string]$uri
        Authentication = $authentication
    }
    if ($mode -eq 'legacy') { $sessionParams.AllowRedirection = $true }

    $userEnv = Get-HpsField $job 'credentialUserEnv'
    $passwordEnv = Get-HpsField $job 'credentialPasswordEnv'
    if ($authentication -eq 'Basic' -or ($userEnv -and $passwordEnv)) {
        $user = $null
        $password = $null
        if ($userEnv) { $user = [System.Environment]::GetEnvironmentVariable([string]$userEnv) }
        if ($passwordEnv) { $password = [System.Environment]::GetEnvironmentVariable([string]$passwordEnv) }
        if (-not $user -or -not $password) {
            Format-HpsResult -Ok $false -ErrorId 'CredentialMissing' -Message "No credential in the environment variables '$userEnv' / '$passwordEnv'" -Fields ([ordered]@{ mode = $mode; connectionUri = $uri })
            return
        }
        $secure = [System.Net.NetworkCredential]::new('', $password).SecurePassword
        $sessionParams.Credential = [System.Management.Automation.PSCredential]::new($user, $secure)
    }

    $session = New-PSSession @sessionParams
    $module = Import-PSSession -Session $session -DisableNameChecking -AllowClobber -CommandName 'Set-UserPhoto', 'Get-UserPhoto', 'Remove-UserPhoto'
    $null = Import-Module -ModuleInfo $module -Global -DisableNameChecking
    $global:HpsExchangeBridge = @{ mode = $mode; session = $session; connectionUri = [string]$uri }
    Format-HpsResult -Ok $true -Fields ([ordered]@{ mode = $mode; connectionUri = $uri })
}
catch {
    Format-HpsResult -Ok $false -ErrorRecord $_ -Fields ([ordered]@{ mode = $mode; connectionUri = $uri })
}
