<#
.SYNOPSIS
    Closes the session Connect-Exchange.ps1 opened in this shell, if any.
.DESCRIPTION
    Job file (JSON): {} (nothing is read from it; the parameter keeps all bridge scripts alike).
    Prints one JSON document: {"hpsResult":1,"ok":true,"closed":true|false}.
#>
[CmdletBinding()]
param([Parameter(Mandatory = $true)][string]$JobFile)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'HpsBridge.Common.ps1'))

try {
    $state = Get-HpsBridgeState
    $global:HpsExchangeBridge = $null
    if ($null -eq $state) {
        Format-HpsResult -Ok $true -Fields ([ordered]@{ closed = $false })
        return
    }
    if ($null -ne $state.session) {
        Remove-PSSession -Session $state.session -ErrorAction SilentlyContinue
    }
    elseif ($state.mode -eq 'exo' -and (Get-Command -Name Disconnect-ExchangeOnline -ErrorAction SilentlyContinue)) {
        Disconnect-ExchangeOnline -Confirm:$false -ErrorAction SilentlyContinue
    }
    Format-HpsResult -Ok $true -Fields ([ordered]@{ closed = $true })
}
catch {
    Format-HpsResult -Ok $false -ErrorRecord $_
}
