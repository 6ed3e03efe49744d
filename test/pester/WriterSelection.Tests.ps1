# Which writers take part (-ExcludeWriter, -IncludeWriter) and the retries of retryable writer errors
# (-RetryTimeout), as a PowerShell user meets them; the writers' journal shows what each backup's own
# component object delivered.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:World = Start-TestWorld
    $script:Ledger = @{ name = 'Ledger Writer'; id = '11111111-2222-3333-4444-555555555555' }
    $script:Mail = @{ name = 'Mail Writer'; id = '11111111-2222-3333-4444-666666666666' }
    $script:FullBackup = @('Identify', 'PrepareForBackup', 'PrepareForSnapshot', 'Freeze', 'Thaw', 'PostSnapshot', 'BackupComplete', 'BackupShutdown')
    # Every event of the component object that made this snapshot set, Identify included.
    function Get-SessionJournal([string] $SnapshotSetId) {
        $all = @(Get-Journal)
        $sessionId = ($all | Where-Object snapshotSetId -EQ $SnapshotSetId | Select-Object -First 1).sessionId
        $sessionId | Should -Not -BeNullOrEmpty
        @($all | Where-Object sessionId -EQ $sessionId)
    }
    function Get-WriterEvents([object[]] $Journal, [string] $Writer) { @($Journal | Where-Object writer -EQ $Writer | ForEach-Object event) }
    # A whole backup with these parameters; the journal of its own component object.
    function Invoke-WholeBackup([hashtable] $Parameters) {
        $backup = New-VssBackup @Parameters
        try {
            $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume
            $null = $backup | Complete-VssBackup
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        [pscustomobject]@{ Backup = $backup; Journal = Get-SessionJournal $set.SnapshotSetId }
    }
}

AfterAll {
    Stop-TestWorld $script:World
}

