<#
.SYNOPSIS
    Removes users' photos through Remove-UserPhoto in the session Connect-Exchange.ps1 opened.
.DESCRIPTION
    Job file (JSON): { "items": [ { "identity": "..." }, ... ] }
    Prints one JSON document (Invoke-HpsBatch): {"hpsResult":1,"ok":true,"items":[{identity, ok, errorId, category, message}, ...]}.
#>
[CmdletBinding()]
param([Parameter(Mandatory = $true)][string]$JobFile)

$ErrorActionPreference = 'Stop'
. ([System.IO.Path]::Combine($PSScriptRoot, 'HpsBridge.Common.ps1'))

Invoke-HpsBatch -JobFile $JobFile -Action {
    param($item, $identity)
    $null = Remove-UserPhoto -Identity $identity -Confirm:$false -ErrorAction Stop
}
