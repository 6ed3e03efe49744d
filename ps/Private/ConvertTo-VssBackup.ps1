function ConvertTo-VssBackup {
    param([Parameter(Mandatory)] $Info)
    [pscustomobject]@{
        PSTypeName    = 'VssSession.Backup'
        BackupId      = [guid]$Info.backupId
        Context       = $Info.context
        BackupType    = $Info.backupType
        State         = $Info.state
        HostProcessId = $Info.hostProcessId
        Writers       = @($Info.writers | ConvertTo-VssWriter)
        Components    = @($Info.components | Where-Object { $_ } | ForEach-Object {
                [pscustomobject]@{
                    PSTypeName          = 'VssSession.BackupComponent'
                    Writer              = $_.writer
                    WriterId            = [guid]$_.writerId
                    Name                = $_.name
                    LogicalPath         = $_.logicalPath
                    BackupSucceeded     = [bool]$_.backupSucceeded
                    BackupStamp         = $_.backupStamp
                    PreviousBackupStamp = $_.previousBackupStamp
                }
            })
        # Components of writers taking part whose data was not in the snapshot set: never marked backed up.
        ComponentsLeftOut = @($Info.componentsLeftOut | Where-Object { $_ } | ForEach-Object {
                [pscustomobject]@{
                    PSTypeName  = 'VssSession.ComponentLeftOut'
                    Writer      = $_.writer
                    WriterId    = [guid]$_.writerId
                    Name        = $_.name
                    LogicalPath = $_.logicalPath
                    Reason      = $_.reason
                }
            })
    }
}
