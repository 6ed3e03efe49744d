# One VssSession.DeleteResult. Written as [pscustomobject] literals, which PowerShell builds directly: a pipeline of
# deletes makes one per set, and building it from an ordered dictionary costs more than the delete's own answer.
function New-VssDeleteResult {
    param([guid] $SnapshotSetId, [guid] $SnapshotId, [int] $Deleted, [object] $NondeletedSnapshotId)
    $nondeleted = if ($NondeletedSnapshotId) { [guid]$NondeletedSnapshotId } else { $null }
    if ($PSBoundParameters.ContainsKey('SnapshotId')) {
        [pscustomobject]@{ PSTypeName = 'VssSession.DeleteResult'; SnapshotId = $SnapshotId; Deleted = $Deleted; NondeletedSnapshotId = $nondeleted }
    } else {
        [pscustomobject]@{ PSTypeName = 'VssSession.DeleteResult'; SnapshotSetId = $SnapshotSetId; Deleted = $Deleted; NondeletedSnapshotId = $nondeleted }
    }
}
