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

Invoke-HpsBatch -JobFile $JobFile -Action {
    param($item, $identity)
    $photo = Get-UserPhoto -Identity $identity -ErrorAction Stop
    [byte[]]$bytes = $photo.PictureData
    [System.IO.File]::WriteAllBytes([string]$item.outPath, $bytes)
    return @{ size = $bytes.Length }
}
