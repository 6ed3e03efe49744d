# The module across servers over PowerShell remoting on a real engine: OpenSSH servers started here on loopback
# addresses (pwsh as their `powershell` subsystem), each with its own emulated VSS service. Install by
# Copy-Item -ToSession, fan-out with Invoke-Command -HostName, deserialized output, one failing server among others,
# and a dropped SSH connection in the middle of a backup.
BeforeDiscovery {
    $script:NoFleet = if (-not $IsLinux) { 'the fleet is made of Linux sshd processes on loopback addresses' }
    elseif (-not (Test-Path /usr/sbin/sshd)) { "OpenSSH's server is not installed (npm test installs it as root: apt-get install openssh-server)" }
    if ($script:NoFleet) { Write-Host "Remoting tests skipped: $script:NoFleet" }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'RemotingHelpers.ps1')
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:Fleet = Start-SshFleet '127.0.0.2', '127.0.0.3', '127.0.0.4'
    $script:A, $script:B, $script:C = $script:Fleet.Servers
    $script:Ssh = $script:Fleet.Ssh
    # B and C have the module where their PSModulePath looks; A gets it by Copy-Item -ToSession in the first test.
    foreach ($s in $script:B, $script:C) {
        New-Item -ItemType SymbolicLink -Path (Join-Path $s.Modules 'VssSession') -Target (Join-Path $script:RepoRoot 'module') | Out-Null
    }
    $script:Addresses = @($script:Fleet.Servers | ForEach-Object HostName)
    # Sessions kept open for the tests that are not about making them (a session's first command starts pwsh there).
    $script:Sessions = New-PSSession -HostName $script:Addresses @script:Ssh
}

AfterAll {
    Stop-SshFleet $script:Fleet
}

