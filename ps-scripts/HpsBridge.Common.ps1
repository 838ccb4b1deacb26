# Shared helpers of the hybrid-photo-sync PowerShell bridge, dot-sourced by every script in this folder.
#
# Portability: these scripts run in PowerShell 7 (pwsh), Windows PowerShell 5.1 and the project's engine-only
# host (mocks/pwsh-host), which has the PowerShell engine but not the Utility/Management modules. So they use
# only the language, the Core cmdlets and .NET: no ConvertTo-Json/ConvertFrom-Json, Write-Output, New-Object,
# Join-Path, Test-Path, Start-Sleep. JSON is read and written by the small functions below, which also keeps user
# data exact: ConvertFrom-Json in pwsh 7 turns date-like strings into DateTime, which would change an identity.
#
# Results: a script's only pipeline output is ONE JSON document on one line, starting with {"hpsResult":1,
# with every non-ASCII character escaped (\uXXXX) so console code pages cannot garble it.

function ConvertFrom-HpsJsonString {
    param([string]$Raw)
    $body = $Raw.Substring(1, $Raw.Length - 2)
    if ($body.IndexOf([char]92) -lt 0) { return $body }
    $sb = [System.Text.StringBuilder]::new($body.Length)
    $i = 0
    while ($i -lt $body.Length) {
        $c = $body[$i]
        if ($c -ne [char]92) {
            [void]$sb.Append($c)
            $i++
            continue
        }
        $e = [string]$body[$i + 1]
        switch -CaseSensitive ($e) {
            'n' { [void]$sb.Append([char]10) }
            'r' { [void]$sb.Append([char]13) }
            't' { [void]$sb.Append([char]9) }
            'b' { [void]$sb.Append([char]8) }
            'f' { [void]$sb.Append([char]12) }
            'u' {
                [void]$sb.Append([char][System.Convert]::ToInt32($body.Substring($i + 2, 4), 16))
                $i += 4
            }
            default { [void]$sb.Append($e) }
        }
        $i += 2
    }
    return $sb.ToString()
}

function Read-HpsJsonValue {
    param($State)
    if ($State.i -ge $State.k.Count) { throw 'Invalid JSON: unexpected end' }
    $kind = $State.k[$State.i]
    $text = $State.v[$State.i]
    $State.i++
    if ($kind -eq 's') { return (ConvertFrom-HpsJsonString -Raw $text) }
    if ($kind -eq 'n') {
        if ($text -match '^-?\d+$') { return [long]::Parse($text, [System.Globalization.CultureInfo]::InvariantCulture) }
        return [double]::Parse($text, [System.Globalization.CultureInfo]::InvariantCulture)
    }
    if ($kind -eq 'l') {
        if ($text -ceq 'true') { return $true }
        if ($text -ceq 'false') { return $false }
        return $null
    }
    if ($text -eq '{') {
        $object = [ordered]@{}
        if ($State.v[$State.i] -eq '}') { $State.i++; return $object }
        while ($true) {
            if ($State.k[$State.i] -ne 's') { throw 'Invalid JSON: expected a property name' }
            $name = ConvertFrom-HpsJsonString -Raw $State.v[$State.i]
            $State.i++
            if ($State.v[$State.i] -ne ':') { throw 'Invalid JSON: expected :' }
            $State.i++
            $object[$name] = Read-HpsJsonValue -State $State
            $next = $State.v[$State.i]
            $State.i++
            if ($next -eq '}') { return $object }
            if ($next -ne ',') { throw 'Invalid JSON: expected , or }' }
        }
    }
    if ($text -eq '[') {
        $list = [System.Collections.Generic.List[object]]::new()
        if ($State.v[$State.i] -eq ']') { $State.i++; return , $list.ToArray() }
        while ($true) {
            $list.Add((Read-HpsJsonValue -State $State))
            $next = $State.v[$State.i]
            $State.i++
            if ($next -eq ']') { return , $list.ToArray() }
            if ($next -ne ',') { throw 'Invalid JSON: expected , or ]' }
        }
    }
    throw "Invalid JSON: unexpected '$text'"
}

