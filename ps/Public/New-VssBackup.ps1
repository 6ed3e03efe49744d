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
        [string] $BackupType = 'Copy'
    )
    if (-not $PSCmdlet.ShouldProcess("context $Context, type $BackupType", 'Start a VSS backup')) { return }
    $client = $null
    try {
        Write-Progress -Activity 'New-VssBackup' -Status 'Gathering writer metadata'
        $client = New-VssHostClient
        $info = Invoke-VssHost -Client $client -Method 'backup/create' -Params @{ context = $Context; backupType = $BackupType } -Cmdlet $PSCmdlet
        $script:Backups[[string]$info.backupId] = $client
        ConvertTo-VssBackup $info
    } catch {
        if ($null -ne $client) { $client.Close(5000) }
        $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $Context))
    } finally {
        Write-Progress -Activity 'New-VssBackup' -Completed
    }
}
