function Complete-VssBackup {
    <#
    .SYNOPSIS
    Tells the writers that the backup succeeded (VSS BackupComplete).

    .DESCRIPTION
    Calls BackupComplete and then GatherWriterStatus. Call it only after the backed-up data was read
    successfully: a writer that gets BackupComplete treats the backup as good. Close-VssBackup must follow.

    .PARAMETER Backup
    The backup from New-VssBackup.

    .PARAMETER DocumentPath
    Saves the Backup Components Document (SaveAsXML), which every later restore needs, to this file. It is written
    whole beside the file before BackupComplete is sent, and put in place only after BackupComplete succeeded: a
    document that cannot be saved (a full disk, a missing folder, no write access) fails Complete-VssBackup before
    any writer hears BackupComplete, and the file is never left half written. Get-VssBackupDocument reads it back.

    .EXAMPLE
    Complete-VssBackup -Backup $backup

    Marks the backup as successful.

    .EXAMPLE
    $backup | Complete-VssBackup -DocumentPath \\nas\backup\sql.xml

    Completes the backup and keeps its Backup Components Document with the copied data, for a later restore.

    .EXAMPLE
    $backup | Complete-VssBackup | Select-Object -ExpandProperty Writers

    Completes the backup and shows each writer's state afterwards.

    .OUTPUTS
    VssSession.Backup
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('VssSession.Backup')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [PSTypeName('VssSession.Backup')] [psobject] $Backup,

        [ValidateNotNullOrEmpty()]
        [string] $DocumentPath
    )
    process {
        if (-not $PSCmdlet.ShouldProcess([string]$Backup.BackupId, 'Send BackupComplete to writers')) { return }
        try {
            $client = Get-VssBackupClient $Backup
            $params = @{}
            # Relative to PowerShell's location, not the host process's working folder.
            if ($DocumentPath) { $params.documentPath = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($DocumentPath) }
            $completed = ConvertTo-VssBackup (Invoke-VssHost -Client $client -Method 'backup/complete' -Params $params -Cmdlet $PSCmdlet)
            if ($DocumentPath) { Write-Verbose "Saved the Backup Components Document to $($params.documentPath)" }
            # BackupComplete was delivered; a writer that failed handling it is worth an operator's look, not a failed backup.
            foreach ($writer in $completed.Writers | Where-Object State -Like 'Failed*') {
                Write-Warning "Writer '$($writer.Name)' is $($writer.State) with $($writer.LastError) after BackupComplete; check its service before the next backup."
            }
            # Data the snapshot set did not hold was not backed up, and the writer was not told it was.
            foreach ($left in $completed.ComponentsLeftOut) {
                $name = if ($left.LogicalPath) { "$($left.LogicalPath)\$($left.Name)" } else { $left.Name }
                Write-Warning "Component '$name' of writer '$($left.Writer)' was left out of this $($completed.BackupType) backup and not marked backed up: $($left.Reason). Add its volume to the snapshot set to back it up."
            }
            $completed
        } catch {
            $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $Backup.BackupId))
        }
    }
}
