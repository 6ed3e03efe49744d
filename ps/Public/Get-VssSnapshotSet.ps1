function Get-VssSnapshotSet {
    <#
    .SYNOPSIS
    Lists the snapshot sets VSS holds (VSS Query).

    .DESCRIPTION
    Queries every snapshot in context All through a short-lived component object and groups them into
    snapshot sets. Needs no open backup.

    A persistent set VssSession made that VSS deleted on its own since the last listing is reported once, as a
    warning: VSS deletes a volume's oldest shadow copies when its shadow storage is full (see Get-VssShadowStorage).
    The warning says when; -Verbose names each snapshot deleted for space.

    .PARAMETER SnapshotSetId
    Only this snapshot set.

    .PARAMETER Volume
    Only the sets holding a snapshot of one of these volumes.

    .PARAMETER OlderThan
    Only the sets created longer ago than this (for retention: -OlderThan 7d; also 12h, 30m, 90s, or any TimeSpan).

    .PARAMETER Persistent
    Only persistent sets (contexts ClientAccessible, ClientAccessibleWriters, AppRollback, NasRollback), which outlive
    their backup.

    .PARAMETER Orphaned
    Only the orphans: persistent sets VssSession created (it records each one before creating it) that are past
    their -ExpiresAfter, or whose creating PowerShell or host process died without closing its backup
    (Close-VssBackup after a backup that was not aborted). Sets other tools made are never listed. -Verbose
    says why each one is an orphan.

    .EXAMPLE
    Get-VssSnapshotSet

    Lists every snapshot set.

    .EXAMPLE
    Get-VssSnapshotSet -Persistent -OlderThan (New-TimeSpan -Days 7) | Remove-VssSnapshotSet -Force

    Retention in one line: deletes the persistent snapshot sets older than a week.

    .EXAMPLE
    Get-VssSnapshotSet -Orphaned -Verbose | Select-Object SnapshotSetId, CreatedAt, ExpiresAt

    Lists the persistent sets left by killed runbooks or past their expiry, and why.

    .OUTPUTS
    VssSession.SnapshotSet
    #>
    [CmdletBinding()]
    [OutputType('VssSession.SnapshotSet')]
    param(
        [Parameter(ValueFromPipelineByPropertyName)]
        [guid] $SnapshotSetId,

        [string[]] $Volume,

        [ValidateScript({ $_ -ge [timespan]::Zero }, ErrorMessage = 'OlderThan must not be negative; give an age such as (New-TimeSpan -Days 7).')]
        [VssDuration()] [timespan] $OlderThan,

        [switch] $Persistent,

        [switch] $Orphaned
    )
    begin { $client = $null }
    process {
        try {
            $first = $null -eq $client
            if ($first) { $client = New-VssHostClient }
            $setId = if ($PSBoundParameters.ContainsKey('SnapshotSetId')) { $SnapshotSetId } else { $null }
            $cutoff = if ($PSBoundParameters.ContainsKey('OlderThan')) { [datetimeoffset]::UtcNow - $OlderThan } else { $null }
            $volumes = @($Volume | Where-Object { $_ } | ForEach-Object { Resolve-VssVolumeName $_ $PSCmdlet })
            & {
                if ($Orphaned) {
                    Find-VssOrphanedSnapshotSet -Client $client -Cmdlet $PSCmdlet | Where-Object { $null -eq $setId -or [guid]$_.snapshotSetId -eq $setId } | ConvertTo-VssSnapshotSet
                } else {
                    Find-VssSnapshotSet -Client $client -Cmdlet $PSCmdlet -SnapshotSetId $setId
                }
            } |
                Where-Object { $volumes.Count -eq 0 -or @($_.Snapshots.Volume | Where-Object { $_ -in $volumes }).Count -gt 0 } |
                Where-Object { $null -eq $cutoff -or $_.CreatedAt -lt $cutoff } |
                Where-Object { -not $Persistent -or $_.Persistent }
            # Once per call, after the listing: the sets VSS deleted on its own since the last one.
            if ($first) { Write-VssLostSnapshotSet -Client $client -Cmdlet $PSCmdlet }
        } catch {
            $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $SnapshotSetId))
        }
    }
    # clean, not end: it runs even when a terminating error (-ErrorAction Stop) or Ctrl+C stops the pipeline,
    # so the helper process never outlives the command.
    clean { if ($null -ne $client) { $client.Close(10000) } }
}
