# Run by ansible.windows.win_powershell: let only SYSTEM and Administrators into a
# directory whose scripts a scheduled task runs as SYSTEM. Under C:\ProgramData any user
# may create a directory first and own it; so the owner is reset and inherited access
# replaced, on the directory and everything in it. Reports a change only when something
# is not yet so; in check mode nothing is changed.
[CmdletBinding(SupportsShouldProcess)]
param (
    [Parameter(Mandatory = $true)][string]$Path
)
$ErrorActionPreference = 'Stop'
$icacls = Join-Path -Path $env:SystemRoot -ChildPath 'System32\icacls.exe'
$system = 'S-1-5-18'
$administrators = 'S-1-5-32-544'
$sidType = [System.Security.Principal.SecurityIdentifier]

function Test-Secure {
    # SIDs, never names: account names are localized.
    $acl = Get-Acl -LiteralPath $Path
    $rules = @($acl.Access)
    $full = @($rules | Where-Object {
            $_.AccessControlType.ToString() -eq 'Allow' -and
            $_.FileSystemRights.ToString() -eq 'FullControl' -and
            $_.IdentityReference.Translate($sidType).Value -in @($system, $administrators)
        })
    if (-not $acl.AreAccessRulesProtected -or $acl.GetOwner($sidType).Value -ne $administrators -or
        $rules.Count -ne 2 -or $full.Count -ne 2) {
        return $false
    }
    foreach ($child in @(Get-ChildItem -LiteralPath $Path -Recurse -Force)) {
        $childAcl = Get-Acl -LiteralPath $child.FullName
        if ($childAcl.GetOwner($sidType).Value -notin @($system, $administrators)) { return $false }
        if (@($childAcl.Access | Where-Object { -not $_.IsInherited }).Count -gt 0) { return $false }
        if ($childAcl.AreAccessRulesProtected) { return $false }
    }
    return $true
}

$Ansible.Changed = -not (Test-Secure)
if ($Ansible.CheckMode -or -not $Ansible.Changed) { return }

# icacls writes progress to stderr; only its exit code tells failure.
$previous = $ErrorActionPreference
$ErrorActionPreference = 'Continue'
try {
    $owner = & $icacls $Path /setowner "*$administrators" /T /C 2>&1
    $ownerRc = $LASTEXITCODE
    $reset = & $icacls $Path /reset /T /C 2>&1
    $resetRc = $LASTEXITCODE
    $grant = & $icacls $Path /inheritance:r /grant:r "*$system`:(OI)(CI)F" "*$administrators`:(OI)(CI)F" 2>&1
    $grantRc = $LASTEXITCODE
}
finally {
    $ErrorActionPreference = $previous
}
if ($ownerRc -ne 0 -or $resetRc -ne 0 -or $grantRc -ne 0) {
    throw "icacls failed on ${Path}: $owner $reset $grant"
}
if (-not (Test-Secure)) { throw "$Path is still open to others after icacls" }
