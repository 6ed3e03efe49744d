# Shared by the Pester suites: a private emulated VSS service per test file, and its journal.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
# The module's own executable for this platform, as the module resolves it.
$script:Exe = & (Import-Module (Join-Path $script:RepoRoot 'module/VssSession.psd1') -PassThru -Force) { $script:Executable }

function Start-TestWorld {
    $root = Join-Path ([System.IO.Path]::GetTempPath()) ("vssp-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $world = [pscustomobject]@{
        Root   = $root
        Home   = Join-Path $root 'h'
        Volume = Join-Path $root 'volume'
    }
    New-Item -ItemType Directory -Path $world.Volume -Force | Out-Null
    Set-Content -LiteralPath (Join-Path $world.Volume 'ledger.txt') -Value 'balance: 100'
    $env:VSS_SESSION_HOME = $world.Home
    $world
}

# The emulated writers of the test world's service (its writers.json, created with the state folder if need be); the
# service reads it at each component object. Clear-Writers removes it: the built-in writers again.
function Set-Writers([object[]] $Writers) {
    New-Item -ItemType Directory -Path $env:VSS_SESSION_HOME -Force | Out-Null
    ConvertTo-Json -InputObject $Writers -Depth 8 | Set-Content -LiteralPath (Get-WritersFile)
}
function Get-WritersFile { Join-Path $env:VSS_SESSION_HOME 'writers.json' }
function Clear-Writers { Remove-Item -LiteralPath (Get-WritersFile) -ErrorAction SilentlyContinue }

function Stop-TestWorld([psobject] $World) {
    & $script:Exe emulator stop | Out-Null
    Remove-Item -LiteralPath $World.Root -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item Env:VSS_SESSION_HOME -ErrorAction SilentlyContinue
}

function Get-Journal([string] $SnapshotSetId) {
    $entries = @(& $script:Exe emulator journal --json | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
    if ($SnapshotSetId) { $entries = @($entries | Where-Object { $_.snapshotSetId -eq $SnapshotSetId }) }
    $entries
}
