# A DeleteSnapshots that stopped part-way: how many it deleted and the snapshot it could not delete, or $null.
function Get-VssPartialDelete([System.Exception] $Exception) {
    while ($Exception -isnot [VssSessionException] -and $null -ne $Exception.InnerException) { $Exception = $Exception.InnerException }
    if ($Exception -is [VssSessionException] -and $null -ne $Exception.Details -and $Exception.Details.PSObject.Properties['nondeletedSnapshotId'] -and $Exception.Details.nondeletedSnapshotId) {
        @{ Deleted = [int]$Exception.Details.deleted; NondeletedSnapshotId = $Exception.Details.nondeletedSnapshotId }
    }
}
