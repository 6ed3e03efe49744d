function Remove-VssSnapshot {
    <#
    .SYNOPSIS
    Deletes single shadow copies (VSS DeleteSnapshots of one snapshot); writers are not told.

    .DESCRIPTION
    Deletes each given snapshot through a component object of its own, so it needs no open backup. The whole
    pipeline shares one helper process, which deletes each snapshot as it arrives (those that queue up meanwhile
    go to it together); results come in the order given. Reports the number deleted, or the snapshot that could
    not be deleted.

    .PARAMETER SnapshotId
    The snapshot to delete; from the pipeline by property name (Get-VssSnapshot's output).

    .PARAMETER Force
    Passes VSS's force flag and deletes without asking for confirmation.

    .EXAMPLE
    Remove-VssSnapshot -SnapshotId 0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5 -Force

    Deletes one snapshot.

    .EXAMPLE
    Get-VssSnapshot -Volume 'D:\' | Remove-VssSnapshot -Confirm:$false

    Deletes every snapshot of D:, one helper process for the whole pipeline.

    .OUTPUTS
    VssSession.DeleteResult
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('VssSession.DeleteResult')]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)]
        [guid[]] $SnapshotId,

        [switch] $Force
    )
    begin { $client = $null; $deletes = $null }
    process {
        foreach ($id in $SnapshotId) {
            if (-not ($Force -or $PSCmdlet.ShouldProcess([string]$id, 'Delete the snapshot (DeleteSnapshots)'))) { continue }
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
                        # Built here, not by New-VssDeleteResult: a function call per snapshot costs more than building it.
                        $Cmdlet.WriteObject([pscustomobject]@{ PSTypeName = 'VssSession.DeleteResult'; SnapshotId = [guid]$id; Deleted = [int]$result.deleted; NondeletedSnapshotId = $null })
                    } -OnFailure {
                        param($id, $exception, $Cmdlet)
                        $partial = Get-VssPartialDelete $exception
                        if ($partial) { $Cmdlet.WriteObject((New-VssDeleteResult -SnapshotId $id @partial)) }
                        $Cmdlet.WriteError((New-VssErrorRecord $exception $id))
                    }
            }
            $deletes.Add(@{ snapshotId = [string]$id; force = [bool]$Force }, $id)
        }
    }
    end { if ($null -ne $deletes) { $deletes.Drain() } }
    # clean, not end: it runs even when a terminating error (-ErrorAction Stop) or Ctrl+C stops the pipeline,
    # so the helper process never outlives the command.
    clean { if ($null -ne $client) { $client.Close(10000) } }
}
