# Run by ansible.windows.win_powershell (roles/windows_snapshot, tasks/main.yml): take a
# snapshot into $Dir: the firewall policy (netsh advfirewall export), each registry key
# (reg export; a key that does not exist is recorded as absent, so a restore deletes it)
# and each service's start mode, delayed start and state, all named in manifest.json.
# COMPLETE is written last; a complete snapshot is never overwritten. All input arrives
# as parameters.
[CmdletBinding(SupportsShouldProcess)]
param (
    [Parameter(Mandatory = $true)][string]$Dir,
    [string[]]$Keys = @(),
    [string[]]$Services = @()
)
$ErrorActionPreference = 'Stop'
$format = 'remediator-windows-snapshot/1'

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

function Get-ServiceState {
    param ([string]$Name)
    # Exact name only: Get-Service -Name would read wildcards.
    $service = @(Get-Service | Where-Object { $_.Name -eq $Name }) | Select-Object -First 1
    if ($null -eq $service) { return @{ name = $Name; exists = $false } }
    $key = Join-Path -Path 'HKLM:\SYSTEM\CurrentControlSet\Services' -ChildPath $service.Name
    $delayed = (Get-ItemProperty -LiteralPath $key -Name DelayedAutostart -ErrorAction SilentlyContinue).DelayedAutostart
    return @{
        name = $service.Name
        exists = $true
        start_type = $service.StartType.ToString()
        delayed = ($delayed -eq 1)
        status = $service.Status.ToString()
    }
}

$Ansible.Changed = $false
if (Test-Path -LiteralPath (Join-Path -Path $Dir -ChildPath 'COMPLETE')) {
    $Ansible.Result = @{ dir = $Dir; msg = 'snapshot already taken' }
    return
}
foreach ($key in $Keys) {
    if ($key -notmatch '^HKLM:\\[^"\r\n]+$') { throw "not an HKLM:\ registry key: $key" }
}
$Ansible.Changed = $true
if ($Ansible.CheckMode) {
    $Ansible.Result = @{ dir = $Dir; msg = 'would take the snapshot' }
    return
}

if (Test-Path -LiteralPath $Dir) { Remove-Item -LiteralPath $Dir -Recurse -Force }
New-Item -ItemType Directory -Path $Dir | Out-Null
$system32 = Join-Path -Path $env:SystemRoot -ChildPath 'System32'

Invoke-Native -FilePath (Join-Path $system32 'netsh.exe') -Arguments @(
    'advfirewall', 'export', (Join-Path -Path $Dir -ChildPath 'firewall.wfw'))

$registry = @()
$index = 0
foreach ($key in $Keys) {
    $index += 1
    if (Test-Path -LiteralPath $key) {
        $file = "key-$index.reg"
        Invoke-Native -FilePath (Join-Path $system32 'reg.exe') -Arguments @(
            'export', ($key -replace '^HKLM:\\', 'HKLM\'), (Join-Path -Path $Dir -ChildPath $file), '/y')
        $registry += @{ key = $key; present = $true; file = $file }
    }
    else {
        $registry += @{ key = $key; present = $false }
    }
}

$manifest = @{
    format = $format
    taken = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    firewall = 'firewall.wfw'
    registry = $registry
    services = @($Services | Sort-Object -Unique | ForEach-Object { Get-ServiceState -Name $_ })
}
ConvertTo-Json -InputObject $manifest -Depth 4 |
    Set-Content -LiteralPath (Join-Path -Path $Dir -ChildPath 'manifest.json') -Encoding UTF8
Set-Content -LiteralPath (Join-Path -Path $Dir -ChildPath 'COMPLETE') -Value $manifest.taken -Encoding ASCII
$Ansible.Result = @{
    dir = $Dir
    registry_keys = $registry.Count
    services = $manifest.services.Count
}
