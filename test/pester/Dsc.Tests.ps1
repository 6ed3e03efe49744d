# The class-based DSC resource VssSnapshotRetention, called as Invoke-DscResource calls it (PSDesiredStateConfiguration
# is not to be had here): a fresh object per call, its properties set, then Get(), Test() or Set().
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:World = Start-TestWorld

    # What Invoke-DscResource does with -Property: a new instance of the class, each property assigned.
    function New-Retention([hashtable] $Property) {
        $resource = & (Get-Module VssSession) { [VssSnapshotRetention]::new() }
        foreach ($name in $Property.Keys) { $resource.$name = $Property[$name] }
        $resource
    }
    function Invoke-Retention([string] $Method, [hashtable] $Property) {
        $resource = New-Retention (@{ Volume = $script:World.Volume } + $Property)
        $resource.$Method()
    }
    function Get-SetId { @(Get-VssSnapshotSet | Where-Object Context -EQ 'ClientAccessible' | Sort-Object CreatedAt | ForEach-Object { [string]$_.SnapshotSetId }) }
    function New-PersistentSet([timespan] $ExpiresAfter) {
        $backup = New-VssBackup -Context ClientAccessible
        try {
            $params = @{ Volume = $script:World.Volume }
            if ($ExpiresAfter) { $params.ExpiresAfter = $ExpiresAfter }
            $set = $backup | New-VssSnapshotSet @params
            $null = $backup | Complete-VssBackup
            [string]$set.SnapshotSetId
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
    }
}

AfterAll {
    Stop-TestWorld $script:World
}

Describe 'VssSnapshotRetention (class-based DSC resource)' {
    BeforeEach {
        foreach ($id in Get-SetId) { Remove-VssSnapshotSet -SnapshotSetId $id -Confirm:$false }
    }

    It 'is exported as a DSC resource by the manifest and the loaded module' {
        (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../module/VssSession.psd1')).DscResourcesToExport | Should -Be @('VssSnapshotRetention')
        (Get-Module VssSession).ExportedDscResources | Should -Contain 'VssSnapshotRetention'
    }

    It 'Test() changes nothing and says which rule is out of state; Set() makes the set; a second Set() changes nothing' {
        # The class's methods write -Verbose as the session's preference says (Invoke-DscResource -Verbose sets it).
        $saved = $global:VerbosePreference
        try {
            $global:VerbosePreference = 'Continue'
            $verbose = Invoke-Retention Test @{ KeepLast = 2 } 4>&1
        } finally {
            $global:VerbosePreference = $saved
        }
        $verbose | Where-Object { $_ -is [bool] } | Should -BeFalse
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'out of state: ensure'
        Get-SetId | Should -BeNullOrEmpty

        Invoke-Retention Set @{ KeepLast = 2 }
        $made = @(Get-SetId)
        $made.Count | Should -Be 1
        Invoke-Retention Test @{ KeepLast = 2 } | Should -BeTrue

        Invoke-Retention Set @{ KeepLast = 2 }
        Get-SetId | Should -Be $made
        $state = Invoke-Retention Get @{ KeepLast = 2 }
        $state.Ensure | Should -Be 'Present'
        $state.SnapshotSets.SnapshotSetId | Should -Be ([guid]$made[0])
    }

    It 'KeepLast and OlderThan: Set() deletes with DeleteSnapshots (writers get no event), as Remove-VssSnapshotSet does' {
        $ids = 1..3 | ForEach-Object { New-PersistentSet }
        Invoke-Retention Test @{ KeepLast = 1 } | Should -BeFalse
        (Get-SetId).Count | Should -Be 3
        $before = @(Get-Journal).Count
        Invoke-Retention Set @{ KeepLast = 1 }
        Get-SetId | Should -Be $ids[-1]
        @(Get-Journal).Count | Should -Be $before

        # Older than a second: the one left goes, and as Ensure is Present a new one takes its place.
        Start-Sleep -Milliseconds 1200
        Invoke-Retention Set @{ OlderThan = [timespan]::FromSeconds(1) }
        $now = Get-SetId
        $now.Count | Should -Be 1
        $now | Should -Not -Be $ids[-1]
    }

    It 'Orphaned deletes the volume''s orphans only when asked; Ensure Absent deletes every set' {
        $kept = New-PersistentSet
        $orphan = New-PersistentSet -ExpiresAfter ([timespan]::FromMilliseconds(200))
        Start-Sleep -Milliseconds 400
        Invoke-Retention Test @{} | Should -BeTrue
        Invoke-Retention Test @{ Orphaned = $true } | Should -BeFalse
        Invoke-Retention Set @{ Orphaned = $true }
        Get-SetId | Should -Be $kept
        Invoke-Retention Set @{ Ensure = 'Absent' }
        Get-SetId | Should -BeNullOrEmpty
        (Invoke-Retention Get @{ Ensure = 'Absent' }).Ensure | Should -Be 'Absent'
        Invoke-Retention Test @{ Ensure = 'Absent' } | Should -BeTrue
    }

    It 'refuses what it cannot keep: a context whose sets end with their backup, and KeepLast 0 with Present' {
        { New-Retention @{ Volume = $script:World.Volume; Context = 'Backup' } } | Should -Throw '*does not belong to the set "ClientAccessible,ClientAccessibleWriters,AppRollback,NasRollback"*'
        $failure = $null
        try { Invoke-Retention Test @{ KeepLast = 0 } } catch { $failure = $_ }
        $inner = $failure.Exception
        while ($inner -and $inner -isnot [VssSession.Client.VssSessionException]) { $inner = $inner.InnerException }
        $inner.VssName | Should -Be 'E_INVALIDARG'
        $failure.Exception.Message | Should -BeLike '*keepLast 0 keeps no set, and ensure Present wants one*'
        Get-SetId | Should -BeNullOrEmpty
    }
}
