function Remove-VssSnapshotSet {
    <#
    .SYNOPSIS
    Deletes snapshot sets (VSS DeleteSnapshots); writers are not told.

    .DESCRIPTION
    Deletes every snapshot of each given snapshot set through a component object of its own, so it works in
    a fresh PowerShell with no backup open, on persistent sets and on sets made by other processes. A whole
    pipeline shares one helper process. It reports how many snapshots were deleted and, on failure, the one
    that could not be deleted.

    .PARAMETER SnapshotSetId
    The snapshot set to delete; from the pipeline by value or by the property SnapshotSetId.

    .PARAMETER Force
    Passes VSS's force flag and deletes without asking for confirmation.

    .EXAMPLE
    Remove-VssSnapshotSet -SnapshotSetId 5a6c0f8e-8d47-4d6b-9f2e-3c1b2a4d5e6f -Force

    Deletes one snapshot set.

    .EXAMPLE
    Get-VssSnapshotSet | Where-Object Persistent | Remove-VssSnapshotSet -Confirm:$false

    Deletes every persistent snapshot set, one helper process for the whole pipeline.

    .OUTPUTS
    VssSession.DeleteResult
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('VssSession.DeleteResult')]
    param(
        [Parameter(Mandatory, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [guid[]] $SnapshotSetId,

        [switch] $Force
    )
    begin { $client = $null }
    process {
        foreach ($id in $SnapshotSetId) {
            if (-not ($Force -or $PSCmdlet.ShouldProcess([string]$id, 'Delete the snapshot set (DeleteSnapshots)'))) { continue }
            try {
                if ($null -eq $client) { $client = New-VssHostClient }
                $result = Invoke-VssHost -Client $client -Method 'snapshots/delete' -Params @{ snapshotSetId = [string]$id; force = [bool]$Force } -Cmdlet $PSCmdlet
                New-VssDeleteResult -SnapshotSetId $id -Deleted $result.deleted
            } catch {
                $partial = Get-VssPartialDelete $_.Exception
                if ($partial) { New-VssDeleteResult -SnapshotSetId $id @partial }
                $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $id))
            }
        }
    }
    # clean, not end: it runs even when a terminating error (-ErrorAction Stop) or Ctrl+C stops the pipeline,
    # so the helper process never outlives the command.
    clean { if ($null -ne $client) { $client.Close(10000) } }
}
