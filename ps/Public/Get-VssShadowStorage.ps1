function Get-VssShadowStorage {
    <#
    .SYNOPSIS
    Lists the shadow storage of volumes (IVssDifferentialSoftwareSnapshotMgmt::QueryDiffAreasForVolume).

    .DESCRIPTION
    What `vssadmin list shadowstorage` shows: for each volume, the volume its shadow copies are kept on
    (DiffAreaVolume), and how much they use, have allocated and may take at most (MaxSpace, in bytes; -1 is
    UNBOUNDED). When the storage is full, VSS deletes the volume's oldest shadow copies to make room for a new one:
    Get-VssSnapshotSet warns about the sets VssSession made that went that way.

    .PARAMETER Volume
    Only this volume's shadow storage (a drive, a mount folder, a volume GUID path, or any folder on it).

    .EXAMPLE
    Get-VssShadowStorage

    Lists every volume's shadow storage with its use and maximum.

    .EXAMPLE
    Get-VssShadowStorage -Volume D:\ | Select-Object UsedSpace, MaxSpace

    Shows how full D:'s shadow storage is.

    .OUTPUTS
    VssSession.ShadowStorage
    #>
    [CmdletBinding()]
    [OutputType('VssSession.ShadowStorage')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Volume
    )
    process {
        $params = @{}
        if ($Volume) { $params.volume = Resolve-VssVolumeName $Volume $PSCmdlet }
        Invoke-VssShadowStorage -Method 'shadowStorage/list' -Params $params -Volume $Volume -Cmdlet $PSCmdlet
    }
}
