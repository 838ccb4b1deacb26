<#
.SYNOPSIS
    Reads users' photos through Get-UserPhoto in the session Connect-Exchange.ps1 opened.
.DESCRIPTION
    Job file (JSON): { "items": [ { "identity": "...", "outPath": "..." }, ... ] }
    Writes each photo's bytes to its outPath (a file name the caller generated).
    Prints one JSON document: {"hpsResult":1,"ok":true,"items":[{identity, ok, size, errorId, category, message}, ...]}.
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
    foreach ($item in @(Get-HpsField $job 'items' @())) {
        $identity = [string]$item.identity
        try {
            $photo = Get-UserPhoto -Identity $identity -ErrorAction Stop
            [byte[]]$bytes = $photo.PictureData
            [System.IO.File]::WriteAllBytes([string]$item.outPath, $bytes)
            $result = New-HpsItemResult -Identity $identity -Ok $true
            $result.size = $bytes.Length
            $results.Add($result)
        }
        catch {
            $results.Add((New-HpsItemResult -Identity $identity -Ok $false -ErrorRecord $_))
        }
    }
    Format-HpsResult -Ok $true -Fields ([ordered]@{ items = $results })
}
catch {
    Format-HpsResult -Ok $false -ErrorRecord $_
}
