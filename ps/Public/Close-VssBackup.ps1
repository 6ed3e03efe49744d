function Close-VssBackup {
    <#
    .SYNOPSIS
    Ends a backup by releasing its component object (VSS Release): writers get BackupShutdown.

    .DESCRIPTION
    Releases the IVssBackupComponents object. VSS then sends BackupShutdown to every writer; a writer that
    never got BackupComplete treats the backup as failed and runs its error handling. Auto-release snapshots
    (context Backup) end now; persistent ones stay until Remove-VssSnapshotSet. The host process exits before
    this command returns. A closed backup can never be used again.

    .PARAMETER Backup
    The backup from New-VssBackup.

    .PARAMETER Force
    Closes without asking for confirmation.

    .EXAMPLE
    Close-VssBackup -Backup $backup -Force

    Ends the backup without a prompt.

    .EXAMPLE
    $backup | Close-VssBackup -Confirm:$false | Select-Object -ExpandProperty Writers

    Ends the backup and shows, per writer, whether it got BackupComplete before its BackupShutdown.

    .OUTPUTS
    VssSession.CloseResult
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('VssSession.CloseResult')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [PSTypeName('VssSession.Backup')] [psobject] $Backup,

        [switch] $Force
    )
    process {
        if (-not ($Force -or $PSCmdlet.ShouldProcess([string]$Backup.BackupId, 'Release the backup (writers get BackupShutdown)'))) { return }
        try {
            $result = Close-VssBackupHost -Backup $Backup -Cmdlet $PSCmdlet
            [pscustomobject]@{
                PSTypeName     = 'VssSession.CloseResult'
                BackupId       = [guid]$result.backupId
                StateAtClose   = $result.state
                Writers        = @($result.writers | ForEach-Object {
                        [pscustomobject]@{ Name = $_.name; WriterId = [guid]$_.writerId; BackupCompleteReceived = [bool]$_.backupCompleteReceived }
                    })
                EndedSnapshots = @($result.endedSnapshots | ForEach-Object { [guid]$_ })
                KeptSnapshots  = @($result.keptSnapshots | ForEach-Object { [guid]$_ })
            }
        } catch {
            $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $Backup.BackupId))
        }
    }
}
