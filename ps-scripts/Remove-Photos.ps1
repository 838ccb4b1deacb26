<#
.SYNOPSIS
    Removes users' photos through Remove-UserPhoto in the session Connect-Exchange.ps1 opened.
.DESCRIPTION
    Job file (JSON): { "items": [ { "identity": "..." }, ... ] }
    Prints one JSON document: {"hpsResult":1,"ok":true,"items":[{identity, ok, errorId, category, message}, ...]}.
#>
[CmdletBinding()]
param([Parameter(Mandatory = $true)][string]$JobFile)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'HpsBridge.Common.ps1'))

try {
    $job = Read-HpsJob -Path $JobFile
    $state = Get-HpsBridgeState
    if ($null -eq $state) {
        Format-HpsResult -Ok $false -ErrorId 'NotConnected' -Message 'No Exchange session in this shell; run Connect-Exchange.ps1 first'
        return
    }
    if (Test-HpsSessionBroken -State $state) {
        Format-HpsResult -Ok $false -ErrorId 'SessionBroken' -Message ('The session state is ' + [string]$state.session.State)
        return
    }
    $results = [System.Collections.Generic.List[object]]::new()
    $broken = $false
    foreach ($item in @(Get-HpsField $job 'items' @())) {
        $identity = [string]$item.identity
        if ($broken) {
            $results.Add((New-HpsItemResult -Identity $identity -Ok $false -ErrorId 'SessionBroken' -Message 'Not tried: the session broke earlier in this batch'))
            continue
        }
        try {
            $null = Remove-UserPhoto -Identity $identity -Confirm:$false -ErrorAction Stop
            $results.Add((New-HpsItemResult -Identity $identity -Ok $true))
        }
        catch {
            $results.Add((New-HpsItemResult -Identity $identity -Ok $false -ErrorRecord $_))
            if (Test-HpsSessionBroken -State $state) { $broken = $true }
        }
    }
    Format-HpsResult -Ok $true -Fields ([ordered]@{ items = $results })
}
catch {
    Format-HpsResult -Ok $false -ErrorRecord $_
}
