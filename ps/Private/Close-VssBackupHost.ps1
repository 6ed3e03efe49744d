# Ends a backup through its host and returns the host's answer: backup/close (Release; what Close-VssBackup does) or,
# with -Abandon, backup/abandon (AbortBackup, then Release: Invoke-VssBackup's end when its work did not succeed).
# The host process exits before this returns, and the backup is forgotten either way.
function Close-VssBackupHost {
    param([psobject] $Backup, [switch] $Abandon, [System.Management.Automation.PSCmdlet] $Cmdlet)
    $client = Get-VssBackupClient $Backup
    try {
        Invoke-VssHost -Client $client -Method $(if ($Abandon) { 'backup/abandon' } else { 'backup/close' }) -Cmdlet $Cmdlet
    } finally {
        $script:Backups.Remove([string]$Backup.BackupId)
        $client.Close(10000)
    }
}
