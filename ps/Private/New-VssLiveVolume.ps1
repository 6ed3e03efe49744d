# What -Policy BestEffort hands the script block in place of a snapshot: the live volume itself.
function New-VssLiveVolume([string] $Volume) {
    [pscustomobject]@{
        PSTypeName    = 'VssSession.LiveVolume'
        SnapshotId    = $null
        SnapshotSetId = $null
        Volume        = $Volume
        DevicePath    = $Volume
        ExposedPath   = $null
        Persistent    = $false
        CreatedAt     = $null
        Live          = $true
    }
}
