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
    ClientAccessible (persistent, no writers), ClientAccessibleWriters, AppRollback (persistent, with writers),
    NasRollback (persistent, no writers: what diskshadow's "set context persistent nowriters" and vshadow -p -nw make,
    and, with AppRollback, the only context whose snapshots Mount-VssSnapshot can expose).

    .PARAMETER BackupType
    The VSS backup type. Copy (the default) leaves applications' own backup history alone; Full, Incremental,
    Differential and Log tell writers such as SQL Server that their data was backed up.

    .PARAMETER RequireWriter
    Writers (names or ids) that must take part: if one is missing, or not Stable (a writer left failed by an earlier
    backup), New-VssBackup fails at once with the writer's state and last error, before anything is frozen.

    .PARAMETER ExcludeWriter
    Writers (names, class ids or instance ids) kept out of the backup: VSS sends them no event at all, not even
    Identify (DisableWriterClasses / DisableWriterInstances). Names are matched case-insensitively against the
    writers present, found through a short-lived component object of their own; a name no writer has fails
    New-VssBackup at once, listing the writers present, so that a typo never lets the writer you meant to keep
    out take part. To exclude a writer that may not be running, give its class id: ids are used as given.

    .PARAMETER IncludeWriter
    Writers (names or ids) that alone take part: every other writer gets no event (EnableWriterClasses). Names
    are resolved as for -ExcludeWriter; a writer that is not present, by name or by id, fails New-VssBackup
    before any snapshot set is started. A writer named in both -IncludeWriter and -ExcludeWriter is an error.

    .PARAMETER RetryTimeout
    How long New-VssSnapshotSet keeps retrying while another snapshot set is being created on the machine
    (VSS_E_SNAPSHOT_SET_IN_PROGRESS: another requester, or Windows' scheduled shadow copies), and while writers
    fail it with a retryable error (VSS_E_WRITERERROR_RETRYABLE, VSS_E_WRITERERROR_TIMEOUT): then the backup is
    aborted and the whole snapshot creation restarted on a new component object, with backoff. Default 10
    minutes; each retry shows with -Verbose. Zero: fail at once. Other writer errors fail at once.

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

    .EXAMPLE
    New-VssBackup -ExcludeWriter 'Microsoft Exchange Writer' | New-VssSnapshotSet -Volume 'E:\'

    Snapshots E: while the Exchange writer hears nothing of this backup.

    .OUTPUTS
    VssSession.Backup
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('VssSession.Backup')]
    param(
        [ValidateSet('Backup', 'FileShareBackup', 'ClientAccessible', 'ClientAccessibleWriters', 'AppRollback', 'NasRollback')] # contract: contexts
        [string] $Context = 'Backup',

        [ValidateSet('Copy', 'Full', 'Incremental', 'Differential', 'Log')] # contract: backupTypes
        [string] $BackupType = 'Copy',

        [ValidateNotNullOrEmpty()]
        [string[]] $RequireWriter,

        [ValidateNotNullOrEmpty()]
        [string[]] $ExcludeWriter,

        [ValidateNotNullOrEmpty()]
        [string[]] $IncludeWriter,

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
            excludeWriters = @($ExcludeWriter | Where-Object { $_ })
            includeWriters = @($IncludeWriter | Where-Object { $_ })
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