# Parses JSON into ordered hashtables, object[] arrays, strings, long/double, booleans and $null.
function ConvertFrom-HpsJson {
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Text)
    $regex = [regex]'\G\s*(?:("(?:[^"\\\u0000-\u001F]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|(true|false|null)|([\[\]{}:,]))'
    $kinds = [System.Collections.Generic.List[string]]::new()
    $values = [System.Collections.Generic.List[string]]::new()
    $pos = 0
    if ($Text.Length -gt 0 -and $Text[0] -eq [char]0xFEFF) { $pos = 1 }
    while ($pos -lt $Text.Length) {
        $m = $regex.Match($Text, $pos)
        if (-not $m.Success) {
            if ($Text.Substring($pos).Trim().Length -eq 0) { break }
            throw "Invalid JSON at offset $pos"
        }
        $pos = $m.Index + $m.Length
        if ($m.Groups[1].Success) { $kinds.Add('s'); $values.Add($m.Groups[1].Value) }
        elseif ($m.Groups[2].Success) { $kinds.Add('n'); $values.Add($m.Groups[2].Value) }
        elseif ($m.Groups[3].Success) { $kinds.Add('l'); $values.Add($m.Groups[3].Value) }
        else { $kinds.Add('p'); $values.Add($m.Groups[4].Value) }
    }
    $state = @{ i = 0; k = $kinds; v = $values }
    $value = Read-HpsJsonValue -State $state
    if ($state.i -ne $kinds.Count) { throw 'Invalid JSON: trailing data' }
    return , $value
}

function ConvertTo-HpsJsonString {
    param([AllowEmptyString()][string]$Text)
    $sb = [System.Text.StringBuilder]::new($Text.Length + 2)
    [void]$sb.Append('"')
    foreach ($ch in $Text.ToCharArray()) {
        $n = [int]$ch
        if ($n -eq 34) { [void]$sb.Append('\"') }
        elseif ($n -eq 92) { [void]$sb.Append('\\') }
        elseif ($n -lt 32 -or $n -gt 126) { [void]$sb.Append('\u').Append($n.ToString('x4')) }
        else { [void]$sb.Append($ch) }
    }
    [void]$sb.Append('"')
    return $sb.ToString()
}

# Serialises hashtables, arrays, PSCustomObjects, strings, numbers, booleans and $null to ASCII-only JSON.
function ConvertTo-HpsJson {
    param([AllowNull()]$Value)
    if ($null -eq $Value) { return 'null' }
    if ($Value -is [bool]) { if ($Value) { return 'true' } else { return 'false' } }
    if ($Value -is [string] -or $Value -is [char] -or $Value -is [enum]) { return (ConvertTo-HpsJsonString -Text ([string]$Value)) }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [double] -or $Value -is [decimal] -or $Value -is [single] -or $Value -is [byte] -or $Value -is [int16]) {
        return ([System.IFormattable]$Value).ToString($null, [System.Globalization.CultureInfo]::InvariantCulture)
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $parts = [System.Collections.Generic.List[string]]::new()
        foreach ($key in $Value.Keys) { $parts.Add((ConvertTo-HpsJsonString -Text ([string]$key)) + ':' + (ConvertTo-HpsJson -Value $Value[$key])) }
        return '{' + ($parts -join ',') + '}'
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $parts = [System.Collections.Generic.List[string]]::new()
        foreach ($element in $Value) { $parts.Add((ConvertTo-HpsJson -Value $element)) }
        return '[' + ($parts -join ',') + ']'
    }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $parts = [System.Collections.Generic.List[string]]::new()
        foreach ($p in $Value.PSObject.Properties) { $parts.Add((ConvertTo-HpsJsonString -Text $p.Name) + ':' + (ConvertTo-HpsJson -Value $p.Value)) }
        return '{' + ($parts -join ',') + '}'
    }
    return (ConvertTo-HpsJsonString -Text ([string]$Value))
}

function Read-HpsJob {
    param([Parameter(Mandatory = $true)][string]$Path)
    $text = [System.IO.File]::ReadAllText($Path, [System.Text.Encoding]::UTF8)
    return (ConvertFrom-HpsJson -Text $text)
}

# A field of a parsed job object, or $Default when it is missing or null.
function Get-HpsField {
    param($Object, [string]$Name, $Default = $null)
    if ($null -ne $Object -and $Object -is [System.Collections.IDictionary] -and $Object.Contains($Name) -and $null -ne $Object[$Name]) { return $Object[$Name] }
    return $Default
}

