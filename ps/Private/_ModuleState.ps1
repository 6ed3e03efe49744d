# The module's own state and shared script blocks, set as it loads (after every helper is defined: this file sorts
# last among ps/Private, and module.mjs joins the files in name order).

$script:Runtime = Get-VssRuntimeName $IsWindows $IsMacOS ([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture)

$script:Executable = Join-Path $PSScriptRoot 'bin' $script:Runtime $(if ($IsWindows) { 'vss-session.exe' } else { 'vss-session' })
# The executable whose x bits Get-VssExecutable has made sure of (a module copied without file modes loses them).
$script:ExecutableModeChecked = $null

# The open backups of this PowerShell session: BackupId -> VssHostClient.
$script:Backups = @{}

# Invoke-VssBackup's exposures: one list of snapshot ids per running Invoke-VssBackup, innermost last. Mount-VssSnapshot
# adds to the innermost; Invoke-VssBackup undoes its own in its finally block.
$script:ExposureScopes = [System.Collections.Generic.List[System.Collections.Generic.List[guid]]]::new()

# What the host reports while it serves a request, shown on the streams of the cmdlet the client gives each block as
# its last argument: each frame with -Debug, each VSS call and retry with -Verbose, the long phases as progress.
$script:VssHostLog = { param($line, $Cmdlet) $Cmdlet.WriteDebug($line) }

$script:VssHostReporter = {
    param($kind, $call, $Cmdlet)
    if ($kind -eq 'vss/retry') {
        if ($call.PSObject.Properties['writer'] -and $call.writer) {
            Write-VssVerbose $Cmdlet ('VSS {0}: writer ''{4}'' failed with {1}; the backup was aborted and the snapshot set is made again on a new component object: retry {2} in {3:n0} ms' -f $call.operation, $call.error, $call.attempt, [double]$call.delayMs, $call.writer)
        } else {
            Write-VssVerbose $Cmdlet ('VSS {0} got {1}; retry {2} in {3:n0} ms' -f $call.operation, $call.error, $call.attempt, [double]$call.delayMs)
        }
        return
    }
    if ($kind -eq 'vss/progress') {
        # The long phases (writer metadata, PrepareForBackup, DoSnapshotSet) show as they start.
        $Cmdlet.WriteProgress([System.Management.Automation.ProgressRecord]::new(1, $Cmdlet.MyInvocation.MyCommand.Name, "VSS $($call.method)"))
        return
    }
    $outcome = if ($call.error) { " failed: $($call.error)" } else { '' }
    Write-VssVerbose $Cmdlet ('VSS {0} ({1:n1} ms){2}' -f $call.method, [double]$call.ms, $outcome)
}
