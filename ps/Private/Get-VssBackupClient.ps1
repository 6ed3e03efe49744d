function Get-VssBackupClient {
    param([Parameter(Mandatory)] [psobject] $Backup)
    $client = $script:Backups[[string]$Backup.BackupId]
    if ($null -eq $client) {
        throw [VssSessionException]::new('VSS_E_BAD_STATE', [VssSession.Client.VssErrorCodes]::VSS_E_BAD_STATE, "Backup $($Backup.BackupId) is closed (or was opened in another PowerShell session); a backup is never reused. Start a new one with New-VssBackup.", $null)
    }
    $client
}