# The raw facts of a failure; src/powershell/advice.ts turns them into a stable id and advice.
function Get-HpsErrorInfo {
    param([Parameter(Mandatory = $true)]$ErrorRecord)
    $exception = $ErrorRecord.Exception
    $fqid = [string]$ErrorRecord.FullyQualifiedErrorId
    $errorId = $exception.GetType().Name
    if ($exception -is [System.Management.Automation.CommandNotFoundException]) { $errorId = 'CommandNotFoundException' }
    elseif ($fqid.Length -gt 0 -and $exception -is [System.Management.Automation.RemoteException]) { $errorId = ($fqid -split ',')[0] }
    $message = [string]$exception.Message
    if ($null -ne $ErrorRecord.ErrorDetails -and [string]$ErrorRecord.ErrorDetails.Message) { $message = [string]$ErrorRecord.ErrorDetails.Message }
    return [ordered]@{
        errorId = $errorId
        category = [string]$ErrorRecord.CategoryInfo.Category
        reason = [string]$ErrorRecord.CategoryInfo.Reason
        message = $message
        exceptionType = $exception.GetType().FullName
        fullyQualifiedErrorId = $fqid
    }
}

function New-HpsItemResult {
    param([AllowEmptyString()][string]$Identity, [bool]$Ok, $ErrorRecord = $null, [string]$ErrorId = '', [string]$Message = '')
    $result = [ordered]@{ identity = $Identity; ok = $Ok; errorId = $null; category = $null; message = $null }
    if ($null -ne $ErrorRecord) {
        $info = Get-HpsErrorInfo -ErrorRecord $ErrorRecord
        foreach ($key in $info.Keys) { $result[$key] = $info[$key] }
    }
    if ($ErrorId) { $result.errorId = $ErrorId }
    if ($Message) { $result.message = $Message }
    return $result
}

# The one JSON document a script prints. Extra fields (items, connectionUri...) come from $Fields.
function Format-HpsResult {
    param([bool]$Ok, $Fields = $null, $ErrorRecord = $null, [string]$ErrorId = '', [string]$Message = '')
    $result = [ordered]@{ hpsResult = 1; ok = $Ok; psVersion = $PSVersionTable.PSVersion.ToString(); psEdition = [string]$PSVersionTable.PSEdition }
    if ($null -ne $ErrorRecord) {
        $info = Get-HpsErrorInfo -ErrorRecord $ErrorRecord
        foreach ($key in $info.Keys) { $result[$key] = $info[$key] }
    }
    if ($ErrorId) { $result.errorId = $ErrorId }
    if ($Message) { $result.message = $Message }
    if ($null -ne $Fields) { foreach ($key in $Fields.Keys) { $result[$key] = $Fields[$key] } }
    return (ConvertTo-HpsJson -Value $result)
}

# The connection the Connect script made in this shell, or $null.
function Get-HpsBridgeState {
    return $global:HpsExchangeBridge
}

# Whether the remote session of the current connection is unusable (EXO V3 has no PSSession to check).
function Test-HpsSessionBroken {
    param($State)
    if ($null -eq $State) { return $true }
    if ($null -eq $State.session) { return $false }
    return ([string]$State.session.State -ne 'Opened')
}

# Runs $Action once per item of a batch job, in the session Connect-Exchange.ps1 opened, and prints the one JSON
# document: {"hpsResult":1,"ok":true,"items":[{identity, ok, errorId, category, message, ...}, ...]}.
# $Action receives the item and its identity (as data) and may return a hashtable of extra result fields. Once the
# remote session breaks, the remaining items are reported as SessionBroken without being tried, so the caller can
# reconnect and send them again.
function Invoke-HpsBatch {
    param([Parameter(Mandatory = $true)][string]$JobFile, [Parameter(Mandatory = $true)][scriptblock]$Action)
    try {
        $job = Read-HpsJob -Path $JobFile
        $state = Get-HpsBridgeState
        if ($null -eq $state) {
            return (Format-HpsResult -Ok $false -ErrorId 'NotConnected' -Message 'No Exchange session in this shell; run Connect-Exchange.ps1 first')
        }
        if (Test-HpsSessionBroken -State $state) {
            return (Format-HpsResult -Ok $false -ErrorId 'SessionBroken' -Message ('The session state is ' + [string]$state.session.State))
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
                $extra = & $Action $item $identity
                $result = New-HpsItemResult -Identity $identity -Ok $true
                if ($extra -is [System.Collections.IDictionary]) { foreach ($key in $extra.Keys) { $result[$key] = $extra[$key] } }
                $results.Add($result)
            }
            catch {
                $results.Add((New-HpsItemResult -Identity $identity -Ok $false -ErrorRecord $_))
                if (Test-HpsSessionBroken -State $state) { $broken = $true }
            }
        }
        return (Format-HpsResult -Ok $true -Fields ([ordered]@{ items = $results }))
    }
    catch {
        return (Format-HpsResult -Ok $false -ErrorRecord $_)
    }
}
