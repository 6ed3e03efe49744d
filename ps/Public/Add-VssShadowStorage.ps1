function Add-VssShadowStorage {
    <#
    .SYNOPSIS
    Gives a volume its shadow storage on a volume of your choice (IVssDifferentialSoftwareSnapshotMgmt::AddDiffArea).

    .DESCRIPTION
    What `vssadmin add shadowstorage` does. VSS adds one only to a volume that has none and no shadow copies: delete
    them (Remove-VssSnapshotSet) and the old storage (Remove-VssShadowStorage) first. The maximum must be at least
    320 MB (VSS's minimum), or UNBOUNDED.

    .PARAMETER Volume
    The volume whose shadow copies the storage holds (vssadmin /For).

    .PARAMETER DiffAreaVolume
    The volume the storage goes on (vssadmin /On).

    .PARAMETER MaxSize
    The most it may take: bytes (PowerShell's 10GB works), a percentage of DiffAreaVolume ('10%'), or 'UNBOUNDED' (the
    default).

    .EXAMPLE
    Add-VssShadowStorage -Volume D:\ -DiffAreaVolume E:\ -MaxSize 50GB

    Keeps D:'s shadow copies on E:, at most 50 GB of it.

    .EXAMPLE
    Get-VssShadowStorage -Volume D:\ | Remove-VssShadowStorage; Add-VssShadowStorage D:\ E:\ -MaxSize 10%

    Moves D:'s shadow storage to E: (once D: has no shadow copies), at most a tenth of E:.

    .OUTPUTS
    VssSession.ShadowStorage
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('VssSession.ShadowStorage')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Volume,

        [Parameter(Mandatory, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string] $DiffAreaVolume,

        [ValidateNotNullOrEmpty()]
        [string] $MaxSize = 'UNBOUNDED'
    )
    $forVolume = Resolve-VssVolumeName $Volume $PSCmdlet
    $onVolume = Resolve-VssVolumeName $DiffAreaVolume $PSCmdlet
    if (-not $PSCmdlet.ShouldProcess($forVolume, "Add shadow storage on $onVolume, at most $MaxSize")) { return }
    Invoke-VssShadowStorage -Method 'shadowStorage/add' -Params @{ volume = $forVolume; diffAreaVolume = $onVolume; maxSize = $MaxSize } -Volume $Volume -Cmdlet $PSCmdlet
}
