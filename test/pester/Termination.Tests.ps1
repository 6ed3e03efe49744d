# Ending backups on the failure paths, as a PowerShell user meets them: failing writers, aborts, a bad writers
# file, and a PowerShell that is killed while it holds a backup.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:World = Start-TestWorld
    New-Item -ItemType Directory -Path $script:World.Home -Force | Out-Null
    $script:WritersFile = Get-WritersFile
}

AfterAll {
    Stop-TestWorld $script:World
}

Describe 'Ending backups on the failure paths' {
AfterEach {
    Clear-Writers
}

Describe 'A writer that fails' {
    It 'fails New-VssSnapshotSet with the writer''s error, names it, and aborts the backup before reporting' {
        Set-Writers @(@{ name = 'Ledger Writer'; id = '11111111-2222-3333-4444-555555555555'; failOn = @{ PrepareForBackup = 'VSS_E_WRITERERROR_NONRETRYABLE' } })
        $backup = New-VssBackup
        $failure = $null
        try { $backup | New-VssSnapshotSet -Volume $script:World.Volume -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_WRITERERROR_NONRETRYABLE,New-VssSnapshotSet'
        $failure.CategoryInfo.Category | Should -Be 'OperationStopped'
        $failure.Exception.Message | Should -BeLike "*'Ledger Writer' is FailedAtPrepareBackup*"
        $closed = $backup | Close-VssBackup -Force
        $closed.Writers.BackupCompleteReceived | Should -Be @($false)
        $events = @(Get-Journal | Where-Object writer -EQ 'Ledger Writer' | Select-Object -Last 3 | ForEach-Object event)
        $events | Should -Be @('PrepareForBackup', 'Abort', 'BackupShutdown')
    }

    It 'warns after Complete-VssBackup when a writer failed handling BackupComplete' {
        Set-Writers @(@{ name = 'Ledger Writer'; id = '11111111-2222-3333-4444-555555555555'; failOn = @{ BackupComplete = 'VSS_E_WRITERERROR_RETRYABLE' } })
        $backup = New-VssBackup
        $null = $backup | New-VssSnapshotSet -Volume $script:World.Volume
        $completed = $backup | Complete-VssBackup -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -HaveCount 1
        "$warnings" | Should -BeLike "*Ledger Writer*FailedAtBackupComplete*VSS_E_WRITERERROR_RETRYABLE*"
        $completed.State | Should -Be 'completed'
        ($backup | Close-VssBackup -Force).Writers.BackupCompleteReceived | Should -Be @($true)
    }

    It 'refuses a bad writers file with VSS_E_WRITER_INFRASTRUCTURE naming the file and the field' {
        Set-Content -LiteralPath $script:WritersFile -Value '[{ "name": "No Id" }]'
        $failure = $null
        try { New-VssBackup -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_WRITER_INFRASTRUCTURE,New-VssBackup'
        $failure.Exception.Message | Should -BeLike "*$($script:WritersFile)*entry 0*field ""id""*"
    }
    It 'refuses Complete-VssBackup after a failed New-VssSnapshotSet: VSS_E_BAD_STATE, and no writer ever gets BackupComplete' {
        Set-Writers @(@{ name = 'Failing Writer'; id = '11111111-2222-3333-4444-555555555555'; failOn = @{ Freeze = 'VSS_E_WRITERERROR_NONRETRYABLE' } })
        $before = @(Get-Journal).Count
        $backup = New-VssBackup
        try {
            { $backup | New-VssSnapshotSet -Volume $script:World.Volume -ErrorAction Stop } | Should -Throw
            $failure = $null
            try { $backup | Complete-VssBackup -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_BAD_STATE,Complete-VssBackup'
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        $events = @(Get-Journal | Select-Object -Skip $before | Where-Object writer -EQ 'Failing Writer' | ForEach-Object event)
        $events | Should -Not -Contain 'BackupComplete'
        $events[-2..-1] | Should -Be @('Abort', 'BackupShutdown')
    }
}

Describe 'Stop-VssBackup' {
    It 'aborts: writers get Abort, and Close-VssBackup still ends the backup' {
        $backup = New-VssBackup
        $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
        $aborted = $backup | Stop-VssBackup -Force
        $aborted.State | Should -Be 'aborted'
        { $backup | Complete-VssBackup -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_BAD_STATE,Complete-VssBackup'
        $null = $backup | Close-VssBackup -Force
        $events = @(Get-Journal $set.SnapshotSetId | ForEach-Object event)
        $events[-4..-1] | Should -Be @('Abort', 'Abort', 'BackupShutdown', 'BackupShutdown')
        Test-Path -LiteralPath $set.Snapshots[0].DevicePath | Should -BeFalse
    }

    It 'asks before aborting, and does nothing under -WhatIf' {
        $backup = New-VssBackup
        try {
            $null = $backup | New-VssSnapshotSet -Volume $script:World.Volume
            $backup | Stop-VssBackup -WhatIf | Should -BeNullOrEmpty
            ($backup | Complete-VssBackup).State | Should -Be 'completed'
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        (Get-Command Stop-VssBackup).Parameters.ContainsKey('Confirm') | Should -BeTrue
    }
}

Describe 'A PowerShell killed while it holds a backup' {
    It 'never leaves the backup open: writers get Abort and BackupShutdown, the snapshot ends' {
        $pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
        $manifest = Join-Path $PSScriptRoot '../../module/VssSession.psd1'
        $script = "Import-Module '$manifest'; `$b = New-VssBackup; `$s = `$b | New-VssSnapshotSet -Volume '$($script:World.Volume)'; Write-Output `"ready `$(`$s.SnapshotSetId) `$(`$b.HostProcessId) `$(`$s.Snapshots[0].DevicePath)`"; Start-Sleep -Seconds 60"
        $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $script) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $child = [System.Diagnostics.Process]::Start($info)
        try {
            $line = $child.StandardOutput.ReadLine()
            $line | Should -Match '^ready '
            $null, $setId, $hostPid, $devicePath = $line -split ' ', 4
            $child.Kill()   # SIGKILL: no PowerShell clean-up runs
            $child.WaitForExit()
            $deadline = (Get-Date).AddSeconds(10)
            do {
                Start-Sleep -Milliseconds 100
                $shutdowns = @(Get-Journal $setId | Where-Object event -EQ 'BackupShutdown')
            } until ($shutdowns.Count -eq 2 -or (Get-Date) -gt $deadline)
            $shutdowns.backupCompleteReceived | Should -Be @($false, $false)
            @(Get-Journal $setId | Where-Object event -EQ 'Abort').Count | Should -Be 2
            Test-Path -LiteralPath $devicePath | Should -BeFalse
            # The host saw its stdin close, ended the backup, and exits.
            Wait-Process -Id $hostPid -Timeout 10 -ErrorAction SilentlyContinue
            Get-Process -Id $hostPid -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        } finally {
            if (-not $child.HasExited) { $child.Kill() }
        }
    }
}

Describe 'Volumes VSS cannot snapshot' {
    It 'names a file given as a volume with VSS_E_VOLUME_NOT_SUPPORTED' {
        $backup = New-VssBackup
        try {
            $file = Join-Path $script:World.Volume 'ledger.txt'
            { $backup | New-VssSnapshotSet -Volume $file -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_VOLUME_NOT_SUPPORTED,New-VssSnapshotSet'
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }
}

Describe 'A DeleteSnapshots that fails part-way' {
    It 'reports how many snapshots it deleted and the one it could not delete' {
        $second = Join-Path $script:World.Root 'second-volume'
        New-Item -ItemType Directory -Path $second -Force | Out-Null
        $backup = New-VssBackup -Context ClientAccessible
        $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume, $second
        $null = $backup | Close-VssBackup -Force
        $stuck = $set.Snapshots[1].SnapshotId
        $provider = Join-Path $script:World.Home 'provider.json'
        @{ failDelete = @("$stuck") } | ConvertTo-Json | Set-Content -LiteralPath $provider
        try {
            $result = Remove-VssSnapshotSet -SnapshotSetId $set.SnapshotSetId -Force -ErrorVariable failures -ErrorAction SilentlyContinue
            $result.Deleted | Should -Be 1
            $result.NondeletedSnapshotId | Should -Be $stuck
            # -ErrorVariable also keeps the exceptions the command caught on its way; its own record is the one named.
            $failure = @($failures | Where-Object FullyQualifiedErrorId -EQ 'VSS_E_UNEXPECTED_PROVIDER_ERROR,Remove-VssSnapshotSet')
            $failure.Count | Should -Be 1
            $failure[0].Exception.Message | Should -BeLike "*could not delete $stuck*"
            @(Get-VssSnapshot -SnapshotSetId $set.SnapshotSetId).SnapshotId | Should -Be @($stuck)
        } finally {
            Remove-Item -LiteralPath $provider
            $null = Remove-VssSnapshotSet -SnapshotSetId $set.SnapshotSetId -Force
        }
    }

}

Describe 'Per-phase time limits' {
    It 'cancels a DoSnapshotSet past -SnapshotTimeout, aborts the backup, and names the phase and the limit' {
        Set-Writers @(@{ name = 'Slow Writer'; id = '11111111-2222-3333-4444-555555555555'; delayMs = @{ Freeze = 1500 } })
        $backup = New-VssBackup -SnapshotTimeout ([timespan]::FromMilliseconds(300))
        try {
            $failure = $null
            try { $backup | New-VssSnapshotSet -Volume $script:World.Volume -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -Be 'ERROR_TIMEOUT,New-VssSnapshotSet'
            $failure.Exception.Message | Should -BeLike '*snapshot phase (DoSnapshotSet)*time limit of 0.3 s*-SnapshotTimeout*'
            (Get-VssWriter -Backup $backup).State | Should -Not -BeNullOrEmpty
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        @(Get-Journal | Where-Object writer -EQ 'Slow Writer' | Select-Object -Last 2 | ForEach-Object event) | Should -Be @('Abort', 'BackupShutdown')
    }

    It 'cancels a GatherWriterMetadata past -MetadataTimeout: New-VssBackup fails naming the phase, and the writers get BackupShutdown' {
        Set-Writers @(@{ name = 'Slow Writer'; id = '11111111-2222-3333-4444-555555555555'; delayMs = @{ Identify = 1500 } })
        $before = @(Get-Journal).Count
        $failure = $null
        try { $null = New-VssBackup -MetadataTimeout ([timespan]::FromMilliseconds(300)) -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Be 'ERROR_TIMEOUT,New-VssBackup'
        $failure.Exception.Message | Should -BeLike '*metadata phase (GatherWriterMetadata)*time limit of 0.3 s*-MetadataTimeout*'
        # No snapshot set was started, so there is nothing to abort: the component object is released at once.
        $events = @(Get-Journal | Select-Object -Skip $before | Where-Object writer -EQ 'Slow Writer' | ForEach-Object event)
        $events | Should -Contain 'BackupShutdown'
        $events | Should -Not -Contain 'PrepareForBackup'
    }

    It 'cancels a PrepareForBackup past -PrepareTimeout and aborts the backup before reporting it' {
        Set-Writers @(@{ name = 'Slow Writer'; id = '11111111-2222-3333-4444-555555555555'; delayMs = @{ PrepareForBackup = 1500 } })
        $before = @(Get-Journal).Count
        $backup = New-VssBackup -PrepareTimeout ([timespan]::FromMilliseconds(300))
        try {
            $failure = $null
            try { $backup | New-VssSnapshotSet -Volume $script:World.Volume -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -Be 'ERROR_TIMEOUT,New-VssSnapshotSet'
            $failure.Exception.Message | Should -BeLike '*prepare phase (PrepareForBackup)*time limit of 0.3 s*-PrepareTimeout*'
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        $events = @(Get-Journal | Select-Object -Skip $before | Where-Object writer -EQ 'Slow Writer' | ForEach-Object event)
        $events | Should -Not -Contain 'Freeze'
        $events[-2..-1] | Should -Be @('Abort', 'BackupShutdown')
    }

    It 'cancels a BackupComplete past -CompleteTimeout and names the phase; the backup still ends with BackupShutdown' {
        Set-Writers @(@{ name = 'Slow Writer'; id = '11111111-2222-3333-4444-555555555555'; delayMs = @{ BackupComplete = 1500 } })
        $backup = New-VssBackup -CompleteTimeout ([timespan]::FromMilliseconds(300))
        try {
            $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
            $failure = $null
            try { $backup | Complete-VssBackup -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -Be 'ERROR_TIMEOUT,Complete-VssBackup'
            $failure.Exception.Message | Should -BeLike '*complete phase (BackupComplete)*time limit of 0.3 s*-CompleteTimeout*'
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        @(Get-Journal $set.SnapshotSetId | Where-Object writer -EQ 'Slow Writer' | ForEach-Object event)[-1] | Should -Be 'BackupShutdown'
    }
}

Describe 'Another snapshot set in progress' {
    It 'fails at once with -RetryTimeout 0, and otherwise retries with backoff, each retry shown with -Verbose, until the other set is made' {
        Set-Writers @(@{ name = 'Slow Writer'; id = '11111111-2222-3333-4444-555555555555'; delayMs = @{ Freeze = 2500 } })
        $other = Join-Path $script:World.Root 'other-volume'
        New-Item -ItemType Directory -Path $other -Force | Out-Null
        $before = @(Get-Journal).Count
        # Another requester: a whole backup by the executable, its snapshot set in the making for 2.5 s (the slow Freeze).
        $requester = Start-Process -FilePath $script:Exe -ArgumentList 'backup', '--volume', $other -PassThru -RedirectStandardOutput (Join-Path $script:World.Root 'other.out')
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not @(Get-Journal | Select-Object -Skip $before | Where-Object event -EQ 'PrepareForSnapshot').Count -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }

            $impatient = New-VssBackup -RetryTimeout ([timespan]::Zero)
            try {
                $failure = $null
                try { $impatient | New-VssSnapshotSet -Volume $script:World.Volume -ErrorAction Stop } catch { $failure = $_ }
                $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_SNAPSHOT_SET_IN_PROGRESS,New-VssSnapshotSet'
            } finally {
                $null = $impatient | Close-VssBackup -Force
            }

            $backup = New-VssBackup
            try {
                $output = @($backup | New-VssSnapshotSet -Volume $script:World.Volume -Verbose 4>&1)
                $retries = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*VSS_E_SNAPSHOT_SET_IN_PROGRESS; retry*' })
                $retries.Count | Should -BeGreaterThan 1 -Because 'the other set takes 2.5 s to make'
                $retries[0].Message | Should -BeLike 'VSS StartSnapshotSet got VSS_E_SNAPSHOT_SET_IN_PROGRESS; retry 1 in *'
                $retries[1].Message | Should -BeLike '*retry 2 in *'
                @($output | Where-Object { $_.PSObject.Properties['SnapshotSetId'] }).Count | Should -Be 1
            } finally {
                $null = $backup | Close-VssBackup -Force
            }
        } finally {
            if (-not $requester.WaitForExit(30000)) { Stop-Process -Id $requester.Id -Force }
        }
        $requester.ExitCode | Should -Be 0
    }
}
}
