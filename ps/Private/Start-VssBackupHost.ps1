# A backup in its own host process from `backup/create` parameters, registered like New-VssBackup's, as a
# VssSession.Backup. For Invoke-VssBackup, which names its volumes up front so that the host checks them
# (IsVolumeSupported) before anything is prepared or frozen. A failure closes the host and passes through as it is.
function Start-VssBackupHost {
    param([hashtable] $Params, [System.Management.Automation.PSCmdlet] $Cmdlet)
    $client = New-VssHostClient
    try {
        $info = Invoke-VssHost -Client $client -Method 'backup/create' -Params $Params -Cmdlet $Cmdlet
    } catch {
        $client.Close(5000)
        throw
    }
    $script:Backups[[string]$info.backupId] = $client
    ConvertTo-VssBackup $info
}
