# Invoke-VssBackup's pre-flight and -Policy on the emulated VSS service: each refusal with its own error and fix
# before anything is prepared or frozen (writers are only asked for their metadata), and BestEffort's run against the live volumes, never silent.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:World = Start-TestWorld
    $script:File = Join-Path $script:World.Volume 'ledger.txt'
    function Get-HostChildren { @(Get-Process -Name vss-session -ErrorAction SilentlyContinue | Where-Object { $_.Parent.Id -eq $PID -and -not $_.HasExited } | ForEach-Object Id) }
    # Invoke-VssBackup's error, its warnings, whether the script block ran, and how many journal lines it added.
    function Invoke-Refused([string] $Volume, [hashtable] $Extra = @{}) {
        $before = @(Get-Journal).Count
        $script:Ran = $false
        $failure = $null
        $warned = $null
        try { Invoke-VssBackup -Volume $Volume -ScriptBlock { $script:Ran = $true } -ErrorAction Stop -WarningVariable warned -WarningAction SilentlyContinue @Extra } catch { $failure = $_ }
        # The events writers got: their metadata asked for (Identify) and BackupShutdown, never a prepare or a freeze.
        $events = @(Get-Journal | Select-Object -Skip $before | ForEach-Object event | Sort-Object -Unique)
        [pscustomobject]@{ Error = $failure; Warnings = @($warned); Ran = $script:Ran; NewEvents = $events -join ',' }
    }
}

AfterAll {
    Stop-TestWorld $script:World
}

Describe 'Invoke-VssBackup pre-flight (-Policy Required, the default)' {
    It 'refuses a missing directory with VSS_E_OBJECT_NOT_FOUND and says to check the path' {
        $missing = Join-Path $script:World.Root 'missing'
        $r = Invoke-Refused $missing
        $r.Error.FullyQualifiedErrorId | Should -Be 'VSS_E_OBJECT_NOT_FOUND,Invoke-VssBackup'
        $r.Error.Exception.Message | Should -BeLike "*the volume $missing was not found*check the path*"
        $r.Error.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $r.Ran | Should -BeFalse
        $r.NewEvents | Should -Be 'BackupShutdown,Identify' -Because 'writers were asked for their metadata only: nothing was prepared or frozen'
        Get-HostChildren | Should -BeNullOrEmpty
    }

    It 'refuses a file with VSS_E_VOLUME_NOT_SUPPORTED and says to name the directory that holds it' {
        $r = Invoke-Refused $script:File
        $r.Error.FullyQualifiedErrorId | Should -Be 'VSS_E_VOLUME_NOT_SUPPORTED,Invoke-VssBackup'
        $r.Warnings | Should -BeNullOrEmpty -Because 'Required does not fall back'
        $r.Error.Exception.Message | Should -BeLike "*is a file, not a directory: name the directory or volume that holds it*"
        $r.Error.TargetObject | Should -Be $script:File
        $r.Ran | Should -BeFalse
        $r.NewEvents | Should -Be 'BackupShutdown,Identify'
    }

    It 'refuses a kernel filesystem (/proc) with VSS_E_VOLUME_NOT_SUPPORTED and names it' -Skip:(-not (Test-Path /proc/self)) {
        $r = Invoke-Refused '/proc'
        $r.Error.FullyQualifiedErrorId | Should -Be 'VSS_E_VOLUME_NOT_SUPPORTED,Invoke-VssBackup'
        $r.Error.Exception.Message | Should -BeLike '*/proc is on /proc, a view of the running system*name a directory on a disk filesystem*'
        $r.Ran | Should -BeFalse
        $r.NewEvents | Should -Be 'BackupShutdown,Identify'
    }

    It 'with -Policy Required, a writer failure throws and the script block does not run' {
        $writers = Join-Path $script:World.Home 'writers.json'
        '[{ "name": "Flaky Writer", "id": "11111111-2222-3333-4444-0000000000d1", "failOn": { "Freeze": "VSS_E_WRITERERROR_NONRETRYABLE" } }]' | Set-Content -LiteralPath $writers
        try {
            $r = Invoke-Refused $script:World.Volume @{ Policy = 'Required' }
            $r.Error.FullyQualifiedErrorId | Should -Be 'VSS_E_WRITERERROR_NONRETRYABLE,Invoke-VssBackup'
            $r.Ran | Should -BeFalse
            Get-HostChildren | Should -BeNullOrEmpty
        } finally {
            Remove-Item -LiteralPath $writers
        }
    }
}

