# The cmdlets end to end on the emulated VSS service: every call goes through the host, edge-js, the C#
# binding and the emulated component object's vtables, and the writers' journal shows what VSS delivered.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:World = Start-TestWorld
}

AfterAll {
    Stop-TestWorld $script:World
}

Describe 'New-VssBackup' {
    It 'starts a backup in its own host process, with the writers gathered' {
        $backup = New-VssBackup
        try {
            $backup.PSObject.TypeNames | Should -Contain 'VssSession.Backup'
            $backup.Context | Should -Be 'Backup'
            $backup.BackupType | Should -Be 'Copy'
            $backup.State | Should -Be 'metadataGathered'
            $backup.Writers.Name | Sort-Object | Should -Be @('Emulated Database Writer', 'Emulated Registry Writer')
            $backup.Writers.State | Should -Be @('Stable', 'Stable')
            (Get-Process -Id $backup.HostProcessId).Id | Should -Be $backup.HostProcessId
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }

    It 'rejects an unknown context before starting anything' {
        { New-VssBackup -Context Nightly } | Should -Throw -ErrorId 'ParameterArgumentValidationError,New-VssBackup'
    }
}

Describe 'Backup types' {
    It 'a Copy backup (the default) selects no component, so no writer history moves' {
        $backup = New-VssBackup
        try {
            $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
            $completed = $backup | Complete-VssBackup
            $completed.Components | Should -BeNullOrEmpty
            # What each writer was told at PrepareForBackup (SetBackupState): VSS_BT_COPY.
            @(Get-Journal $set.SnapshotSetId | Where-Object event -EQ 'PrepareForBackup').backupType | Should -Be @('Copy', 'Copy')
            $ends = @(Get-Journal $set.SnapshotSetId | Where-Object event -EQ 'BackupComplete')
            $ends.Count | Should -Be 2
            foreach ($end in $ends) { @($end.components).Count | Should -Be 0 }
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }

    It 'a Full backup leaves out, never marks and warns about a component whose data is outside the snapshot set' {
        $outside = Join-Path $script:World.Root 'outside'
        New-Item -ItemType Directory -Path $outside -Force | Out-Null
        Set-Writers @(@{
                name       = 'Sql Writer'
                id         = '11111111-2222-3333-4444-555555555555'
                components = @(
                    @{ name = 'Sales'; databases = @(@{ path = $script:World.Volume; filespec = '*.mdf' }) },
                    @{ name = 'Archive'; databases = @(@{ path = $outside; filespec = '*.mdf' }) }
                )
            })
        $backup = New-VssBackup -BackupType Full
        try {
            $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
            $completed = $backup | Complete-VssBackup -WarningVariable warned -WarningAction SilentlyContinue
            $completed.Components.Name | Should -Be @('Sales')
            $completed.ComponentsLeftOut.Name | Should -Be @('Archive')
            $completed.ComponentsLeftOut[0].Reason | Should -Match 'on no volume of the snapshot set'
            $completed.ComponentsLeftOut[0].PSObject.TypeNames | Should -Contain 'VssSession.ComponentLeftOut'
            "$warned" | Should -Match "Component 'Archive' of writer 'Sql Writer' was left out of this Full backup and not marked backed up"
            $end = Get-Journal $set.SnapshotSetId | Where-Object event -EQ 'BackupComplete'
            @($end.components).name | Should -Be @('Sales')
        } finally {
            $null = $backup | Close-VssBackup -Force
            Clear-Writers
        }
    }

    It 'a backup of type <BackupType> tells the writers so, and marks every component of every writer backed up before BackupComplete' -ForEach @(
        @{ BackupType = 'Full' }, @{ BackupType = 'Incremental' }, @{ BackupType = 'Differential' }, @{ BackupType = 'Log' }
    ) {
        $backup = New-VssBackup -BackupType $BackupType
        try {
            $backup.BackupType | Should -Be $BackupType
            $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
            @(Get-Journal $set.SnapshotSetId | Where-Object event -EQ 'PrepareForBackup').backupType | Should -Be @($BackupType, $BackupType)
            $completed = $backup | Complete-VssBackup
            $completed.Components.Name | Sort-Object | Should -Be @('Database', 'Registry')
            $completed.Components.BackupSucceeded | Should -Be @($true, $true)
            $completed.Components | ForEach-Object { $_.BackupStamp | Should -Match ([regex]::Escape([string]$set.SnapshotSetId)) }
            $completed.Components[0].PSObject.TypeNames | Should -Contain 'VssSession.BackupComponent'
            $ends = @(Get-Journal $set.SnapshotSetId | Where-Object event -EQ 'BackupComplete')
            $ends.Count | Should -Be 2
            foreach ($end in $ends) {
                @($end.components).Count | Should -Be 1
                $end.components[0].backupSucceeded | Should -BeTrue
            }
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }

    It 'a Full backup closed without Complete-VssBackup marks nothing and the writers see no BackupComplete' {
        $backup = New-VssBackup -BackupType Full
        $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
        $closed = $backup | Close-VssBackup -Force
        $closed.Writers.BackupCompleteReceived | Should -Be @($false, $false)
        @(Get-Journal $set.SnapshotSetId | Where-Object event -EQ 'BackupComplete').Count | Should -Be 0
    }
}

Describe 'A whole backup' {
    BeforeAll {
        $script:Backup = New-VssBackup
        $script:Set = $script:Backup | New-VssSnapshotSet -Volume $script:World.Volume
        $script:Snapshot = $script:Set.Snapshots[0]
        Set-Content -LiteralPath (Join-Path $script:World.Volume 'ledger.txt') -Value 'balance: 0'
        $script:ReadBack = Get-Content -LiteralPath (Join-Path $script:Snapshot.DevicePath 'ledger.txt')
        $script:Completed = $script:Backup | Complete-VssBackup
        $script:Closed = $script:Backup | Close-VssBackup -Confirm:$false
        $script:Journal = Get-Journal $script:Set.SnapshotSetId
    }

    It 'returns a snapshot set with one snapshot per volume' {
        $script:Set.PSObject.TypeNames | Should -Contain 'VssSession.SnapshotSet'
        $script:Set.SnapshotSetId | Should -BeOfType [guid]
        $script:Snapshot.PSObject.TypeNames | Should -Contain 'VssSession.Snapshot'
        $script:Snapshot.Volume | Should -Be $script:World.Volume
    }

    It 'reads a file from the snapshot as it was when the snapshot was taken' {
        $script:ReadBack | Should -Be 'balance: 100'
    }

    It 'delivers the writer events in VSS order' {
        $db = @($script:Journal | Where-Object writer -EQ 'Emulated Database Writer' | ForEach-Object event)
        $db | Should -Be @('PrepareForBackup', 'PrepareForSnapshot', 'Freeze', 'Thaw', 'PostSnapshot', 'BackupComplete', 'BackupShutdown')
    }

    It 'sends BackupShutdown once per writer, after BackupComplete, with backupCompleteReceived true' {
        $shutdowns = @($script:Journal | Where-Object event -EQ 'BackupShutdown')
        $shutdowns.Count | Should -Be 2
        $shutdowns.backupCompleteReceived | Should -Be @($true, $true)
        $script:Closed.Writers.BackupCompleteReceived | Should -Be @($true, $true)
    }

    It 'ends the auto-release snapshot with Close-VssBackup, and the host process with it' {
        $script:Closed.PSObject.TypeNames | Should -Contain 'VssSession.CloseResult'
        $script:Closed.EndedSnapshots | Should -Be @($script:Snapshot.SnapshotId)
        Test-Path -LiteralPath $script:Snapshot.DevicePath | Should -BeFalse
        Get-Process -Id $script:Backup.HostProcessId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses any call on the closed backup with VSS_E_BAD_STATE' {
        { $script:Backup | Complete-VssBackup -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_BAD_STATE,Complete-VssBackup'
        { $script:Backup | New-VssSnapshotSet -Volume $script:World.Volume -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_BAD_STATE,New-VssSnapshotSet'
    }
}

Describe 'Close-VssBackup without Complete-VssBackup' {
    It 'aborts a backup closed without Complete-VssBackup, and tells every writer at BackupShutdown that BackupComplete never came' {
        $backup = New-VssBackup
        $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
        $closed = $backup | Close-VssBackup -Force
        $closed.Writers.BackupCompleteReceived | Should -Be @($false, $false)
        $events = @(Get-Journal $set.SnapshotSetId)
        $shutdowns = @($events | Where-Object event -EQ 'BackupShutdown')
        $shutdowns.backupCompleteReceived | Should -Be @($false, $false)
        @($events | Where-Object event -EQ 'BackupComplete').Count | Should -Be 0
        # AbortBackup: the snapshot set was started and the backup never reached BackupComplete.
        foreach ($writer in $shutdowns.writer) {
            $mine = @($events | Where-Object writer -EQ $writer | ForEach-Object event)
            $mine[-2..-1] | Should -Be @('Abort', 'BackupShutdown') -Because "$writer gets Abort, then BackupShutdown"
        }
    }

    It 'does nothing under -WhatIf: the backup stays open' {
        $backup = New-VssBackup
        try {
            $backup | Close-VssBackup -WhatIf | Should -BeNullOrEmpty
            (Get-Process -Id $backup.HostProcessId).Id | Should -Be $backup.HostProcessId
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }
}

Describe 'New-VssSnapshotSet errors' {
    It 'names a missing volume with VSS_E_OBJECT_NOT_FOUND and the path' {
        $backup = New-VssBackup
        try {
            $missing = Join-Path $script:World.Root 'no-such-volume'
            $failure = $null
            try { $backup | New-VssSnapshotSet -Volume $missing -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_OBJECT_NOT_FOUND,New-VssSnapshotSet'
            $failure.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failure.Exception.Message | Should -BeLike "*$missing*"
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }
}

Describe 'Persistent snapshot sets, Get-VssSnapshotSet and Remove-VssSnapshotSet' {
    BeforeAll {
        $backup = New-VssBackup -Context ClientAccessible
        $script:Persistent = $backup | New-VssSnapshotSet -Volume $script:World.Volume
        $script:PersistentClose = $backup | Close-VssBackup -Force
    }

    It 'keeps a ClientAccessible snapshot after Close-VssBackup' {
        $script:Persistent.Persistent | Should -BeTrue
        $script:PersistentClose.KeptSnapshots | Should -Be @($script:Persistent.Snapshots[0].SnapshotId)
        Test-Path -LiteralPath $script:Persistent.Snapshots[0].DevicePath | Should -BeTrue
    }

    It 'finds it with Get-VssSnapshotSet' {
        $found = Get-VssSnapshotSet -SnapshotSetId $script:Persistent.SnapshotSetId
        $found.SnapshotSetId | Should -Be $script:Persistent.SnapshotSetId
        $found.Context | Should -Be 'ClientAccessible'
    }

    It 'deletes nothing under -WhatIf' {
        Remove-VssSnapshotSet -SnapshotSetId $script:Persistent.SnapshotSetId -WhatIf | Should -BeNullOrEmpty
        Get-VssSnapshotSet -SnapshotSetId $script:Persistent.SnapshotSetId | Should -Not -BeNullOrEmpty
    }

    It 'deletes it from a fresh PowerShell with no backup open' {
        $pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
        $manifest = Join-Path $PSScriptRoot '../../module/VssSession.psd1'
        $command = "Import-Module '$manifest'; Get-VssSnapshotSet -SnapshotSetId $($script:Persistent.SnapshotSetId) | Remove-VssSnapshotSet -Confirm:`$false | ConvertTo-Json -Compress"
        $output = & $pwsh -NoProfile -NonInteractive -Command $command
        $LASTEXITCODE | Should -Be 0
        ($output | ConvertFrom-Json).Deleted | Should -Be 1
        Test-Path -LiteralPath $script:Persistent.Snapshots[0].DevicePath | Should -BeFalse
        Get-VssSnapshotSet -SnapshotSetId $script:Persistent.SnapshotSetId | Should -BeNullOrEmpty
    }

    It 'reports an unknown snapshot set as VSS_E_OBJECT_NOT_FOUND with the id as target' {
        $id = [guid]::NewGuid()
        $failure = $null
        try { Remove-VssSnapshotSet -SnapshotSetId $id -Force -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_OBJECT_NOT_FOUND,Remove-VssSnapshotSet'
        $failure.TargetObject | Should -Be $id
    }
}
