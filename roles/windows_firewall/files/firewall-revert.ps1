# Run by the scheduled task remediator-firewall-revert (roles/windows_firewall,
# tasks/revert_arm.yml) when no new connection confirmed a firewall change in time, or at
# the first boot after an unconfirmed change: import the policy exported before the
# change (rules, their enabled state, profile defaults), then remove the task so that it
# cannot fire again. Takes no input: everything is next to this script.
param ()
$ErrorActionPreference = 'Stop'
$policy = Join-Path -Path $PSScriptRoot -ChildPath 'firewall-before.wfw'
$log = Join-Path -Path $PSScriptRoot -ChildPath 'firewall-revert.log'
try {
    $output = & "$env:SystemRoot\System32\netsh.exe" advfirewall import $policy
    $status = $LASTEXITCODE
    "$(Get-Date -Format o) netsh advfirewall import exited $status`: $output" |
        Out-File -LiteralPath $log -Append -Encoding utf8
}
finally {
    Unregister-ScheduledTask -TaskName 'remediator-firewall-revert' -Confirm:$false -ErrorAction SilentlyContinue
}
