function Dismount-VssSnapshot {
    <#
    .SYNOPSIS
    Undoes Mount-VssSnapshot: the folder or drive letter no longer shows the shadow copy (VSS UnexposeSnapshot).

    .DESCRIPTION
    Removes the exposure of each given snapshot; the snapshot itself stays (Remove-VssSnapshot deletes it). A folder
    that was empty before the mount is left empty, as it was.

    .PARAMETER Snapshot
    The snapshot to unexpose (Mount-VssSnapshot's or Get-VssSnapshot's output).

    .PARAMETER SnapshotId
    The id of the snapshot to unexpose.

    .EXAMPLE
    Dismount-VssSnapshot -SnapshotId 0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5

    Removes one exposure.

    .EXAMPLE
    Get-VssSnapshot | Where-Object ExposedPath | Dismount-VssSnapshot

    Removes every exposure, one helper process for the whole pipeline.

    .OUTPUTS
    VssSession.Snapshot
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Snapshot')]
    [OutputType('VssSession.Snapshot')]
    param(
        [Parameter(Mandatory, ValueFromPipeline, ParameterSetName = 'Snapshot')]
        [ValidateNotNull()]
        [PSTypeName('VssSession.Snapshot')] $Snapshot,

        [Parameter(Mandatory, ParameterSetName = 'Id')]
        [guid] $SnapshotId
    )
    begin { $client = $null }
    process {
        $id = if ($PSCmdlet.ParameterSetName -eq 'Snapshot') { [guid]$Snapshot.SnapshotId } else { $SnapshotId }
        if (-not $PSCmdlet.ShouldProcess([string]$id, 'Unexpose the snapshot (UnexposeSnapshot)')) { return }
        try {
            if ($null -eq $client) { $client = New-VssHostClient }
            Invoke-VssHost -Client $client -Method 'snapshot/dismount' -Params @{ snapshotId = [string]$id } -Cmdlet $PSCmdlet | ConvertTo-VssSnapshot
        } catch {
            $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $id))
        }
    }
    clean { if ($null -ne $client) { $client.Close(10000) } }
}
