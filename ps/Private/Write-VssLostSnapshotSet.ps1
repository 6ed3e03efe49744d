# The snapshot sets VssSession made that VSS deleted on its own (the oldest shadow copies of a volume whose shadow
# storage is full go to make room): a warning each, once, with when; -Verbose names each snapshot.
function Write-VssLostSnapshotSet {
    param([VssHostClient] $Client, [System.Management.Automation.PSCmdlet] $Cmdlet)
    try {
        $found = @(Invoke-VssHost -Client $Client -Method 'snapshotSets/lost' -Cmdlet $Cmdlet | ForEach-Object { $_ })
    } catch {
        # The listing itself was given; only the check for what VSS deleted on its own could not be made.
        $Cmdlet.WriteWarning("Could not check for snapshot sets VSS deleted on its own: $($_.Exception.Message)")
        return
    }
    foreach ($lost in $found) {
        $made = "Snapshot set $($lost.snapshotSetId) ($($lost.context), made $($lost.createdAt), of $($lost.volumes -join ', '))"
        if ($lost.lost.reason -eq 'DiffAreaFull') {
            $when = @($lost.lost.deletions | ForEach-Object time | Sort-Object)[-1]
            $Cmdlet.WriteWarning("$made was deleted by VSS at $when to make room in the full shadow storage of its volume. Raise the storage's maximum (Set-VssShadowStorage) to keep more shadow copies.")
            foreach ($deletion in $lost.lost.deletions) {
                Write-VssVerbose $Cmdlet "Snapshot $($deletion.snapshotId) of $($deletion.volume) was deleted for space at $($deletion.time)."
            }
        } else {
            $Cmdlet.WriteWarning("$made is gone, and VssSession did not delete it (noticed $($lost.lost.noticedAt)). VSS deletes the oldest shadow copies of a volume whose shadow storage is full, and another tool may have deleted it; on Windows the System event log (source volsnap) says which.")
        }
    }
}