Describe 'Many servers over PowerShell remoting (SSH)' -Skip:([bool]$script:NoFleet) {
    It 'installs the module onto a server from a folder with Copy-Item -ToSession' {
        $session = New-PSSession -HostName $script:A.HostName @script:Ssh
        try {
            # The module folder with the package for the server's platform (the other one is not needed there).
            $source = Join-Path $script:RepoRoot 'module'
            $target = Join-Path $script:A.Modules 'VssSession'
            Invoke-Command -Session $session { param($t) New-Item -ItemType Directory -Path (Join-Path $t 'bin') -Force | Out-Null } -ArgumentList $target
            Get-ChildItem -LiteralPath $source -File | Copy-Item -Destination $target -ToSession $session
            Copy-Item -LiteralPath (Join-Path $source 'bin/linux-x64') -Destination (Join-Path $target 'bin') -Recurse -ToSession $session
            $installed = Invoke-Command -Session $session {
                Import-Module VssSession
                [pscustomobject]@{ Base = (Get-Module VssSession).ModuleBase; Writers = @(Get-VssWriter).Count }
            }
            $installed.Base | Should -Be $target
            $installed.Writers | Should -Be 2
            (Get-Item (Join-Path $target 'bin/linux-x64/vss-session')).Length | Should -Be (Get-Item (Join-Path $source 'bin/linux-x64/vss-session')).Length
        } finally {
            Remove-PSSession $session
        }
    }

    It 'Invoke-Command -HostName a,b,c: retention across servers, each answer naming its server' {
        Invoke-Command -HostName $script:Addresses @script:Ssh {
            $b = New-VssBackup -Context ClientAccessible
            try { $null = $b | New-VssSnapshotSet -Volume $env:VSS_TEST_VOLUME; $null = $b | Complete-VssBackup } finally { $null = $b | Close-VssBackup -Force }
        }
        Start-Sleep -Milliseconds 1100
        $deleted = Invoke-Command -HostName $script:Addresses @script:Ssh { Get-VssSnapshotSet -OlderThan 1s | Remove-VssSnapshotSet -Confirm:$false }
        @($deleted).Count | Should -Be 3
        ($deleted.PSComputerName | Sort-Object) | Should -Be ($script:Addresses | Sort-Object)
        $deleted.Deleted | Should -Be @(1, 1, 1)
        $deleted[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.VssSession.DeleteResult'
        foreach ($s in $script:Fleet.Servers) { Get-ServerSnapshotSet $s | Should -BeNullOrEmpty }
    }

    It 'deserialized snapshot sets and writers format with the server''s name and their volumes' {
        Invoke-Command -Session $script:Sessions {
            $b = New-VssBackup -Context ClientAccessible
            try { $null = $b | New-VssSnapshotSet -Volume $env:VSS_TEST_VOLUME; $null = $b | Complete-VssBackup } finally { $null = $b | Close-VssBackup -Force }
        }
        $sets = Invoke-Command -Session $script:Sessions { Get-VssSnapshotSet }
        $sets[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.VssSession.SnapshotSet'
        $table = $sets | Sort-Object PSComputerName | Out-String -Width 250
        $table | Should -Match 'PSComputerName\s+SnapshotSetId\s+Context\s+Persistent\s+CreatedAt\s+Volumes'
        foreach ($s in $script:Fleet.Servers) { $table | Should -Match ([regex]::Escape($s.HostName) + '\s+[0-9a-f-]{36}\s+ClientAccessible\s+True\s+.*' + [regex]::Escape($s.Volume)) }
        $writers = Invoke-Command -Session $script:Sessions { Get-VssWriter } | Sort-Object PSComputerName, Name | Out-String -Width 250
        $writers | Should -Match 'PSComputerName\s+Name\s+State'
        $writers | Should -Match '127\.0\.0\.4\s+Emulated Registry Writer\s+Stable'
        # vssadmin list shadowstorage across the fleet: each volume's storage (made at its first snapshot), by server.
        $storage = Invoke-Command -Session $script:Sessions { Get-VssShadowStorage } | Sort-Object PSComputerName | Out-String -Width 250
        $storage | Should -Match 'PSComputerName\s+Volume\s+DiffAreaVolume\s+UsedSpace\s+MaxSpace'
        foreach ($s in $script:Fleet.Servers) { $storage | Should -Match ([regex]::Escape($s.HostName) + '\s+' + [regex]::Escape($s.Volume) + '\s+' + [regex]::Escape($s.Volume) + '\s+\d+\s+UNBOUNDED') }
        Invoke-Command -Session $script:Sessions { Get-VssSnapshotSet | Remove-VssSnapshotSet -Confirm:$false } | Out-Null
    }

    It 'one server whose service fails does not stop the others, and its error names the server' {
        Set-Content -LiteralPath (Join-Path $script:C.Home 'writers.json') -Value '[{ "name": "Broken Writer", '
        try {
            $results = Invoke-Command -Session $script:Sessions {
                Invoke-VssBackup -Volume $env:VSS_TEST_VOLUME -ScriptBlock { param($Snapshots) Get-Content (Join-Path $Snapshots[0].SnapshotPath 'ledger.txt') }
            } -ErrorVariable failures -ErrorAction SilentlyContinue
            ($results.PSComputerName | Sort-Object) | Should -Be @($script:A.HostName, $script:B.HostName)
            $results | Should -Contain "server $($script:A.HostName)"
            @($failures).Count | Should -Be 1
            $failures[0].OriginInfo.PSComputerName | Should -Be $script:C.HostName
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'VSS_E_WRITER_INFRASTRUCTURE,*'
            $failures[0].Exception.Message | Should -BeLike '*writers.json*'
            # As PowerShell shows a remote error in its NormalView (ConciseView leaves the origin out; README says so).
            $saved = $ErrorView
            try {
                $ErrorView = 'NormalView'
                ($failures[0] | Out-String) | Should -Match ('PSComputerName\s+: ' + [regex]::Escape($script:C.HostName))
            } finally {
                $ErrorView = $saved
            }
        } finally {
            Remove-Item -LiteralPath (Join-Path $script:C.Home 'writers.json')
        }
    }

    It 'a dropped SSH connection ends the backup: AbortBackup and BackupShutdown within seconds, nothing left behind' {
        $server = $script:B
        $mount = Join-Path $server.Dir 'mount'
        New-Item -ItemType Directory -Path $mount -Force | Out-Null
        $earlier = @(Get-Process ssh -ErrorAction SilentlyContinue).Id
        $session = New-PSSession -HostName $server.HostName @script:Ssh
        # The SSH client carrying this session alone (the shared sessions have their own).
        $ssh = @(Get-Process ssh | Where-Object { $_.Id -notin $earlier -and $_.CommandLine -like "*$($server.HostName)*" })
        $ssh.Count | Should -Be 1
        $job = Invoke-Command -Session $session -AsJob {
            param($Mount)
            Invoke-VssBackup -Volume $env:VSS_TEST_VOLUME -Context AppRollback -ScriptBlock {
                param($Snapshots)
                $null = $Snapshots | Mount-VssSnapshot -Path $Mount
                Start-Sleep -Seconds 120
            }
        } -ArgumentList $mount
        try {
            # The backup is under way once its snapshot is exposed at the mount folder.
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not (Get-ChildItem -LiteralPath $mount) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            Get-ChildItem -LiteralPath $mount | Should -Not -BeNullOrEmpty
            $setId = (Get-ServerSnapshotSet $server | Where-Object context -EQ 'AppRollback').snapshotSetId
            $setId | Should -Not -BeNullOrEmpty
            @(Get-ServerProcess $server '*vss-session host*').Count | Should -BeGreaterThan 0

            # The network goes: the SSH client carrying the session is killed.
            $dropped = [System.Diagnostics.Stopwatch]::StartNew()
            $ssh | Stop-Process -Force

            $deadline = [datetime]::UtcNow.AddSeconds(15)
            do {
                Start-Sleep -Milliseconds 200
                $events = @(Get-ServerJournal $server | Where-Object snapshotSetId -EQ $setId)
            } until (@($events | Where-Object event -EQ 'BackupShutdown').Count -eq 2 -or [datetime]::UtcNow -gt $deadline)
            $dropped.Elapsed.TotalSeconds | Should -BeLessThan 15
            ($events.event | Select-Object -Last 4) | Should -Be @('Abort', 'Abort', 'BackupShutdown', 'BackupShutdown')
            ($events | Where-Object event -EQ 'BackupShutdown').backupCompleteReceived | Should -Be @($false, $false)
            $events.event | Should -Not -Contain 'BackupComplete'

            # Nothing left: no host, no exposure (the folder is empty and no record is kept).
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while (@(Get-ServerProcess $server '*vss-session host*').Count -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            @(Get-ServerProcess $server '*vss-session host*') | Should -BeNullOrEmpty
            Get-ChildItem -LiteralPath $mount | Should -BeNullOrEmpty
            Get-ChildItem -LiteralPath (Join-Path $server.Home 'exposures') -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (Get-ServerSnapshotSet $server | Where-Object snapshotSetId -EQ $setId).snapshots.exposedName | Should -BeNullOrEmpty
            # The persistent set stays, found as an orphan: its creator is gone and its backup was aborted.
            $env:VSS_SESSION_HOME = $server.Home
            try { $orphans = @(& $script:Exe snapshots list --orphaned --json | ConvertFrom-Json) } finally { Remove-Item Env:VSS_SESSION_HOME }
            $orphans.snapshotSetId | Should -Contain $setId
        } finally {
            $job | Remove-Job -Force -ErrorAction SilentlyContinue
            Remove-PSSession $session -ErrorAction SilentlyContinue
        }
    }

    It 'a dropped SSH connection during an auto-release backup leaves no snapshot' {
        $server = $script:C
        $earlier = @(Get-Process ssh -ErrorAction SilentlyContinue).Id
        $session = New-PSSession -HostName $server.HostName @script:Ssh
        $ssh = @(Get-Process ssh | Where-Object { $_.Id -notin $earlier -and $_.CommandLine -like "*$($server.HostName)*" })
        $ssh.Count | Should -Be 1
        $job = Invoke-Command -Session $session -AsJob {
            Invoke-VssBackup -Volume $env:VSS_TEST_VOLUME -ScriptBlock { Start-Sleep -Seconds 120 }
        }
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not (Get-ServerSnapshotSet $server) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $set = Get-ServerSnapshotSet $server
            $set.context | Should -Be 'Backup'
            $ssh | Stop-Process -Force
            $deadline = [datetime]::UtcNow.AddSeconds(15)
            while ((Get-ServerSnapshotSet $server) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            Get-ServerSnapshotSet $server | Should -BeNullOrEmpty
            (Get-ServerJournal $server | Where-Object snapshotSetId -EQ $set.snapshotSetId | Select-Object -Last 2).event | Should -Be @('BackupShutdown', 'BackupShutdown')
            @(Get-ServerProcess $server '*vss-session host*') | Should -BeNullOrEmpty
        } finally {
            $job | Remove-Job -Force -ErrorAction SilentlyContinue
            Remove-PSSession $session -ErrorAction SilentlyContinue
        }
    }
}
