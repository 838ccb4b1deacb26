<#
.SYNOPSIS
    Sets the photos of a batch of users through Set-UserPhoto in the session Connect-Exchange.ps1 opened.
.DESCRIPTION
    Job file (JSON): { "items": [ { "identity": "...", "photoPath": "..." }, ... ] }
    photoPath names a JPEG file the caller wrote. Identities are passed to -Identity as data, never as code.
    Prints one JSON document (Invoke-HpsBatch): {"hpsResult":1,"ok":true,"items":[{identity, ok, errorId, category, message}, ...]}.
    When the remote session breaks, the remaining items are reported as SessionBroken without being tried, so the
    caller can reconnect and send them again.
#>
[CmdletBinding()]
param([Parameter(Mandatory = $true)][string]$JobFile)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'HpsBridge.Common.ps1'))

Invoke-HpsBatch -JobFile $JobFile -Action {
    param($item, $identity)
    $bytes = [System.IO.File]::ReadAllBytes([string]$item.photoPath)
    $null = Set-UserPhoto -Identity $identity -PictureData $bytes -Confirm:$false -ErrorAction Stop
}