Describe 'Invoke-VssBackup -Policy BestEffort' {
    It 'runs the script block against the live volume when VSS cannot snapshot it, and warns why' {
        $warnings = $null
        $output = Invoke-VssBackup -Volume $script:File -Policy BestEffort -WarningVariable warnings -WarningAction SilentlyContinue -ScriptBlock {
            param($Snapshots)
            $script:Given = $Snapshots
            'read live'
        }
        $output | Should -Be 'read live'
        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -BeLike 'No snapshot was made, so the script block runs against the live volumes (-Policy BestEffort): VSS_E_VOLUME_NOT_SUPPORTED:*is a file*'
        @($script:Given).Count | Should -Be 1
        $script:Given[0].PSObject.TypeNames | Should -Contain 'VssSession.LiveVolume'
        $script:Given[0].Live | Should -BeTrue
        $script:Given[0].DevicePath | Should -Be $script:File
        $script:Given[0].Volume | Should -Be $script:File
        $script:Given[0].SnapshotSetId | Should -BeNullOrEmpty
        Get-HostChildren | Should -BeNullOrEmpty
    }

    It 'goes on from a writer failure: the backup is aborted and shut down first, no BackupComplete' {
        $writers = Join-Path $script:World.Home 'writers.json'
        '[{ "name": "Flaky Writer", "id": "11111111-2222-3333-4444-0000000000d2", "failOn": { "Freeze": "VSS_E_WRITERERROR_NONRETRYABLE" } }]' | Set-Content -LiteralPath $writers
        try {
            $before = @(Get-Journal).Count
            $warnings = $null
            Invoke-VssBackup -Volume $script:World.Volume -Policy BestEffort -WarningVariable warnings -WarningAction SilentlyContinue -ScriptBlock {
                param($Snapshots)
                $script:EventsWhenRun = @(Get-Journal).Count
                $script:Given = $Snapshots
            }
            $warnings[0].Message | Should -BeLike "*VSS_E_WRITERERROR_NONRETRYABLE*'Flaky Writer'*"
            $script:Given[0].Live | Should -BeTrue
            $script:Given[0].DevicePath | Should -Be $script:World.Volume
            $events = @(Get-Journal | Select-Object -Skip $before)
            @($events | Where-Object event -EQ 'BackupComplete').Count | Should -Be 0
            ($events | Where-Object event -EQ 'BackupShutdown').backupCompleteReceived | Should -Be $false
            $script:EventsWhenRun | Should -Be ($before + $events.Count) -Because 'Abort and BackupShutdown came before the script block ran'
            Get-HostChildren | Should -BeNullOrEmpty
        } finally {
            Remove-Item -LiteralPath $writers
        }
    }

    It 'never relaxes a missing path: it throws, warns nothing, and the script block does not run' {
        $r = Invoke-Refused (Join-Path $script:World.Root 'missing') @{ Policy = 'BestEffort' }
        $r.Error.FullyQualifiedErrorId | Should -Be 'VSS_E_OBJECT_NOT_FOUND,Invoke-VssBackup'
        $r.Ran | Should -BeFalse
        $r.Warnings | Should -BeNullOrEmpty
    }

    It "rethrows the script block's own failure on the live volume" {
        { Invoke-VssBackup -Volume $script:File -Policy BestEffort -WarningAction SilentlyContinue -ScriptBlock { throw 'copy to the NAS failed' } -ErrorAction Stop } | Should -Throw 'copy to the NAS failed'
        Get-HostChildren | Should -BeNullOrEmpty
    }

    It 'takes a real snapshot when it can, without a warning' {
        $warnings = $null
        Invoke-VssBackup -Volume $script:World.Volume -Policy BestEffort -WarningVariable warnings -ScriptBlock {
            param($Snapshots)
            $script:Given = $Snapshots
        }
        $warnings | Should -BeNullOrEmpty
        $script:Given[0].PSObject.TypeNames | Should -Contain 'VssSession.Snapshot'
        $script:Given[0].DevicePath | Should -Not -Be $script:World.Volume
    }
}
