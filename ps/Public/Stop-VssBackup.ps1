function Stop-VssBackup {
    <#
    .SYNOPSIS
    Aborts a backup (VSS AbortBackup): writers get Abort and drop what they prepared.

    .DESCRIPTION
    Calls AbortBackup on a backup that has a snapshot set started but not completed. Writers are told the
    backup failed. The backup still needs Close-VssBackup (VSS's Release) afterwards; Close-VssBackup and
    Invoke-style runbooks call AbortBackup themselves when a step fails, so call this when your own checks
    decide the backup must not go on.

    .PARAMETER Backup
    The backup from New-VssBackup.

    .PARAMETER Force
    Aborts without asking for confirmation.

    .EXAMPLE
    Stop-VssBackup -Backup $backup -Force; Close-VssBackup -Backup $backup -Force

    Aborts the backup, then releases it.

    .EXAMPLE
    $backup | Stop-VssBackup -Confirm:$false | Close-VssBackup -Force

    Aborts and closes in one pipeline.

    .OUTPUTS
    VssSession.Backup
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('VssSession.Backup')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [PSTypeName('VssSession.Backup')] [psobject] $Backup,

        [switch] $Force
    )
    process {
        if (-not ($Force -or $PSCmdlet.ShouldProcess([string]$Backup.BackupId, 'Abort the backup (writers get Abort)'))) { return }
        try {
            $client = Get-VssBackupClient $Backup
            ConvertTo-VssBackup (Invoke-VssHost -Client $client -Method 'backup/abort' -Cmdlet $PSCmdlet)
        } catch {
            $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $Backup.BackupId))
        }
    }
}
