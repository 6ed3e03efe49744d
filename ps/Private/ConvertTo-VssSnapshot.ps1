function ConvertTo-VssSnapshot {
    param([Parameter(ValueFromPipeline)] $Snapshot)
    process {
        [pscustomobject]@{
            PSTypeName    = 'VssSession.Snapshot'
            SnapshotId    = [guid]$Snapshot.snapshotId
            SnapshotSetId = [guid]$Snapshot.snapshotSetId
            Volume        = $Snapshot.volume
            DevicePath    = $Snapshot.devicePath
            RootPath      = $Snapshot.rootPath
            Path          = $Snapshot.path
            SnapshotPath  = $Snapshot.snapshotPath
            ExposedPath   = $Snapshot.exposedName
            Persistent    = [bool]$Snapshot.persistent
            CreatedAt     = [datetimeoffset]$Snapshot.createdAt
        }
    }
}