Describe '-ExcludeWriter and -IncludeWriter' {
    BeforeEach { Set-Writers @($script:Ledger, $script:Mail) }
    AfterEach { Clear-Writers }

    It 'keeps an excluded writer, named in any case, out of the backup: it gets no event at all' {
        $result = Invoke-WholeBackup @{ ExcludeWriter = 'LEDGER writer' }
        $result.Backup.Writers.Name | Should -Be @('Mail Writer')
        Get-WriterEvents $result.Journal 'Ledger Writer' | Should -BeNullOrEmpty
        Get-WriterEvents $result.Journal 'Mail Writer' | Should -Be $script:FullBackup
    }

    It 'keeps an excluded writer named by class id out, and asks it nothing at all' {
        $before = @(Get-Journal).Count
        $result = Invoke-WholeBackup @{ ExcludeWriter = $script:Mail.id }
        Get-WriterEvents $result.Journal 'Mail Writer' | Should -BeNullOrEmpty
        Get-WriterEvents @(Get-Journal | Select-Object -Skip $before) 'Mail Writer' | Should -BeNullOrEmpty
        Get-WriterEvents $result.Journal 'Ledger Writer' | Should -Be $script:FullBackup
    }

    It 'lets only the included writers take part, by name or by id' {
        foreach ($included in 'Mail Writer', $script:Mail.id) {
            $result = Invoke-WholeBackup @{ IncludeWriter = $included }
            @($result.Journal.writer | Sort-Object -Unique) | Should -Be @('Mail Writer') -Because "-IncludeWriter $included"
            Get-WriterEvents $result.Journal 'Mail Writer' | Should -Be $script:FullBackup
        }
    }

    It 'passes both through Invoke-VssBackup' {
        $snapshotSetId = Invoke-VssBackup -Volume $script:World.Volume -ExcludeWriter 'Mail Writer' -ScriptBlock { param($Snapshots) $Snapshots[0].SnapshotSetId }
        $journal = Get-SessionJournal $snapshotSetId
        Get-WriterEvents $journal 'Mail Writer' | Should -BeNullOrEmpty
        Get-WriterEvents $journal 'Ledger Writer' | Should -Be $script:FullBackup
    }

    It 'fails at once on a name no writer has, listing the writers present, before any snapshot set: <Parameter>' -ForEach @(
        @{ Parameter = 'ExcludeWriter' }
        @{ Parameter = 'IncludeWriter' }
    ) {
        $before = @(Get-Journal).Count
        $failure = $null
        $splat = @{ $Parameter = 'Ledger Writr' }
        try { New-VssBackup @splat -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_OBJECT_NOT_FOUND,New-VssBackup'
        $failure.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failure.Exception.Message | Should -BeLike "*-$($Parameter): no writer is named 'Ledger Writr' (writers present: 'Ledger Writer', 'Mail Writer'); no snapshot set was started*"
        @(Get-Journal | Select-Object -Skip $before | Where-Object { $_.snapshotSetId }).Count | Should -Be 0
    }

    It 'never runs Invoke-VssBackup''s script block when a name matches no writer' {
        $script:Ran = $false
        { Invoke-VssBackup -Volume $script:World.Volume -IncludeWriter 'SqlServerWriter' -ScriptBlock { $script:Ran = $true } -ErrorAction Stop } | Should -Throw -ErrorId 'VSS_E_OBJECT_NOT_FOUND,Invoke-VssBackup'
        $script:Ran | Should -BeFalse
    }

    It 'refuses a writer named in both -IncludeWriter and -ExcludeWriter' {
        $failure = $null
        try { New-VssBackup -IncludeWriter 'Ledger Writer' -ExcludeWriter $script:Ledger.id -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Be 'E_INVALIDARG,New-VssBackup'
        $failure.Exception.Message | Should -BeLike "*name the same writer*"
    }

    It 'refuses an empty name before starting anything' {
        { New-VssBackup -ExcludeWriter '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,New-VssBackup'
    }
}

Describe 'Retries of retryable writer errors' {
    AfterEach { Clear-Writers }

    It 'makes the snapshot set again on a new component object after a writer fails Freeze once with VSS_E_WRITERERROR_RETRYABLE, visible with -Verbose' {
        Set-Writers @(($script:Ledger + @{ failOn = @{ Freeze = 'VSS_E_WRITERERROR_RETRYABLE' }; failTimes = @{ Freeze = 1 } }))
        $before = @(Get-Journal).Count
        $backup = New-VssBackup -RetryTimeout '00:00:30'
        try {
            $set = $null
            $verbose = @($backup | New-VssSnapshotSet -Volume $script:World.Volume -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $_.Message } else { $set = $_ } })
            $null = $backup | Complete-VssBackup
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        $set.Snapshots.Count | Should -Be 1
        $retries = @($verbose -like "VSS DoSnapshotSet: writer 'Ledger Writer' failed with VSS_E_WRITERERROR_RETRYABLE; the backup was aborted and the snapshot set is made again on a new component object: retry 1 in *")
        $retries.Count | Should -Be 1 -Because ($verbose -join "`n")
        # The component objects in the order they began (Group-Object sorts by name).
        $journal = @(Get-Journal | Select-Object -Skip $before)
        $sessions = @($journal.sessionId | Select-Object -Unique | ForEach-Object { $id = $_; , @($journal | Where-Object sessionId -EQ $id) })
        $sessions.Count | Should -Be 2
        @($sessions[0] | ForEach-Object event) | Should -Be @('Identify', 'PrepareForBackup', 'PrepareForSnapshot', 'Freeze', 'Abort', 'BackupShutdown')
        ($sessions[0] | Where-Object event -EQ 'Freeze').error | Should -Be 'VSS_E_WRITERERROR_RETRYABLE'
        @($sessions[1] | ForEach-Object event) | Should -Be $script:FullBackup
        ($sessions[1] | Where-Object event -EQ 'Freeze').snapshotSetId | Should -Be ([string]$set.SnapshotSetId)
    }

    It 'fails at once with VSS_E_WRITERERROR_NONRETRYABLE: no retry' {
        Set-Writers @(($script:Ledger + @{ failOn = @{ Freeze = 'VSS_E_WRITERERROR_NONRETRYABLE' }; failTimes = @{ Freeze = 1 } }))
        $before = @(Get-Journal).Count
        $backup = New-VssBackup
        $failure = $null
        $verbose = [System.Collections.Generic.List[string]]::new()
        try {
            $backup | New-VssSnapshotSet -Volume $script:World.Volume -Verbose -ErrorAction Stop 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $verbose.Add($_.Message) } }
        } catch { $failure = $_ } finally {
            $null = $backup | Close-VssBackup -Force
        }
        $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_WRITERERROR_NONRETRYABLE,New-VssSnapshotSet'
        @($verbose.ToArray() -like 'VSS DoSnapshotSet (*) failed: VSS_E_WRITERERROR_NONRETRYABLE').Count | Should -Be 1 -Because 'the verbose stream was captured'
        @($verbose.ToArray() -like '*retry [0-9]*').Count | Should -Be 0 -Because ($verbose -join ' | ')
        @(Get-Journal | Select-Object -Skip $before | Select-Object -ExpandProperty sessionId -Unique).Count | Should -Be 1
    }

    It 'fails with the writer''s error once -RetryTimeout runs out, saying how long it retried' {
        Set-Writers @(($script:Ledger + @{ failOn = @{ Freeze = 'VSS_E_WRITERERROR_RETRYABLE' } }))
        $backup = New-VssBackup -RetryTimeout '00:00:02'
        $failure = $null
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        try { $backup | New-VssSnapshotSet -Volume $script:World.Volume -ErrorAction Stop } catch { $failure = $_ } finally {
            $null = $backup | Close-VssBackup -Force
        }
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 2
        $failure.FullyQualifiedErrorId | Should -Be 'VSS_E_WRITERERROR_RETRYABLE,New-VssSnapshotSet'
        $failure.Exception.Message | Should -Match "writer 'Ledger Writer' failed at Freeze with VSS_E_WRITERERROR_RETRYABLE.*gave up after [0-9]+ attempts in [0-9.]+ s: the retry time limit of 2 s ran out"
    }
}
