# The orphaned snapshot sets (recorded by VssSession, expired or left by a creator that died), as the host
# reports them: VssSession.SnapshotSet fields plus orphanReason and creator. Each is named with -Verbose.
function Find-VssOrphanedSnapshotSet {
    param([VssHostClient] $Client, [System.Management.Automation.PSCmdlet] $Cmdlet)
    Invoke-VssHost -Client $Client -Method 'snapshotSets/orphaned' -Cmdlet $Cmdlet | ForEach-Object { $_ } | ForEach-Object {
        Write-VssVerbose $Cmdlet "Orphaned snapshot set $($_.snapshotSetId): $(Get-VssOrphanReason $_)"
        $_
    }
}
