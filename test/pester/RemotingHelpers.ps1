# A fleet of "servers" on this machine for the remoting tests: one OpenSSH server per loopback address, each with
# pwsh as its `powershell` subsystem and its own VSS_SESSION_HOME (so its own emulated VSS service), volume and module
# folder. The client is this PowerShell, over SSH with a key made for the run. Everything started is stopped by
# Stop-SshFleet; nothing outside the fleet's folder is changed.

# A TCP port free on every address, so that every server listens on the same one (as real servers use port 22).
function Get-FreePort([string[]] $Address) {
    for ($try = 0; $try -lt 50; $try++) {
        $port = Get-Random -Minimum 20000 -Maximum 40000
        $free = $true
        foreach ($a in $Address) {
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Parse($a), $port)
            try { $listener.Start() } catch { $free = $false } finally { $listener.Stop() }
        }
        if ($free) { return $port }
    }
    throw "no TCP port was free on $($Address -join ', ')"
}

function Start-SshFleet([string[]] $Address) {
    $root = Join-Path ([System.IO.Path]::GetTempPath()) "vss-fleet-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    New-Item -ItemType Directory -Path $root | Out-Null
    $key = Join-Path $root 'client_key'
    & ssh-keygen -q -t ed25519 -N '' -f $key | Out-Null
    $port = Get-FreePort $Address
    $pwsh = Join-Path $PSHOME 'pwsh'
    if (-not (Test-Path -LiteralPath $pwsh)) { $pwsh = (Get-Process -Id $PID).Path }
    $servers = foreach ($a in $Address) {
        $dir = Join-Path $root $a
        $server = [pscustomobject]@{
            HostName = $a
            Dir     = $dir
            Home    = Join-Path $dir 'home'
            Volume  = Join-Path $dir 'volume'
            Modules = Join-Path $dir 'Modules'
            Process = $null
        }
        foreach ($d in $server.Home, $server.Volume, $server.Modules) { New-Item -ItemType Directory -Path $d -Force | Out-Null }
        Set-Content -LiteralPath (Join-Path $server.Volume 'ledger.txt') -Value "server $a"
        & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'host_key') | Out-Null
        # The subsystem's environment is the server's: its own home, volume and module folder. The same pwsh as the
        # client (the repository's), which starts its .NET through `dotnet` on PATH.
        $subsystem = Join-Path $dir 'subsystem.sh'
        Set-Content -LiteralPath $subsystem -Value @"
#!/bin/sh
export VSS_SESSION_HOME='$($server.Home)' VSS_TEST_VOLUME='$($server.Volume)' PSModulePath='$($server.Modules)'
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off PATH="`$PATH:$(Split-Path (Get-Command dotnet).Source)"
exec '$pwsh' -sshs -NoLogo -NoProfile
"@
        & chmod +x $subsystem
        $config = Join-Path $dir 'sshd_config'
        Set-Content -LiteralPath $config -Value @"
ListenAddress ${a}:$port
HostKey $(Join-Path $dir 'host_key')
PidFile $(Join-Path $dir 'sshd.pid')
AuthorizedKeysFile $key.pub
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
LogLevel ERROR
Subsystem powershell $subsystem
"@
        $info = [System.Diagnostics.ProcessStartInfo]::new('/usr/sbin/sshd')
        foreach ($arg in '-D', '-e', '-f', $config) { $info.ArgumentList.Add($arg) }
        $info.UseShellExecute = $false
        $info.RedirectStandardError = $true
        $server.Process = [System.Diagnostics.Process]::Start($info)
        $server
    }
    # Each sshd accepts connections once its port answers.
    foreach ($s in $servers) {
        $deadline = [datetime]::UtcNow.AddSeconds(15)
        while ($true) {
            $client = [System.Net.Sockets.TcpClient]::new()
            try { $client.Connect($s.HostName, $port); break } catch {
                if ($s.Process.HasExited) { throw "sshd for $($s.HostName) exited: $($s.Process.StandardError.ReadToEnd())" }
                if ([datetime]::UtcNow -gt $deadline) { throw "sshd for $($s.HostName) did not listen on port $port" }
                Start-Sleep -Milliseconds 100
            } finally { $client.Dispose() }
        }
    }
    [pscustomobject]@{
        Root    = $root
        Port    = $port
        Servers = @($servers)
        # What Invoke-Command and New-PSSession take to reach a server: the host key is the run's own.
        Ssh     = @{
            Port        = $port
            UserName    = [System.Environment]::UserName
            KeyFilePath = $key
            Options     = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = (Join-Path $root 'known_hosts'); LogLevel = 'ERROR' }
        }
    }
}

function Stop-SshFleet($Fleet) {
    if (-not $Fleet) { return }
    Get-PSSession | Remove-PSSession -ErrorAction SilentlyContinue
    foreach ($s in $Fleet.Servers) {
        if ($s.Process -and -not $s.Process.HasExited) { $s.Process.Kill($true); $s.Process.WaitForExit() }
        $env:VSS_SESSION_HOME = $s.Home
        & $script:Exe emulator stop 2>&1 | Out-Null
    }
    Remove-Item Env:VSS_SESSION_HOME -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $Fleet.Root -Recurse -Force -ErrorAction SilentlyContinue
}

# The processes of this machine whose environment names a server's home: what a server left running.
function Get-ServerProcess($Server, [string] $Like = '*') {
    foreach ($entry in Get-ChildItem /proc -Directory -ErrorAction SilentlyContinue | Where-Object Name -Match '^\d+$') {
        try {
            $environ = [System.IO.File]::ReadAllText("/proc/$($entry.Name)/environ")
            $cmdline = [System.IO.File]::ReadAllText("/proc/$($entry.Name)/cmdline") -replace "`0", ' '
        } catch { continue }
        if ($environ.Split("`0") -contains "VSS_SESSION_HOME=$($Server.Home)" -and $cmdline -like $Like) {
            [pscustomobject]@{ Id = [int]$entry.Name; CommandLine = $cmdline.Trim() }
        }
    }
}

# The journal of one server's emulated service.
function Get-ServerJournal($Server) {
    $saved = $env:VSS_SESSION_HOME
    try {
        $env:VSS_SESSION_HOME = $Server.Home
        @(& $script:Exe emulator journal --json | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
    } finally {
        $env:VSS_SESSION_HOME = $saved
    }
}

# The snapshot sets one server's emulated service holds, as its own executable lists them.
function Get-ServerSnapshotSet($Server) {
    $saved = $env:VSS_SESSION_HOME
    try {
        $env:VSS_SESSION_HOME = $Server.Home
        @(& $script:Exe snapshots list --json | ConvertFrom-Json)
    } finally {
        $env:VSS_SESSION_HOME = $saved
    }
}
