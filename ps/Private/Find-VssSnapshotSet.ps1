# The snapshot sets VSS holds (Query through the given host), as VssSession.SnapshotSet objects; with
# $SnapshotSetId only that set. Shared by Get-VssSnapshotSet and Get-VssSnapshot, each keeping one host
# for its whole pipeline.
function Find-VssSnapshotSet {
    param([VssHostClient] $Client, [System.Management.Automation.PSCmdlet] $Cmdlet, [object] $SnapshotSetId)
    $params = @{}
    if ($null -ne $SnapshotSetId) { $params.snapshotSetId = [string]$SnapshotSetId }
    Invoke-VssHost -Client $Client -Method 'snapshotSets/list' -Params $params -Cmdlet $Cmdlet | ForEach-Object { $_ } | ConvertTo-VssSnapshotSet
}
