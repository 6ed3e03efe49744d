function New-VssBackup {
    <#
    .SYNOPSIS
    Starts a VSS backup: a new component object, initialized for backup, with the writers' metadata gathered.

    .DESCRIPTION
    Starts one `vss-session host` process for this backup and, through it, creates an IVssBackupComponents
    object and calls InitializeForBackup, SetContext, SetBackupState and GatherWriterMetadata. The returned
    backup is the handle for New-VssSnapshotSet, Complete-VssBackup and Close-VssBackup. Every backup must be
    ended with Close-VssBackup (VSS's Release); if this PowerShell exits first, the host ends the backup itself.
    On Linux and macOS the backup runs against the emulated VSS service, started on demand.

    .PARAMETER Context
    The VSS snapshot context: Backup (auto-release, writers take part; the default), FileShareBackup,
    ClientAccessible (persistent, no writers), ClientAccessibleWriters, AppRollback (persistent, with writers).

    .PARAMETER BackupType
    The VSS backup type. Copy (the default) leaves applications' own backup history alone; Full, Incremental,
    Differential and Log tell writers such as SQL Server that their data was backed up.

    .PARAMETER RequireWriter
    Writers (names or ids) that must take part: if one is missing, or not Stable (a writer left failed by an earlier
    backup), New-VssBackup fails at once with the writer's state and last error, before anything is frozen.

    .PARAMETER RetryTimeout
    How long New-VssSnapshotSet keeps retrying while another snapshot set is being created on the machine
    (VSS_E_SNAPSHOT_SET_IN_PROGRESS: another requester, or Windows' scheduled shadow copies). Default 10 minutes;
    each retry shows with -Verbose. Zero: fail at once.

    .PARAMETER MetadataTimeout
    Time limit for gathering writer metadata and status. Default 10 minutes. Past it the call is cancelled,
    the backup aborted, and the error names the phase and the limit.

    .PARAMETER PrepareTimeout
    Time limit for PrepareForBackup. Default 10 minutes.

    .PARAMETER SnapshotTimeout
    Time limit for DoSnapshotSet (writers' freeze and the snapshot itself). Default 10 minutes.

    .PARAMETER CompleteTimeout
    Time limit for BackupComplete. Default 10 minutes.

    .EXAMPLE
    $backup = New-VssBackup
    $set = $backup | New-VssSnapshotSet -Volume 'C:\'
    $backup | Complete-VssBackup
    $backup | Close-VssBackup -Confirm:$false

    Takes an auto-release snapshot of C:, tells writers the backup succeeded, and ends it.

    .EXAMPLE
    New-VssBackup -Context ClientAccessible | New-VssSnapshotSet -Volume D:\ -Verbose

    Makes a persistent snapshot of D: (it outlives Close-VssBackup), showing each VSS call and its duration.

    .OUTPUTS
    VssSession.Backup
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('VssSession.Backup')]
    param(
        [ValidateSet('Backup', 'FileShareBackup', 'ClientAccessible', 'ClientAccessibleWriters', 'AppRollback')]
        [string] $Context = 'Backup',

        [ValidateSet('Copy', 'Full', 'Incremental', 'Differential', 'Log')]
        [string] $BackupType = 'Copy',

        [ValidateNotNullOrEmpty()]
        [string[]] $RequireWriter,

        [ValidateScript({ $_ -ge [timespan]::Zero -and $_ -le [timespan]::FromDays(1) }, ErrorMessage = 'RetryTimeout must be between 0 and 1 day.')]
        [timespan] $RetryTimeout = [timespan]::FromMinutes(10),

        [ValidateScript({ $_ -gt [timespan]::Zero -and $_ -le [timespan]::FromDays(1) }, ErrorMessage = 'A time limit must be above 0 and at most 1 day.')]
        [timespan] $MetadataTimeout = [timespan]::FromMinutes(10),

        [ValidateScript({ $_ -gt [timespan]::Zero -and $_ -le [timespan]::FromDays(1) }, ErrorMessage = 'A time limit must be above 0 and at most 1 day.')]
        [timespan] $PrepareTimeout = [timespan]::FromMinutes(10),

        [ValidateScript({ $_ -gt [timespan]::Zero -and $_ -le [timespan]::FromDays(1) }, ErrorMessage = 'A time limit must be above 0 and at most 1 day.')]
        [timespan] $SnapshotTimeout = [timespan]::FromMinutes(10),

        [ValidateScript({ $_ -gt [timespan]::Zero -and $_ -le [timespan]::FromDays(1) }, ErrorMessage = 'A time limit must be above 0 and at most 1 day.')]
        [timespan] $CompleteTimeout = [timespan]::FromMinutes(10)
    )
    if (-not $PSCmdlet.ShouldProcess("context $Context, type $BackupType", 'Start a VSS backup')) { return }
    $client = $null
    try {
        Write-Progress -Activity 'New-VssBackup' -Status 'Gathering writer metadata'
        $client = New-VssHostClient
        $params = @{
            context        = $Context
            backupType     = $BackupType
            retryTimeoutMs = $RetryTimeout.TotalMilliseconds
            requireWriters = @($RequireWriter | Where-Object { $_ })
            timeouts       = @{
                metadata = $MetadataTimeout.TotalMilliseconds
                prepare  = $PrepareTimeout.TotalMilliseconds
                snapshot = $SnapshotTimeout.TotalMilliseconds
                complete = $CompleteTimeout.TotalMilliseconds
            }
        }
        $info = Invoke-VssHost -Client $client -Method 'backup/create' -Params $params -Cmdlet $PSCmdlet
        $script:Backups[[string]$info.backupId] = $client
        ConvertTo-VssBackup $info
    } catch {
        if ($null -ne $client) { $client.Close(5000) }
        $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $Context))
    } finally {
        Write-Progress -Activity 'New-VssBackup' -Completed
    }
}
