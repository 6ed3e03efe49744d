function Complete-VssBackup {
    <#
    .SYNOPSIS
    Tells the writers that the backup succeeded (VSS BackupComplete).

    .DESCRIPTION
    Calls BackupComplete and then GatherWriterStatus. Call it only after the backed-up data was read
    successfully: a writer that gets BackupComplete treats the backup as good. Close-VssBackup must follow.

    .PARAMETER Backup
    The backup from New-VssBackup.

    .EXAMPLE
    Complete-VssBackup -Backup $backup

    Marks the backup as successful.

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
        [PSTypeName('VssSession.Backup')] [psobject] $Backup
    )
    process {
        if (-not $PSCmdlet.ShouldProcess([string]$Backup.BackupId, 'Send BackupComplete to writers')) { return }
        try {
            $client = Get-VssBackupClient $Backup
            $completed = ConvertTo-VssBackup (Invoke-VssHost -Client $client -Method 'backup/complete' -Cmdlet $PSCmdlet)
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
