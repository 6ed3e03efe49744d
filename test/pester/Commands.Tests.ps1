# Every command's parameters and behaviour beyond a single backup: writers, snapshots, selection, pipelines,
# Invoke-VssBackup's always-terminate rule, and the -Verbose / -Debug streams.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:World = Start-TestWorld
    $script:Second = Join-Path $script:World.Root 'second'
    New-Item -ItemType Directory -Path $script:Second | Out-Null
    Set-Content -LiteralPath (Join-Path $script:Second 'notes.txt') -Value 'notes'

    function New-PersistentSet([string[]] $Volume) {
        $b = New-VssBackup -Context ClientAccessible
        try { $b | New-VssSnapshotSet -Volume $Volume } finally { $null = $b | Close-VssBackup -Force }
    }
    function Get-HostChildren { @(Get-Process -Name vss-session -ErrorAction SilentlyContinue | Where-Object { $_.Parent.Id -eq $PID -and -not $_.HasExited } | ForEach-Object Id) }
}

AfterAll {
    Stop-TestWorld $script:World
}

Describe 'Get-VssProvider' {
    It 'lists the emulated software provider, as provider.json names it, in the table view' {
        $provider = @(Get-VssProvider)
        $provider.Count | Should -Be 1
        $provider[0].PSObject.TypeNames | Should -Contain 'VssSession.Provider'
        $provider[0].Name | Should -Be 'VssSession Emulated Software Provider'
        $provider[0].Type | Should -Be 'Software'
        $provider[0].ProviderId | Should -Be ([guid]'b5946137-7b9f-4925-af80-51abd60b20d5')
        $file = Join-Path $env:VSS_SESSION_HOME 'provider.json'
        try {
            Set-Content -LiteralPath $file -Value '{ "name": "Contoso Array Provider", "version": "7.2.0.1", "type": "Hardware" }'
            $table = Get-VssProvider | Out-String -Width 200
            $table | Should -Match 'Name\s+Type\s+Version\s+ProviderId'
            $table | Should -Match 'Contoso Array Provider\s+Hardware\s+7\.2\.0\.1'
            Set-Content -LiteralPath $file -Value '{ "version": "" }'
            { Get-VssProvider -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_UNEXPECTED_PROVIDER_ERROR,Get-VssProvider'
        } finally {
            Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Get-VssWriter' {
    It 'lists the writers with their state, without an open backup' {
        $writers = @(Get-VssWriter)
        $writers.Count | Should -Be 2
        $writers[0].PSObject.TypeNames | Should -Contain 'VssSession.Writer'
        $writers.State | Should -Be @('Stable', 'Stable')
        $writers.WriterId | ForEach-Object { $_ | Should -BeOfType [guid] }
        # The service hosting each writer, so nobody scrapes vssadmin to know what to restart.
        ($writers | Where-Object Name -EQ 'Emulated Registry Writer').Service | Should -Be 'VSS'
        ($writers | Where-Object Name -EQ 'Emulated Database Writer').Service | Should -Be 'EmulatedDatabase'
    }

    It 'gives the service a writers.json names, and none where it names none' {
        Set-Writers @(@{ name = 'SqlServerWriter'; id = 'a65faa63-5ea8-4ebc-9dbd-a0c4db26912a'; service = 'SQLWriter' }, @{ name = 'Quiet Writer'; id = '11111111-2222-3333-4444-888888888888' })
        try {
            $writers = @(Get-VssWriter)
            ($writers | Where-Object Name -EQ 'SqlServerWriter').Service | Should -Be 'SQLWriter'
            ($writers | Where-Object Name -EQ 'Quiet Writer').Service | Should -BeNullOrEmpty
            $json = & $script:Exe writers --json | ConvertFrom-Json
            ($json | Where-Object name -EQ 'SqlServerWriter').service | Should -Be 'SQLWriter'
        } finally {
            Clear-Writers
        }
    }

    It 'reports a writer that failed with its state and reason, not as success' {
        Set-Writers @(@{ name = 'Broken Writer'; id = '11111111-2222-3333-4444-999999999999'; failOn = @{ Identify = 'VSS_E_WRITERERROR_OUTOFRESOURCES' } })
        try {
            $writer = Get-VssWriter
            $writer.Name | Should -Be 'Broken Writer'
            $writer.State | Should -Be 'FailedAtIdentify'
            $writer.LastError | Should -Be 'VSS_E_WRITERERROR_OUTOFRESOURCES'
        } finally {
            Clear-Writers
        }
    }

    It '-RequireWriter fails at once, before anything is frozen, for a missing writer and for one left failed' {
        { New-VssBackup -RequireWriter 'SqlServerWriter' -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_WRITER_NOT_RESPONDING,New-VssBackup'
        $ok = New-VssBackup -RequireWriter 'Emulated Database Writer', '7f0b7c8a-2c5e-4d1e-9b3a-5d1c0e9a4f02'
        $null = $ok | Close-VssBackup -Force
        Set-Writers @(@{ name = 'Broken Writer'; id = '11111111-2222-3333-4444-999999999999'; failOn = @{ Identify = 'VSS_E_WRITERERROR_NONRETRYABLE' } })
        try {
            $before = @(Get-Journal).Count
            $failure = $null
            try { New-VssBackup -RequireWriter 'Broken Writer' -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_WRITERERROR_NONRETRYABLE,New-VssBackup'
            $failure.Exception.Message | Should -BeLike "*'Broken Writer' is FailedAtIdentify with VSS_E_WRITERERROR_NONRETRYABLE, not Stable; nothing was frozen*"
            @(Get-Journal | Select-Object -Skip $before | Where-Object event -In 'PrepareForBackup', 'Freeze').Count | Should -Be 0
        } finally {
            Clear-Writers
        }
    }

    It 'reports a writer left failed by an earlier backup as failed, refuses it with -RequireWriter, and lets the next backup start it afresh' {
        # Fails its first Freeze only: the backup that meets it fails; the writer stays failed until a new backup prepares it.
        Set-Writers @(@{ name = 'Flaky Writer'; id = '11111111-2222-3333-4444-888888888888'; failOn = @{ Freeze = 'VSS_E_WRITERERROR_NONRETRYABLE' }; failTimes = @{ Freeze = 1 } })
        try {
            $backup = New-VssBackup
            try {
                { $backup | New-VssSnapshotSet -Volume $script:World.Volume -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_WRITERERROR_NONRETRYABLE,New-VssSnapshotSet'
            } finally {
                $null = $backup | Close-VssBackup -Force
            }
            # Asked again later (as `vssadmin list writers` would), the writer still says what happened.
            $writer = Get-VssWriter
            $writer.State | Should -Be 'FailedAtFreeze'
            $writer.LastError | Should -Be 'VSS_E_WRITERERROR_NONRETRYABLE'

            $before = @(Get-Journal).Count
            $failure = $null
            try { New-VssBackup -RequireWriter 'Flaky Writer' -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_WRITERERROR_NONRETRYABLE,New-VssBackup'
            $failure.Exception.Message | Should -BeLike "*'Flaky Writer' is FailedAtFreeze with VSS_E_WRITERERROR_NONRETRYABLE, not Stable; nothing was frozen*"
            @(Get-Journal | Select-Object -Skip $before | Where-Object event -In 'PrepareForBackup', 'Freeze').Count | Should -Be 0

            # Without -RequireWriter the backup goes on: PrepareForBackup starts the writer afresh, and this time it freezes.
            $next = New-VssBackup
            try {
                $set = $next | New-VssSnapshotSet -Volume $script:World.Volume
                $null = $next | Complete-VssBackup
                ($next | Get-VssWriter).State | Should -Be 'Stable'
                ($next | Get-VssWriter).LastError | Should -BeNullOrEmpty
            } finally {
                $null = $next | Close-VssBackup -Force
            }
            @(Get-Journal $set.SnapshotSetId | ForEach-Object event) | Should -Contain 'BackupComplete'
        } finally {
            Clear-Writers
        }
    }

    It 'gives the status of the writers in an open backup' {
        $backup = New-VssBackup
        try {
            $null = $backup | New-VssSnapshotSet -Volume $script:World.Volume
            ($backup | Get-VssWriter).State | Should -Be @('WaitingForBackupComplete', 'WaitingForBackupComplete')
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }

    It '-Detailed gives each writer''s components, files, excluded files and restore method (vshadow -wm)' {
        Set-Writers @(
            @{ name = 'SqlServerWriter'; id = 'a65faa63-5ea8-4ebc-9dbd-a0c4db26912a'
               restoreMethod = @{ method = 'RestoreIfCanReplace'; writerRestore = 'Always'; rebootRequired = $true }
               components = @(
                   @{ name = 'Instance'; selectable = $false; caption = 'The instance' },
                   @{ name = 'Sales'; logicalPath = 'Instance'; databases = @(@{ path = '/data/sales'; filespec = '*.mdf' }); logs = @(@{ path = '/logs/sales'; filespec = '*.ldf'; recursive = $true })
                      excludedFiles = @(@{ path = '/data/sales'; filespec = '*.tmp' }) }) },
            @{ name = 'Quiet Writer'; id = '11111111-2222-3333-4444-888888888888'; components = @('Data') })
        try {
            $plain = Get-VssWriter | Where-Object Name -EQ 'SqlServerWriter'
            $plain.Components | Should -BeNullOrEmpty
            $plain.RestoreMethod | Should -BeNullOrEmpty

            $writers = @(Get-VssWriter -Detailed)
            $sql = $writers | Where-Object Name -EQ 'SqlServerWriter'
            $sql.PSObject.TypeNames | Should -Contain 'VssSession.Writer'
            $sql.Components.Count | Should -Be 2
            $sql.Components[0].PSObject.TypeNames | Should -Contain 'VssSession.WriterComponent'
            $sales = $sql.Components | Where-Object Name -EQ 'Sales'
            $sales.LogicalPath | Should -Be 'Instance'
            $sales.Type | Should -Be 'Database'
            $sales.Selectable | Should -BeTrue
            ($sql.Components | Where-Object Name -EQ 'Instance').Selectable | Should -BeFalse
            $sales.Databases[0].Path | Should -Be '/data/sales'
            $sales.Databases[0].Filespec | Should -Be '*.mdf'
            "$($sales.Logs[0])" | Should -Be '/logs/sales/*.ldf (recursive)'
            "$($sql.ExcludedFiles)" | Should -Be '/data/sales/*.tmp'
            $sql.RestoreMethod.PSObject.TypeNames | Should -Contain 'VssSession.RestoreMethod'
            $sql.RestoreMethod.Method | Should -Be 'RestoreIfCanReplace'
            $sql.RestoreMethod.WriterRestore | Should -Be 'Always'
            $sql.RestoreMethod.RebootRequired | Should -BeTrue
            $quiet = $writers | Where-Object Name -EQ 'Quiet Writer'
            $quiet.RestoreMethod | Should -BeNullOrEmpty
            @($quiet.ExcludedFiles).Count | Should -Be 0
            @($quiet.Components).Name | Should -Be 'Data'
            # The component table shows each file where a user looks for it.
            $table = $sql.Components | Out-String -Width 200
            $table | Should -Match 'Instance\s+Sales\s+Database\s+True'
            $table | Should -Match 'database: /data/sales/\*\.mdf'

            # In an open backup, too.
            $backup = New-VssBackup
            try {
                (($backup | Get-VssWriter -Detailed) | Where-Object Name -EQ 'SqlServerWriter').Components.Name | Should -Be @('Instance', 'Sales')
            } finally {
                $null = $backup | Close-VssBackup -Force
            }
        } finally {
            Clear-Writers
        }
    }
}

Describe 'Snapshots and their selection' {
    BeforeAll {
        $script:Two = New-PersistentSet @($script:World.Volume, $script:Second)
        $script:One = New-PersistentSet @($script:Second)
    }

    It 'Get-VssSnapshot lists each volume snapshot and filters by set, volume and id' {
        @(Get-VssSnapshot -SnapshotSetId $script:Two.SnapshotSetId).Count | Should -Be 2
        $onSecond = @(Get-VssSnapshot -Volume $script:Second)
        $onSecond.SnapshotSetId | Sort-Object | Should -Be (@($script:Two.SnapshotSetId, $script:One.SnapshotSetId) | Sort-Object)
        $id = $script:One.Snapshots[0].SnapshotId
        (Get-VssSnapshot -SnapshotId $id).DevicePath | Should -Be $script:One.Snapshots[0].DevicePath
    }

    It 'Get-VssSnapshot takes snapshot sets from the pipeline by property name' {
        @(Get-VssSnapshotSet -SnapshotSetId $script:Two.SnapshotSetId | Get-VssSnapshot).Count | Should -Be 2
    }

    It 'Get-VssSnapshotSet selects by -Volume, -Persistent and -OlderThan' {
        @(Get-VssSnapshotSet -Volume $script:World.Volume).SnapshotSetId | Should -Be @($script:Two.SnapshotSetId)
        @(Get-VssSnapshotSet -Persistent).Count | Should -Be 2
        @(Get-VssSnapshotSet -OlderThan (New-TimeSpan -Days 1)).Count | Should -Be 0
        @(Get-VssSnapshotSet -OlderThan ([timespan]::Zero)).Count | Should -Be 2
        { Get-VssSnapshotSet -OlderThan (New-TimeSpan -Days -1) } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Get-VssSnapshotSet'
    }

    It 'Remove-VssSnapshot deletes one snapshot of a set and leaves the other; -WhatIf deletes nothing' {
        $target = $script:Two.Snapshots | Where-Object Volume -EQ $script:Second
        Get-VssSnapshot -SnapshotId $target.SnapshotId | Remove-VssSnapshot -WhatIf | Should -BeNullOrEmpty
        Test-Path -LiteralPath $target.DevicePath | Should -BeTrue
        $result = Get-VssSnapshot -SnapshotId $target.SnapshotId | Remove-VssSnapshot -Confirm:$false
        $result.PSObject.TypeNames | Should -Contain 'VssSession.DeleteResult'
        $result.Deleted | Should -Be 1
        Test-Path -LiteralPath $target.DevicePath | Should -BeFalse
        @(Get-VssSnapshot -SnapshotSetId $script:Two.SnapshotSetId).Count | Should -Be 1
        { Remove-VssSnapshot -SnapshotId $target.SnapshotId -Force -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_OBJECT_NOT_FOUND,Remove-VssSnapshot'
        Get-HostChildren | Should -BeNullOrEmpty -Because 'a terminating error must not leave the helper process running'
    }

    It 'a pipeline of deletes keeps the order given, with the failure of one between the others'' results' {
        $first = New-PersistentSet $script:World.Volume
        $second = New-PersistentSet $script:World.Volume
        $missing = [guid]::NewGuid()
        $out = @($first.SnapshotSetId, $missing, $second.SnapshotSetId | Remove-VssSnapshotSet -Force -ErrorVariable failed -ErrorAction SilentlyContinue)
        $out.SnapshotSetId | Should -Be @($first.SnapshotSetId, $second.SnapshotSetId)
        $out.Deleted | Should -Be @(1, 1)
        $mine = @($failed | Where-Object FullyQualifiedErrorId -Like '*,Remove-VssSnapshotSet')
        $mine.Count | Should -Be 1
        $mine[0].FullyQualifiedErrorId | Should -Be 'VSS_E_OBJECT_NOT_FOUND,Remove-VssSnapshotSet'
        $mine[0].TargetObject | Should -Be $missing
    }

    It 'shows each DeleteSnapshots with -Verbose, and reads no notification without it' {
        $set = New-PersistentSet $script:World.Volume
        $verbose = @($set | Remove-VssSnapshotSet -Force -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        "$verbose" | Should -Match 'VSS DeleteSnapshots \([0-9.]+ ms\)'
        $quiet = New-PersistentSet $script:World.Volume
        @($quiet | Remove-VssSnapshotSet -Force 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -BeNullOrEmpty
    }

    It 'sends the deletes that queue up behind the ones in flight to the host together, each result still in order' {
        $sets = @(1..12 | ForEach-Object { New-PersistentSet $script:World.Volume })
        $results = @()
        $debug = @($sets | Remove-VssSnapshotSet -Force -Debug 5>&1 | ForEach-Object {
                if ($_ -is [System.Management.Automation.DebugRecord]) { $_.Message } else { $results += $_ }
            })
        $results.SnapshotSetId | Should -Be $sets.SnapshotSetId
        $results.Deleted | Should -Be (@(1) * 12)
        $requests = @($debug -match '^--> .*"method":"snapshots/deleteMany"')
        $carried = $requests | ForEach-Object { (($_ -replace '^--> ', '') | ConvertFrom-Json).params.deletes.Count }
        ($carried | Measure-Object -Sum).Sum | Should -Be 12 -Because 'every delete goes to the host once'
        ($carried | Measure-Object -Maximum).Maximum | Should -BeGreaterThan 1 -Because 'the sets queued while two requests were in flight went in one'
        $requests.Count | Should -BeLessThan 12
    }

    It 'retention is one pipeline, deleting each set as it arrives through one helper process' {
        $null = New-PersistentSet @($script:World.Volume)
        $expected = @(Get-VssSnapshotSet -Persistent).Count
        $expected | Should -BeGreaterOrEqual 3
        $seen = [System.Collections.Generic.HashSet[int]]::new()
        $results = @(Get-VssSnapshotSet -Persistent |
                ForEach-Object { Get-HostChildren | ForEach-Object { [void]$seen.Add($_) }; $_ } |
                Remove-VssSnapshotSet -Confirm:$false |
                ForEach-Object { Get-HostChildren | ForEach-Object { [void]$seen.Add($_) }; $_ })
        $results.Count | Should -Be $expected
        ($results.Deleted | Measure-Object -Sum).Sum | Should -Be $expected   # one snapshot left in each set
        # One host for Get-VssSnapshotSet, one for Remove-VssSnapshotSet: not one per set.
        $seen.Count | Should -Be 2 -Because "hosts seen: $(@($seen | ForEach-Object { "$_ $((Get-Process -Id $_ -ErrorAction SilentlyContinue).CommandLine)" }) -join '; ')"
        @(Get-VssSnapshotSet -Persistent).Count | Should -Be 0
    }
}

Describe 'The Backup Components Document' {
    BeforeAll {
        Set-Writers @(@{ name = 'Ledger Writer'; id = '55555555-2222-3333-4444-555555555555'; components = @(@{ name = 'Ledger'; logicalPath = 'Books'; files = @(@{ path = $script:World.Volume }) }) })
        $script:Documents = Join-Path $script:World.Root 'documents'
        New-Item -ItemType Directory -Path $script:Documents -Force | Out-Null
    }
    AfterAll { Clear-Writers }

    It 'Invoke-VssBackup -DocumentPath saves it, and Get-VssBackupDocument reads it back through InitializeForRestore' {
        $file = Join-Path $script:Documents 'full.xml'
        Invoke-VssBackup -Volume $script:World.Volume -BackupType Full -DocumentPath $file -ScriptBlock { param($Snapshots) $script:Made = $Snapshots[0].SnapshotSetId }
        Test-Path -LiteralPath $file | Should -BeTrue
        @(Get-ChildItem -LiteralPath $script:Documents -Force).Name | Should -Be @('full.xml')
        $document = Get-VssBackupDocument -Path $file
        $document.PSObject.TypeNames | Should -Contain 'VssSession.BackupDocument'
        $document.SnapshotSetId | Should -Be $script:Made
        $document.BackupType | Should -Be 'full'
        $document.SnapshotIds.Count | Should -Be 1
        $document.Writers.WriterId | Should -Be ([guid]'55555555-2222-3333-4444-555555555555')
        $document.Writers.Components | Should -Be 'Books\Ledger'
        @($document.Components).Count | Should -Be 1
        $document.Components[0].Name | Should -Be 'Ledger'
        $document.Components[0].LogicalPath | Should -Be 'Books'
        $document.Components[0].BackupSucceeded | Should -BeTrue
        $document.Components[0].BackupStamp | Should -Not -BeNullOrEmpty
        ($document | Out-String) | Should -Match 'BackedUp\s+: 1 of 1 components'
        # By pipeline too, relative to PowerShell's location.
        Push-Location $script:Documents
        try { (Get-ChildItem full.xml | Get-VssBackupDocument).SnapshotSetId | Should -Be $script:Made } finally { Pop-Location }
    }

    It 'Complete-VssBackup -DocumentPath that cannot be saved fails before BackupComplete; the backup can still be closed' {
        $gone = Join-Path $script:Documents 'gone'
        New-Item -ItemType Directory -Path $gone | Out-Null
        $backup = New-VssBackup -BackupType Full
        try {
            $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
            Remove-Item -LiteralPath $gone
            { $backup | Complete-VssBackup -DocumentPath (Join-Path $gone 'x.xml') -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_OBJECT_NOT_FOUND,Complete-VssBackup' -ExpectedMessage '*no BackupComplete was sent*'
            @(Get-Journal $set.SnapshotSetId | Where-Object event -EQ 'BackupComplete').Count | Should -Be 0
            # Still completable: the document goes elsewhere.
            $null = $backup | Complete-VssBackup -DocumentPath (Join-Path $script:Documents 'second.xml') -Confirm:$false
            @(Get-Journal $set.SnapshotSetId | Where-Object event -EQ 'BackupComplete').Count | Should -Be 1
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        (Get-VssBackupDocument (Join-Path $script:Documents 'second.xml')).SnapshotSetId | Should -Be $set.SnapshotSetId
    }

    It 'Invoke-VssBackup refuses a -DocumentPath whose folder is missing before anything is snapshotted' {
        $before = @(Get-Journal).Count
        { Invoke-VssBackup -Volume $script:World.Volume -DocumentPath (Join-Path $script:Documents 'nowhere/x.xml') -ScriptBlock { throw 'must not run' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'VSS_E_OBJECT_NOT_FOUND,Invoke-VssBackup' -ExpectedMessage '*Nothing was snapshotted*'
        @(Get-Journal).Count | Should -Be $before
    }

    It 'Get-VssBackupDocument names a missing file and a file that is not a document' {
        { Get-VssBackupDocument (Join-Path $script:Documents 'none.xml') -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_OBJECT_NOT_FOUND,Get-VssBackupDocument'
        $other = Join-Path $script:Documents 'other.xml'
        Set-Content -LiteralPath $other -Value '<WRITER_METADATA/>'
        { Get-VssBackupDocument $other -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_INVALID_XML_DOCUMENT,Get-VssBackupDocument' -ExpectedMessage '*not <BACKUP_COMPONENTS>*'
    }
}

Describe 'Shadow storage' {
    BeforeAll {
        $script:Provider = Join-Path $env:VSS_SESSION_HOME 'provider.json'
        Set-Content -LiteralPath $script:Provider -Value '{ "minDiffSpace": 1000 }'
        $script:SsVolume = Join-Path $script:World.Root 'ss-volume'
        $script:SsStorage = Join-Path $script:World.Root 'ss-storage'
        New-Item -ItemType Directory -Path $script:SsVolume, $script:SsStorage | Out-Null
        [System.IO.File]::WriteAllBytes((Join-Path $script:SsVolume 'data.bin'), [byte[]]::new(600))
    }
    AfterAll { Remove-Item -LiteralPath $script:Provider -ErrorAction SilentlyContinue }

    It 'Add-, Get-, Set- and Remove-VssShadowStorage; a full storage deletes the oldest set, and Get-VssSnapshotSet says so once' {
        $added = Add-VssShadowStorage -Volume $script:SsVolume -DiffAreaVolume $script:SsStorage -MaxSize 1500 -Confirm:$false
        $added.PSObject.TypeNames | Should -Contain 'VssSession.ShadowStorage'
        $added.DiffAreaVolume | Should -Be $script:SsStorage
        $added.MaxSpace | Should -Be 1500
        { Add-VssShadowStorage -Volume $script:SsVolume -DiffAreaVolume $script:SsStorage -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_OBJECT_ALREADY_EXISTS,Add-VssShadowStorage'

        $sets = 1..3 | ForEach-Object {
            $b = New-VssBackup -Context ClientAccessible
            try { ($b | New-VssSnapshotSet -Volume $script:SsVolume).SnapshotSetId } finally { $null = $b | Close-VssBackup -Force }
        }
        (Get-VssShadowStorage -Volume $script:SsVolume).UsedSpace | Should -Be 1200
        @(Get-Journal $sets[0] | Where-Object event -EQ 'DiffAreaFull').Count | Should -Be 1

        $listed = @(Get-VssSnapshotSet -WarningVariable told -WarningAction SilentlyContinue -Verbose 4>&1)
        $verbose = @($listed | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        @($listed | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).SnapshotSetId | Should -Not -Contain $sets[0]
        "$told" | Should -Match "Snapshot set $($sets[0]) \(ClientAccessible, made .*\) was deleted by VSS at 20\d\d-.* to make room in the full shadow storage of its volume"
        "$verbose" | Should -Match 'Snapshot [0-9a-f-]{36} of .*ss-volume was deleted for space at'
        $null = Get-VssSnapshotSet -WarningVariable again -WarningAction SilentlyContinue
        $again | Should -BeNullOrEmpty -Because 'told once'

        # -WhatIf changes nothing; a lower maximum deletes the oldest at once.
        Set-VssShadowStorage -Volume $script:SsVolume -MaxSize 1000 -WhatIf
        (Get-VssShadowStorage -Volume $script:SsVolume).MaxSpace | Should -Be 1500
        (Set-VssShadowStorage -Volume $script:SsVolume -MaxSize 1000 -Confirm:$false).UsedSpace | Should -Be 600
        $unbounded = Get-VssShadowStorage -Volume $script:SsVolume | Set-VssShadowStorage -MaxSize UNBOUNDED -Confirm:$false
        $unbounded.MaxSpace | Should -Be -1
        ($unbounded | Out-String -Width 300) | Should -Match 'ss-storage\s+600\s+600\s+UNBOUNDED'
        { Set-VssShadowStorage -Volume $script:SsVolume -MaxSize 'lots' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'E_INVALIDARG,Set-VssShadowStorage'

        { Get-VssShadowStorage -Volume $script:SsVolume | Remove-VssShadowStorage -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_VOLUME_IN_USE,Remove-VssShadowStorage'
        Get-VssSnapshotSet -Volume $script:SsVolume -WarningVariable lowered -WarningAction SilentlyContinue | Remove-VssSnapshotSet -Confirm:$false | Out-Null
        "$lowered" | Should -Match "Snapshot set $($sets[1]) .* was deleted by VSS" -Because 'the lower maximum deleted the second set'
        (Get-VssShadowStorage -Volume $script:SsVolume | Remove-VssShadowStorage -Confirm:$false).Volume | Should -Be $script:SsVolume
        @(Get-VssShadowStorage -Volume $script:SsVolume).Count | Should -Be 0
    }
}

Describe 'Invoke-VssBackup' {
    It 'completes and closes when the script block succeeds, and outputs what it outputs' {
        $output = Invoke-VssBackup -Volume $script:World.Volume -ScriptBlock {
            param($Snapshots)
            Get-Content -LiteralPath (Join-Path $Snapshots[0].DevicePath 'ledger.txt')
            $script:InvokedSet = $Snapshots[0].SnapshotSetId
            $script:InvokedPath = $Snapshots[0].DevicePath
        }
        $output | Should -Be 'balance: 100'
        $events = @(Get-Journal $script:InvokedSet)
        @($events | Where-Object event -EQ 'BackupComplete').Count | Should -Be 2
        @($events | Where-Object event -EQ 'BackupShutdown').backupCompleteReceived | Should -Be @($true, $true)
        Test-Path -LiteralPath $script:InvokedPath | Should -BeFalse
        Get-HostChildren | Should -BeNullOrEmpty
    }

    It 'aborts and still closes when the script block throws, then rethrows its error' {
        $failure = $null
        try {
            Invoke-VssBackup -Volume $script:World.Volume -ScriptBlock {
                param($Snapshots)
                $script:InvokedSet = $Snapshots[0].SnapshotSetId
                $script:InvokedPath = $Snapshots[0].DevicePath
                throw 'copy to the NAS failed'
            }
        } catch { $failure = $_ }
        $failure.Exception.Message | Should -Be 'copy to the NAS failed'
        $events = @(Get-Journal $script:InvokedSet)
        @($events | Where-Object event -EQ 'BackupComplete').Count | Should -Be 0
        @($events | Where-Object event -EQ 'Abort').Count | Should -Be 2
        @($events | Where-Object event -EQ 'BackupShutdown').backupCompleteReceived | Should -Be @($false, $false)
        Test-Path -LiteralPath $script:InvokedPath | Should -BeFalse
        Get-HostChildren | Should -BeNullOrEmpty
    }

    It 'closes the backup when the snapshot itself fails, and reports the VSS error' {
        $missing = Join-Path $script:World.Root 'missing'
        { Invoke-VssBackup -Volume $missing -ScriptBlock { 'never runs' } -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_OBJECT_NOT_FOUND,Invoke-VssBackup'
        Get-HostChildren | Should -BeNullOrEmpty
    }
}

Describe 'The -Verbose and -Debug streams' {
    It '-Verbose shows each VSS call with its duration' {
        $backup = $null
        $verbose = @(New-VssBackup -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $_.Message } else { $backup = $_ } })
        try {
            foreach ($call in 'Create', 'InitializeForBackup', 'SetContext', 'SetBackupState', 'GatherWriterMetadata', 'GatherWriterStatus') {
                $verbose -match "^VSS $call \([0-9.,]+ ms\)$" | Should -Not -BeNullOrEmpty -Because "$call is a VSS call"
            }
        } finally {
            if ($backup) { $null = $backup | Close-VssBackup -Force }
        }
    }

    It '-Debug shows the JSON-RPC traffic' {
        $debug = @(Get-VssSnapshotSet -Debug -ErrorAction Stop 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
        $debug -match '^--> \{"jsonrpc":"2.0","id":1,"method":"snapshotSets/list"' | Should -Not -BeNullOrEmpty
        $debug -match '^<-- ' | Should -Not -BeNullOrEmpty
        $debug -match '^VSS QuerySnapshots \(' | Should -Not -BeNullOrEmpty -Because 'a non-interactive -Debug run gets the VSS calls on the debug stream'
    }
}
