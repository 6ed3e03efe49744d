# A DeleteSnapshots that stopped part-way: how many it deleted and the snapshot it could not delete, or $null.
function Get-VssPartialDelete([System.Exception] $Exception) {
    while ($Exception -isnot [VssSessionException] -and $null -ne $Exception.InnerException) { $Exception = $Exception.InnerException }
    if ($Exception -is [VssSessionException] -and $null -ne $Exception.PartialDelete -and $null -ne $Exception.PartialDelete.NondeletedSnapshotId) {
        @{ Deleted = $Exception.PartialDelete.Deleted; NondeletedSnapshotId = $Exception.PartialDelete.NondeletedSnapshotId }
    }
}
