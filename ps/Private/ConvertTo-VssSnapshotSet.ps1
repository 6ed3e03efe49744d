function ConvertTo-VssSnapshotSet {
    param([Parameter(ValueFromPipeline)] $Set)
    process {
        [pscustomobject]@{
            PSTypeName    = 'VssSession.SnapshotSet'
            SnapshotSetId = [guid]$Set.snapshotSetId
            Context       = $Set.context
            Persistent    = [bool]$Set.persistent
            CreatedAt     = [datetimeoffset]$Set.createdAt
            ExpiresAt     = if ($Set.expiresAt) { [datetimeoffset]$Set.expiresAt } else { $null }
            Snapshots     = @($Set.snapshots | ConvertTo-VssSnapshot)
        }
    }
}
