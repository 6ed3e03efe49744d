function Remove-VssSnapshotSet {
    <#
    .SYNOPSIS
    Deletes snapshot sets (VSS DeleteSnapshots); writers are not told.

    .DESCRIPTION
    Deletes every snapshot of each given snapshot set through a component object of its own, so it works in
    a fresh PowerShell with no backup open, on persistent sets and on sets made by other processes. A whole
    pipeline shares one helper process, which deletes each set as it arrives (those that queue up meanwhile go
    to it together; results come in the order given). It reports how many snapshots were deleted and, on
    failure, the one that could not be deleted.

    .PARAMETER SnapshotSetId
    The snapshot set to delete; from the pipeline by value or by the property SnapshotSetId.

    .PARAMETER Orphaned
    Deletes every orphaned snapshot set, each after confirmation: the persistent sets VssSession created (it
    records each one before creating it) that are past their -ExpiresAfter, or whose creating PowerShell or host
    process died without closing its backup. Sets other tools made are never touched, and each set is checked
    again just before its DeleteSnapshots. Writers are not told (DeleteSnapshots sends no writer event).

    .PARAMETER Force
    Passes VSS's force flag and deletes without asking for confirmation.

    .EXAMPLE
    Remove-VssSnapshotSet -SnapshotSetId 5a6c0f8e-8d47-4d6b-9f2e-3c1b2a4d5e6f -Force

    Deletes one snapshot set.

    .EXAMPLE
    Get-VssSnapshotSet | Where-Object Persistent | Remove-VssSnapshotSet -Confirm:$false

    Deletes every persistent snapshot set, one helper process for the whole pipeline.

    .EXAMPLE
    Remove-VssSnapshotSet -Orphaned -Confirm:$false -Verbose | Measure-Object -Property Deleted -Sum

    Deletes the persistent sets left by killed runbooks or past their expiry (-Verbose says why each one),
    and counts the snapshots deleted. Run it from a scheduled task to keep nothing for ever.

    .OUTPUTS
    VssSession.DeleteResult
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High', DefaultParameterSetName = 'Id')]
    [OutputType('VssSession.DeleteResult')]
    param(
        [Parameter(Mandatory, ValueFromPipeline, ValueFromPipelineByPropertyName, ParameterSetName = 'Id')]
        [guid[]] $SnapshotSetId,

        [Parameter(Mandatory, ParameterSetName = 'Orphaned')]
        [switch] $Orphaned,

        [switch] $Force
    )
    begin { $client = $null; $deletes = $null }
    process {
        if ($PSCmdlet.ParameterSetName -eq 'Orphaned') {
            try {
                if ($null -eq $client) { $client = New-VssHostClient }
                $orphans = Find-VssOrphanedSnapshotSet -Client $client -Cmdlet $PSCmdlet
            } catch {
                $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $null))
                return
            }
            foreach ($orphan in $orphans) {
                $id = [guid]$orphan.snapshotSetId
                if (-not ($Force -or $PSCmdlet.ShouldProcess([string]$id, "Delete the orphaned snapshot set: $(Get-VssOrphanReason $orphan) (DeleteSnapshots)"))) { continue }
                try {
                    $result = Invoke-VssHost -Client $client -Method 'snapshotSets/deleteOrphaned' -Params @{ snapshotSetId = [string]$id; force = [bool]$Force } -Cmdlet $PSCmdlet
                    New-VssDeleteResult -SnapshotSetId $id -Deleted $result.deleted
                } catch {
                    $partial = Get-VssPartialDelete $_.Exception
                    if ($partial) { New-VssDeleteResult -SnapshotSetId $id @partial }
                    $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $id))
                }
            }
            return
        }
        foreach ($id in $SnapshotSetId) {
            if (-not ($Force -or $PSCmdlet.ShouldProcess([string]$id, 'Delete the snapshot set (DeleteSnapshots)'))) { continue }
            try {
                if ($null -eq $client) { $client = New-VssHostClient }
            } catch {
                $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $id))
                continue
            }
            # Deletes in flight, those queued meanwhile sent together: each result is written as its answer comes, in
            # the order given.
            if ($null -eq $deletes) {
                $deletes = New-VssHostPipeline -Client $client -Cmdlet $PSCmdlet -Chatty (Test-VssChatty $VerbosePreference $DebugPreference) -BatchMethod 'snapshots/deleteMany' -OnAnswer {
                        param($id, $result, $Cmdlet)
                        # Built here, not by New-VssDeleteResult: a function call per set costs more than building it.
                        $Cmdlet.WriteObject([pscustomobject]@{ PSTypeName = 'VssSession.DeleteResult'; SnapshotSetId = [guid]$id; Deleted = [int]$result.deleted; NondeletedSnapshotId = $null })
                    } -OnFailure {
                        param($id, $exception, $Cmdlet)
                        $partial = Get-VssPartialDelete $exception
                        if ($partial) { $Cmdlet.WriteObject((New-VssDeleteResult -SnapshotSetId $id @partial)) }
                        $Cmdlet.WriteError((New-VssErrorRecord $exception $id))
                    }
            }
            $deletes.Add(@{ snapshotSetId = [string]$id; force = [bool]$Force }, $id)
        }
    }
    end { if ($null -ne $deletes) { $deletes.Drain() } }
    # clean, not end: it runs even when a terminating error (-ErrorAction Stop) or Ctrl+C stops the pipeline,
    # so the helper process never outlives the command.
    clean { if ($null -ne $client) { $client.Close(10000) } }
}
