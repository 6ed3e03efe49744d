# Orphaned persistent snapshot sets through the cmdlets: -ExpiresAfter on New-VssSnapshotSet and Invoke-VssBackup,
# -Orphaned on Get-VssSnapshotSet and Remove-VssSnapshotSet, and a PowerShell killed while it holds a persistent set.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:World = Start-TestWorld
    $script:Records = Join-Path $script:World.Home 'records'

    function Get-OrphanId { @(Get-VssSnapshotSet -Orphaned | ForEach-Object { [string]$_.SnapshotSetId }) }
    function Get-SetId { @(Get-VssSnapshotSet | ForEach-Object { [string]$_.SnapshotSetId }) }

    # A PowerShell that makes a persistent set in context AppRollback (writers take part) and is killed before it
    # closes the backup. Returns the set's id once the host it left behind has ended the backup and exited.
    function New-KilledSet {
        $pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
        $manifest = Join-Path $PSScriptRoot '../../module/VssSession.psd1'
        $script = "Import-Module '$manifest'; `$b = New-VssBackup -Context AppRollback; `$s = `$b | New-VssSnapshotSet -Volume '$($script:World.Volume)'; Write-Output `"ready `$(`$s.SnapshotSetId) `$(`$b.HostProcessId)`"; Start-Sleep -Seconds 60"
        $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $script) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $child = [System.Diagnostics.Process]::Start($info)
        try {
            $line = $child.StandardOutput.ReadLine()
            $line | Should -Match '^ready '
            $null, $setId, $hostPid = $line -split ' ', 3
            $child.Kill()   # SIGKILL: no PowerShell clean-up runs
            $child.WaitForExit()
            Wait-Process -Id $hostPid -Timeout 10 -ErrorAction SilentlyContinue
            $setId
        } finally {
            if (-not $child.HasExited) { $child.Kill() }
        }
    }
}

AfterAll {
    Stop-TestWorld $script:World
}

Describe 'Orphaned persistent snapshot sets' {
    It '-ExpiresAfter gives a persistent set its ExpiresAt; past it -Orphaned lists the set and Remove-VssSnapshotSet -Orphaned deletes it' {
        $backup = New-VssBackup -Context ClientAccessible
        try {
            $set = $backup | New-VssSnapshotSet -Volume $script:World.Volume -ExpiresAfter ([timespan]::FromSeconds(6))
            $null = $backup | Complete-VssBackup
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        $set.ExpiresAt | Should -BeOfType [datetimeoffset]
        ($set.ExpiresAt - $set.CreatedAt).TotalSeconds | Should -BeGreaterThan 5.5
        ($set.ExpiresAt - $set.CreatedAt).TotalSeconds | Should -BeLessThan 6.5
        (Get-VssSnapshotSet -SnapshotSetId $set.SnapshotSetId).ExpiresAt | Should -Be $set.ExpiresAt
        Get-OrphanId | Should -Not -Contain ([string]$set.SnapshotSetId) -Because 'it has not expired yet'

        Start-Sleep -Milliseconds ([Math]::Max(0, ($set.ExpiresAt - [datetimeoffset]::UtcNow).TotalMilliseconds + 100))
        $orphan = @(Get-VssSnapshotSet -Orphaned -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -or $_.SnapshotSetId -eq $set.SnapshotSetId })
        @($orphan | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Count | Should -Be 1
        "$($orphan | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })" | Should -BeLike "*Orphaned snapshot set $($set.SnapshotSetId): expired at*"
        Get-VssSnapshotSet -Orphaned -Persistent -SnapshotSetId $set.SnapshotSetId | Should -HaveCount 1

        Remove-VssSnapshotSet -Orphaned -WhatIf | Should -BeNullOrEmpty
        Get-SetId | Should -Contain ([string]$set.SnapshotSetId) -Because '-WhatIf deletes nothing'
        $results = @(Remove-VssSnapshotSet -Orphaned -Confirm:$false)
        $deleted = $results | Where-Object SnapshotSetId -EQ $set.SnapshotSetId
        $deleted.PSObject.TypeNames | Should -Contain 'VssSession.DeleteResult'
        $deleted.Deleted | Should -Be 1
        Get-SetId | Should -Not -Contain ([string]$set.SnapshotSetId)
        Test-Path -LiteralPath (Join-Path $script:Records "$($set.SnapshotSetId).json") | Should -BeFalse
    }

    It 'refuses -ExpiresAfter in an auto-release context with E_INVALIDARG, and the backup goes on' {
        $backup = New-VssBackup
        try {
            $failure = $null
            try { $backup | New-VssSnapshotSet -Volume $script:World.Volume -ExpiresAfter ([timespan]::FromHours(1)) -ErrorAction Stop } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -Be 'E_INVALIDARG,New-VssSnapshotSet'
            $failure.Exception.Message | Should -BeLike '*persistent snapshot sets only*Drop -ExpiresAfter*'
            ($backup | New-VssSnapshotSet -Volume $script:World.Volume).ExpiresAt | Should -BeNullOrEmpty
        } finally {
            $null = $backup | Close-VssBackup -Force
        }
        { New-VssSnapshotSet -Backup $backup -Volume $script:World.Volume -ExpiresAfter ([timespan]::Zero) } | Should -Throw -ErrorId 'ParameterArgumentValidationError,New-VssSnapshotSet'
    }

    It 'Invoke-VssBackup -ExpiresAfter keeps a persistent set with its expiry; a backup closed on purpose is no orphan' {
        $setId = Invoke-VssBackup -Volume $script:World.Volume -Context ClientAccessible -ExpiresAfter ([timespan]::FromHours(1)) -ScriptBlock { param($Snapshots) $Snapshots[0].SnapshotSetId }
        $set = Get-VssSnapshotSet -SnapshotSetId $setId
        $set.Persistent | Should -BeTrue
        ($set.ExpiresAt - [datetimeoffset]::UtcNow).TotalMinutes | Should -BeGreaterThan 58
        Get-OrphanId | Should -Not -Contain ([string]$setId)
        $null = Remove-VssSnapshotSet -Orphaned -Confirm:$false
        Get-SetId | Should -Contain ([string]$setId) -Because 'a cleanly closed, unexpired set is kept'
        { Invoke-VssBackup -Volume $script:World.Volume -ExpiresAfter ([timespan]::FromHours(1)) -ScriptBlock { 'ran' } -ErrorAction Stop } | Should -Throw -ErrorId 'E_INVALIDARG,Invoke-VssBackup'
    }

    It 'Invoke-VssBackup whose script block fails abandons the backup: its persistent set is an orphan once that PowerShell has exited' {
        $pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
        $manifest = Join-Path $PSScriptRoot '../../module/VssSession.psd1'
        $script = "Import-Module '$manifest'; try { Invoke-VssBackup -Volume '$($script:World.Volume)' -Context AppRollback -ScriptBlock { param(`$s) Write-Output `"set `$(`$s[0].SnapshotSetId)`"; throw 'the copy failed' } } catch { exit 3 }"
        $output = & $pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 3
        $setId = ($output | Where-Object { $_ -like 'set *' }) -replace '^set ', ''
        $setId | Should -Match '^[0-9a-f-]{36}$'
        (Get-Journal $setId | Where-Object event -EQ 'Abort').Count | Should -Be 2
        Get-OrphanId | Should -Contain $setId -Because 'the backup failed, so its set was not kept on purpose'
        Remove-VssSnapshotSet -SnapshotSetId $setId -Confirm:$false
    }

    It 'a PowerShell killed while it holds a persistent set leaves an orphan that Remove-VssSnapshotSet -Orphaned deletes, telling writers nothing' {
        $setId = New-KilledSet
        Get-SetId | Should -Contain $setId -Because 'a persistent set outlives its backup'
        Get-OrphanId | Should -Contain $setId
        $before = @(Get-Journal).Count
        $result = Remove-VssSnapshotSet -Orphaned -Force | Where-Object SnapshotSetId -EQ $setId
        $result.Deleted | Should -Be 1
        Get-SetId | Should -Not -Contain $setId
        @(Get-Journal | Select-Object -Skip $before) | Should -BeNullOrEmpty -Because 'DeleteSnapshots sends writers no event'
    }

    It 'never lists or deletes a set VssSession holds no record of' {
        $setId = New-KilledSet
        Remove-Item -LiteralPath (Join-Path $script:Records "$setId.json")   # as if another tool had made it
        Get-OrphanId | Should -Not -Contain $setId
        $null = Remove-VssSnapshotSet -Orphaned -Force
        Get-SetId | Should -Contain $setId
        $null = Remove-VssSnapshotSet -SnapshotSetId $setId -Force
    }
}
