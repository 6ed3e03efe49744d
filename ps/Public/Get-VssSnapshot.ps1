function Get-VssSnapshot {
    <#
    .SYNOPSIS
    Lists shadow copies (snapshots), one object per volume snapshot.

    .DESCRIPTION
    Queries every snapshot in context All through a short-lived component object. Filter by snapshot id,
    snapshot set id or original volume. Needs no open backup.

    .PARAMETER SnapshotId
    Only this snapshot.

    .PARAMETER SnapshotSetId
    Only the snapshots of this snapshot set; from the pipeline by property name.

    .PARAMETER Volume
    Only the snapshots of these volumes (on the emulator, directories).

    .EXAMPLE
    Get-VssSnapshot -Volume 'C:\'

    Lists the shadow copies of C:.

    .EXAMPLE
    Get-VssSnapshotSet -Persistent | Get-VssSnapshot | Select-Object Volume, DevicePath

    Shows where each persistent snapshot can be read.

    .OUTPUTS
    VssSession.Snapshot
    #>
    [CmdletBinding()]
    [OutputType('VssSession.Snapshot')]
    param(
        [guid] $SnapshotId,

        [Parameter(ValueFromPipelineByPropertyName)]
        [guid] $SnapshotSetId,

        [string[]] $Volume
    )
    begin { $client = $null }
    process {
        try {
            if ($null -eq $client) { $client = New-VssHostClient }
            $setId = if ($PSBoundParameters.ContainsKey('SnapshotSetId')) { $SnapshotSetId } else { $null }
            $volumes = @($Volume | Where-Object { $_ } | ForEach-Object { Resolve-VssVolumeName $_ $PSCmdlet })
            Find-VssSnapshotSet -Client $client -Cmdlet $PSCmdlet -SnapshotSetId $setId | ForEach-Object Snapshots |
                Where-Object { $volumes.Count -eq 0 -or $_.Volume -in $volumes } |
                Where-Object { -not $PSBoundParameters.ContainsKey('SnapshotId') -or $_.SnapshotId -eq $SnapshotId }
        } catch {
            $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $SnapshotSetId))
        }
    }
    # clean, not end: it runs even when a terminating error (-ErrorAction Stop) or Ctrl+C stops the pipeline,
    # so the helper process never outlives the command.
    clean { if ($null -ne $client) { $client.Close(10000) } }
}
