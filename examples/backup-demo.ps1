# A whole backup on the emulated VSS service: snapshot a folder, read a file from the snapshot, complete and
# close, showing the writer events as they happen. Then the failure path: a backup closed without
# Complete-VssBackup, where writers learn at BackupShutdown that the backup failed.
#Requires -Version 7.2
$ErrorActionPreference = 'Stop'
Import-Module VssSession

$exe = & (Get-Module VssSession) { $script:Executable }   # the module's own vss-session, for the journal
$demo = Join-Path ([System.IO.Path]::GetTempPath()) "vss-session-demo-$PID"
$env:VSS_SESSION_HOME = Join-Path $demo 'home'
$volume = Join-Path $demo 'volume'
New-Item -ItemType Directory -Path $volume -Force | Out-Null
Set-Content -LiteralPath (Join-Path $volume 'ledger.txt') -Value 'balance: 100'

$seen = 0
function Show-WriterEvents {
    $lines = @(& $exe emulator journal --json)
    foreach ($line in $lines[$script:seen..($lines.Count)]) {
        if (-not $line) { continue }
        $e = $line | ConvertFrom-Json
        $extra = if ($null -ne $e.PSObject.Properties['backupCompleteReceived']) { "  backupCompleteReceived: $($e.backupCompleteReceived.ToString().ToLower())" } else { '' }
        '    {0,-18} {1,-26} state {2}{3}' -f $e.event, $e.writer, $e.state, $extra | Write-Host
    }
    $script:seen = $lines.Count
}

try {
    Write-Host "== A backup that succeeds (emulated VSS service under $env:VSS_SESSION_HOME)"
    $backup = New-VssBackup
    Write-Host "New-VssBackup: backup $($backup.BackupId), $($backup.Writers.Count) writers, host pid $($backup.HostProcessId)"
    Show-WriterEvents

    $set = $backup | New-VssSnapshotSet -Volume $volume
    $snapshot = $set.Snapshots[0]
    Write-Host "New-VssSnapshotSet: set $($set.SnapshotSetId), $($snapshot.Volume) -> $($snapshot.DevicePath)"
    Show-WriterEvents

    Set-Content -LiteralPath (Join-Path $volume 'ledger.txt') -Value 'balance: 0 (changed after the snapshot)'
    Write-Host "Read from the snapshot: $(Get-Content -LiteralPath (Join-Path $snapshot.DevicePath 'ledger.txt'))"
    Write-Host "Read from the volume:   $(Get-Content -LiteralPath (Join-Path $volume 'ledger.txt'))"

    $null = $backup | Complete-VssBackup
    Write-Host 'Complete-VssBackup:'
    Show-WriterEvents

    $closed = $backup | Close-VssBackup -Force
    Write-Host "Close-VssBackup: ended snapshots $($closed.EndedSnapshots -join ', ')"
    Show-WriterEvents
    Write-Host "Snapshot folder still there after Close: $(Test-Path -LiteralPath $snapshot.DevicePath)"

    Write-Host ''
    Write-Host '== A backup closed without Complete-VssBackup (the writers treat it as failed)'
    $failed = New-VssBackup
    $null = $failed | New-VssSnapshotSet -Volume $volume
    $null = $failed | Close-VssBackup -Force
    Show-WriterEvents
} finally {
    & $exe emulator stop | Out-Null
    Remove-Item -LiteralPath $demo -Recurse -Force -ErrorAction SilentlyContinue
}
