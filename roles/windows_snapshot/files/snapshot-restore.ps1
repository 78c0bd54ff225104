# remediator windows_snapshot: put the host back to a snapshot taken by snapshot-take.ps1.
# Run two ways, the same script: by ansible.windows.win_powershell (tasks/restore.yml;
# in check mode it only reports what differs) and by the scheduled task
# remediator-snapshot-revert (tasks/arm.yml) with -Dir, when no confirmation came. It
# changes only what differs, and removes the revert task once it has run.
[CmdletBinding(SupportsShouldProcess)]
param (
    [Parameter(Mandatory = $true)][string]$Dir
)
$ErrorActionPreference = 'Stop'
$format = 'remediator-windows-snapshot/1'
$revertTask = 'remediator-snapshot-revert'
$underAnsible = $null -ne (Get-Variable -Name Ansible -ErrorAction SilentlyContinue)
$check = $underAnsible -and $Ansible.CheckMode
$system32 = Join-Path -Path $env:SystemRoot -ChildPath 'System32'

function Invoke-Native {
    # Native tools write progress to stderr; only the exit code tells failure.
    param ([string]$FilePath, [string[]]$Arguments)
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        $output = & $FilePath @Arguments 2>&1 | ForEach-Object { "$_" }
        $rc = $LASTEXITCODE
    }
    finally {
        $ErrorActionPreference = $previous
    }
    if ($rc -ne 0) { throw "$FilePath $($Arguments -join ' ') exited ${rc}: $($output -join ' ')" }
}

function Get-ExportText {
    # A registry key's or the firewall policy's export as text/bytes, to compare with
    # the recorded one; $null when the key does not exist.
    param ([string]$Kind, [string]$Key)
    $temp = Join-Path -Path $env:TEMP -ChildPath ('remediator-' + [guid]::NewGuid().ToString('N'))
    try {
        if ($Kind -eq 'firewall') {
            Invoke-Native -FilePath (Join-Path $system32 'netsh.exe') -Arguments @('advfirewall', 'export', $temp)
            return [Convert]::ToBase64String([IO.File]::ReadAllBytes($temp))
        }
        if (-not (Test-Path -LiteralPath $Key)) { return $null }
        Invoke-Native -FilePath (Join-Path $system32 'reg.exe') -Arguments @(
            'export', ($Key -replace '^HKLM:\\', 'HKLM\'), $temp, '/y')
        return [IO.File]::ReadAllText($temp)
    }
    finally {
        Remove-Item -LiteralPath $temp -Force -ErrorAction SilentlyContinue -WhatIf:$false
    }
}

function Get-ServiceState {
    param ([string]$Name)
    $service = @(Get-Service | Where-Object { $_.Name -eq $Name }) | Select-Object -First 1
    if ($null -eq $service) { return $null }
    $key = Join-Path -Path 'HKLM:\SYSTEM\CurrentControlSet\Services' -ChildPath $service.Name
    $delayed = (Get-ItemProperty -LiteralPath $key -Name DelayedAutostart -ErrorAction SilentlyContinue).DelayedAutostart
    return @{
        service = $service
        start_type = $service.StartType.ToString()
        delayed = ($delayed -eq 1)
        status = $service.Status.ToString()
    }
}

if (-not (Test-Path -LiteralPath (Join-Path -Path $Dir -ChildPath 'COMPLETE'))) {
    throw "no complete snapshot in $Dir"
}
$manifest = Get-Content -LiteralPath (Join-Path -Path $Dir -ChildPath 'manifest.json') -Raw | ConvertFrom-Json
if ($manifest.format -ne $format) { throw "${Dir}: not a $format snapshot" }
$changes = [System.Collections.Generic.List[string]]::new()

# Firewall: the whole policy (rules, their enabled state, profile defaults).
$policy = Join-Path -Path $Dir -ChildPath $manifest.firewall
if ((Get-ExportText -Kind 'firewall') -ne [Convert]::ToBase64String([IO.File]::ReadAllBytes($policy))) {
    $changes.Add('firewall policy')
    if (-not $check) {
        Invoke-Native -FilePath (Join-Path $system32 'netsh.exe') -Arguments @('advfirewall', 'import', $policy)
    }
}

# Registry: a key recorded as absent is deleted; a present one is deleted and imported,
# so values added since the snapshot go too (reg import alone only merges).
foreach ($entry in @($manifest.registry)) {
    $current = Get-ExportText -Kind 'registry' -Key $entry.key
    if (-not $entry.present) {
        if ($null -ne $current) {
            $changes.Add("delete $($entry.key)")
            if (-not $check) { Remove-Item -LiteralPath $entry.key -Recurse -Force }
        }
        continue
    }
    $file = Join-Path -Path $Dir -ChildPath $entry.file
    if ($current -ne [IO.File]::ReadAllText($file)) {
        $changes.Add("restore $($entry.key)")
        if (-not $check) {
            if ($null -ne $current) { Remove-Item -LiteralPath $entry.key -Recurse -Force }
            Invoke-Native -FilePath (Join-Path $system32 'reg.exe') -Arguments @('import', $file)
        }
    }
}

# Services: start mode (with delayed start) first, then the running state.
foreach ($recorded in @($manifest.services)) {
    if (-not $recorded.exists) { continue }
    $now = Get-ServiceState -Name $recorded.name
    if ($null -eq $now) { continue }
    $settable = $recorded.start_type -in @('Automatic', 'Manual', 'Disabled')
    if ($settable -and ($now.start_type -ne $recorded.start_type -or $now.delayed -ne $recorded.delayed)) {
        $changes.Add("start mode of $($recorded.name)")
        if (-not $check) {
            $now.service | Set-Service -StartupType $recorded.start_type
            if ($recorded.start_type -eq 'Automatic') {
                $mode = if ($recorded.delayed) { 'delayed-auto' } else { 'auto' }
                Invoke-Native -FilePath (Join-Path $system32 'sc.exe') -Arguments @('config', $recorded.name, 'start=', $mode)
            }
        }
    }
    if ($recorded.status -eq 'Running' -and $now.status -ne 'Running') {
        $changes.Add("start $($recorded.name)")
        if (-not $check) { $now.service | Start-Service }
    }
    elseif ($recorded.status -eq 'Stopped' -and $now.status -ne 'Stopped') {
        $changes.Add("stop $($recorded.name)")
        if (-not $check) { $now.service | Stop-Service -Force }
    }
}

# Disarm: a restore that ran needs no second one.
if ($null -ne (Get-ScheduledTask -TaskName $revertTask -ErrorAction SilentlyContinue)) {
    $changes.Add('disarm the revert task')
    if (-not $check) { Unregister-ScheduledTask -TaskName $revertTask -Confirm:$false }
}

$result = @{ dir = $Dir; changes = @($changes) }
if ($underAnsible) {
    $Ansible.Changed = $changes.Count -gt 0
    $Ansible.Result = $result
}
else {
    $line = '{0} {1}' -f (Get-Date -Format o), (ConvertTo-Json -InputObject $result -Compress)
    Add-Content -LiteralPath (Join-Path -Path $Dir -ChildPath 'restore.log') -Value $line -Encoding UTF8
}
