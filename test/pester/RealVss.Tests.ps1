# The cmdlets against the real Volume Shadow Copy Service: Windows, elevated, not the emulator. Elsewhere each
# test is skipped with the reason; the same code paths run on the emulator through the same COM vtables.
BeforeAll {
    $script:SkipReason = if (-not $IsWindows) {
        "needs real Windows VSS (Windows, elevated); this run is on $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"
    } elseif ($env:VSS_SESSION_EMULATOR -eq '1') {
        'VSS_SESSION_EMULATOR=1 sends every call to the emulator'
    } elseif (-not ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        'needs an elevated PowerShell (VSS requires the Backup privilege)'
    }
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:SystemVolume = "$env:SystemDrive\"
}

Describe 'Real VSS' -Tag 'RealVss' {
    It 'snapshots the system volume, reads a file through the snapshot, completes and closes' {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason; return }
        $backup = New-VssBackup
        try {
            $backup.Writers.Count | Should -BeGreaterThan 0
            $set = $backup | New-VssSnapshotSet -Volume $script:SystemVolume
            $snapshot = $set.Snapshots[0]
            $snapshot.DevicePath | Should -BeLike '\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy*'
            Get-Content -LiteralPath (Join-Path $snapshot.DevicePath 'Windows\win.ini') -TotalCount 1 | Should -Not -BeNullOrEmpty
            $null = $backup | Complete-VssBackup
        } finally {
            $closed = $backup | Close-VssBackup -Force
        }
        $closed.EndedSnapshots | Should -Contain $snapshot.SnapshotId
        Get-VssSnapshotSet -SnapshotSetId $set.SnapshotSetId | Should -BeNullOrEmpty
    }

    It 'keeps a ClientAccessible snapshot after Close and deletes it with Remove-VssSnapshotSet' {
        if ($script:SkipReason) { Set-ItResult -Skipped -Because $script:SkipReason; return }
        $backup = New-VssBackup -Context ClientAccessible
        try {
            $set = $backup | New-VssSnapshotSet -Volume $script:SystemVolume
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        (Get-VssSnapshotSet -SnapshotSetId $set.SnapshotSetId).SnapshotSetId | Should -Be $set.SnapshotSetId
        (Remove-VssSnapshotSet -SnapshotSetId $set.SnapshotSetId -Force).Deleted | Should -Be 1
        { Remove-VssSnapshotSet -SnapshotSetId $set.SnapshotSetId -Force -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_OBJECT_NOT_FOUND,Remove-VssSnapshotSet'
    }
}
