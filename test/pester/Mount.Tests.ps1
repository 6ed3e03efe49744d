# Mount-VssSnapshot / Dismount-VssSnapshot (ExposeSnapshot / UnexposeSnapshot) through the cmdlets on the emulated
# VSS service, which exposes a snapshot at a folder; exposures made inside Invoke-VssBackup are always undone, even
# when the PowerShell running it is killed.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:World = Start-TestWorld
    $script:Mounts = Join-Path $script:World.Root 'mounts'
    New-Item -ItemType Directory -Path $script:Mounts -Force | Out-Null

    # A persistent AppRollback snapshot of the test volume (the context VSS exposes locally); returns the snapshot.
    function New-RollbackSnapshot {
        $backup = New-VssBackup -Context AppRollback
        try {
            ($backup | New-VssSnapshotSet -Volume $script:World.Volume).Snapshots[0]
            $null = $backup | Complete-VssBackup
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }

    function New-MountPath { Join-Path $script:Mounts ([guid]::NewGuid().ToString('N').Substring(0, 8)) }
}

AfterAll {
    Stop-TestWorld $script:World
}

Describe 'Mount-VssSnapshot and Dismount-VssSnapshot' {
    AfterEach { $null = Get-VssSnapshotSet -Persistent | Remove-VssSnapshotSet -Force -ErrorAction SilentlyContinue }

    It 'exposes a snapshot at a folder, where its files read as they were, and Dismount-VssSnapshot undoes it' {
        $snapshot = New-RollbackSnapshot
        Set-Content -LiteralPath (Join-Path $script:World.Volume 'ledger.txt') -Value 'balance: 0'
        $at = New-MountPath
        try {
            $mounted = $snapshot | Mount-VssSnapshot -Path $at
            $mounted.PSObject.TypeNames | Should -Contain 'VssSession.Snapshot'
            $mounted.ExposedPath | Should -Be $at
            Get-Content -LiteralPath (Join-Path $at 'ledger.txt') | Should -Be 'balance: 100'
            (Get-VssSnapshot -SnapshotId $snapshot.SnapshotId).ExposedPath | Should -Be $at

            $dismounted = $mounted | Dismount-VssSnapshot
            $dismounted.ExposedPath | Should -BeNullOrEmpty
            Test-Path -LiteralPath $at | Should -BeFalse
            (Get-VssSnapshot -SnapshotId $snapshot.SnapshotId).ExposedPath | Should -BeNullOrEmpty
        } finally {
            Set-Content -LiteralPath (Join-Path $script:World.Volume 'ledger.txt') -Value 'balance: 100'
        }
    }

    It 'takes a relative path from the current location, and refuses a folder that is not empty' {
        $snapshot = New-RollbackSnapshot
        Push-Location $script:Mounts
        try {
            $mounted = Mount-VssSnapshot -SnapshotId $snapshot.SnapshotId -Path 'relative'
            $mounted.ExposedPath | Should -Be (Join-Path $script:Mounts 'relative')
            $null = Dismount-VssSnapshot -SnapshotId $snapshot.SnapshotId
        } finally {
            Pop-Location
        }
        $busy = New-MountPath
        New-Item -ItemType Directory -Path $busy | Out-Null
        Set-Content -LiteralPath (Join-Path $busy 'keep.txt') -Value 'mine'
        $failed = { Mount-VssSnapshot -SnapshotId $snapshot.SnapshotId -Path $busy -ErrorAction Stop } | Should -Throw -ErrorId 'E_INVALIDARG,Mount-VssSnapshot' -PassThru
        $failed.Exception.Message | Should -BeLike '*empty folder*'
        Get-Content -LiteralPath (Join-Path $busy 'keep.txt') | Should -Be 'mine'
    }

    It 'refuses an auto-release snapshot, which has RootPath to be read through instead' {
        $backup = New-VssBackup
        try {
            $snapshot = ($backup | New-VssSnapshotSet -Volume $script:World.Volume).Snapshots[0]
            $snapshot.RootPath | Should -Be $snapshot.DevicePath -Because "the emulator's device paths are folders already"
            Get-Content -LiteralPath (Join-Path $snapshot.RootPath 'ledger.txt') | Should -Be 'balance: 100'
            $failed = { $snapshot | Mount-VssSnapshot -Path (New-MountPath) -ErrorAction Stop } | Should -Throw -ErrorId 'E_INVALIDARG,Mount-VssSnapshot' -PassThru
            $failed.Exception.Message | Should -BeLike '*auto-release*'
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }

    It 'NasRollback (persistent, no writers) makes snapshots it exposes; ClientAccessible ones are refused, naming both contexts' {
        $before = @(Get-Journal).Count
        $backup = New-VssBackup -Context NasRollback
        try {
            $backup.Writers | Should -BeNullOrEmpty -Because 'no writer takes part in NasRollback'
            $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
            $null = $backup | Complete-VssBackup
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        @(Get-Journal).Count | Should -Be $before -Because 'writers get no event at all, BackupShutdown included'
        $listed = Get-VssSnapshotSet -SnapshotSetId $set.SnapshotSetId
        $listed.Context | Should -Be 'NasRollback'
        $listed.Persistent | Should -BeTrue
        $at = New-MountPath
        $null = $listed.Snapshots[0] | Mount-VssSnapshot -Path $at
        Get-Content -LiteralPath (Join-Path $at 'ledger.txt') | Should -Be 'balance: 100'
        $null = $listed.Snapshots[0] | Dismount-VssSnapshot -Confirm:$false

        $client = New-VssBackup -Context ClientAccessible
        try {
            $other = ($client | New-VssSnapshotSet -Volume $script:World.Volume).Snapshots[0]
        } finally {
            $null = $client | Close-VssBackup -Force
        }
        $failed = { $other | Mount-VssSnapshot -Path (New-MountPath) -ErrorAction Stop } | Should -Throw -ErrorId 'E_INVALIDARG,Mount-VssSnapshot' -PassThru
        $failed.Exception.Message | Should -BeLike '*only AppRollback and NasRollback snapshots can be exposed locally*'
    }

    It 'says which snapshot is not exposed when Dismount-VssSnapshot has nothing to undo' {
        $snapshot = New-RollbackSnapshot
        $failed = { $snapshot | Dismount-VssSnapshot -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_OBJECT_NOT_FOUND,Dismount-VssSnapshot' -PassThru
        $failed.TargetObject | Should -Be $snapshot.SnapshotId
        $failed.Exception.Message | Should -BeLike '*not exposed*'
    }
}

Describe 'Exposures inside Invoke-VssBackup' {
    AfterEach { $null = Get-VssSnapshotSet -Persistent | Remove-VssSnapshotSet -Force -ErrorAction SilentlyContinue }

    It 'are undone when the script block ends, and when it throws' {
        $ok = New-MountPath
        $seen = Invoke-VssBackup -Volume $script:World.Volume -Context AppRollback -ScriptBlock {
            param($Snapshots)
            $null = $Snapshots[0] | Mount-VssSnapshot -Path $ok
            Get-Content -LiteralPath (Join-Path $ok 'ledger.txt')
        }
        $seen | Should -Be 'balance: 100'
        Test-Path -LiteralPath $ok | Should -BeFalse

        $thrown = New-MountPath
        {
            Invoke-VssBackup -Volume $script:World.Volume -Context AppRollback -ScriptBlock {
                param($Snapshots)
                $null = $Snapshots[0] | Mount-VssSnapshot -Path $thrown
                throw 'the copy failed'
            }
        } | Should -Throw '*the copy failed*'
        Test-Path -LiteralPath $thrown | Should -BeFalse
    }

    It 'left by a killed PowerShell are undone by the next command that touches snapshots' {
        $at = New-MountPath
        $pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
        $manifest = Join-Path $PSScriptRoot '../../module/VssSession.psd1'
        $script = "Import-Module '$manifest'; Invoke-VssBackup -Volume '$($script:World.Volume)' -Context AppRollback -ScriptBlock { param(`$s) `$null = `$s[0] | Mount-VssSnapshot -Path '$at'; Write-Output 'mounted'; [Console]::Out.Flush(); Start-Sleep -Seconds 60 }"
        $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $script) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $child = [System.Diagnostics.Process]::Start($info)
        try {
            $child.StandardOutput.ReadLine() | Should -Be 'mounted'
            Test-Path -LiteralPath (Join-Path $at 'ledger.txt') | Should -BeTrue
            $child.Kill()   # SIGKILL: no finally block runs
            $child.WaitForExit()
        } finally {
            if (-not $child.HasExited) { $child.Kill() }
        }
        Test-Path -LiteralPath $at | Should -BeTrue -Because 'nothing has touched snapshots since'
        $null = Get-VssSnapshot
        Test-Path -LiteralPath $at | Should -BeFalse
        @(Get-ChildItem -LiteralPath (Join-Path $script:World.Home 'exposures') -Filter '*.json') | Should -BeNullOrEmpty
    }

    It 'made outside Invoke-VssBackup are the user''s and stay' {
        $snapshot = New-RollbackSnapshot
        $at = New-MountPath
        $null = $snapshot | Mount-VssSnapshot -Path $at
        $null = Get-VssSnapshot
        Test-Path -LiteralPath (Join-Path $at 'ledger.txt') | Should -BeTrue
        $null = $snapshot | Dismount-VssSnapshot
    }
}
