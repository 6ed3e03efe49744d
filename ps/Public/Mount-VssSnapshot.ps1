function Mount-VssSnapshot {
    <#
    .SYNOPSIS
    Exposes a shadow copy at a folder (or, on Windows, a drive letter) so any program can read it (VSS ExposeSnapshot).

    .DESCRIPTION
    Makes a snapshot readable at a path of your choosing, as VSS's ExposeSnapshot does: an empty folder (or one not
    there yet, whose parent exists) or, on Windows, a free drive letter such as X:. VSS exposes locally only
    persistent snapshots made in the AppRollback or NasRollback context; for any other snapshot, read its RootPath instead (the
    device path with the trailing separator Windows needs to use it as a root).
    The exposure stays until Dismount-VssSnapshot (or until the snapshot is deleted). Inside Invoke-VssBackup's
    script block an exposure belongs to that Invoke-VssBackup: it is undone when the script block ends, however it
    ends, and if the PowerShell process is killed first, the next VssSession command that touches snapshots undoes it.

    .PARAMETER Snapshot
    The snapshot to expose (a VssSession.Snapshot from Get-VssSnapshot, New-VssSnapshotSet or $Snapshots).

    .PARAMETER SnapshotId
    The id of the snapshot to expose.

    .PARAMETER Path
    Where to expose it: a folder path (empty or not yet there), or on Windows a drive letter (X:). Relative paths are
    taken from the current location.

    .EXAMPLE
    Get-VssSnapshot -SnapshotId $id | Mount-VssSnapshot -Path 'C:\Mounts\Monday'

    Exposes one snapshot at C:\Mounts\Monday; Dismount-VssSnapshot undoes it.

    .EXAMPLE
    Invoke-VssBackup -Volume 'D:\' -Context AppRollback -ScriptBlock { param($Snapshots) $s = $Snapshots[0] | Mount-VssSnapshot -Path 'X:'; robocopy X:\ \\nas\d /MIR }

    Reads the snapshot through drive X: while the script block runs; the drive letter is removed afterwards whatever happens.

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
        [guid] $SnapshotId,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string] $Path
    )
    begin { $client = $null }
    process {
        $id = if ($PSCmdlet.ParameterSetName -eq 'Snapshot') { [guid]$Snapshot.SnapshotId } else { $SnapshotId }
        $at = if ($Path -match '^[A-Za-z]:\\?$') { $Path } else { $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path) }
        if (-not $PSCmdlet.ShouldProcess([string]$id, "Expose the snapshot at $at (ExposeSnapshot)")) { return }
        try {
            if ($null -eq $client) { $client = New-VssHostClient }
            $params = @{ snapshotId = [string]$id; path = $at }
            # Inside Invoke-VssBackup the exposure is that backup's: recorded with this process as its owner.
            $scope = Get-VssExposureScope
            if ($null -ne $scope) { $params.ownerPid = $PID }
            $mounted = Invoke-VssHost -Client $client -Method 'snapshot/mount' -Params $params -Cmdlet $PSCmdlet
            if ($null -ne $scope) { $scope.Add($id) }
            $mounted | ConvertTo-VssSnapshot
        } catch {
            $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $id))
        }
    }
    clean { if ($null -ne $client) { $client.Close(10000) } }
}
