function Set-VssShadowStorage {
    <#
    .SYNOPSIS
    Resizes a volume's shadow storage (IVssDifferentialSoftwareSnapshotMgmt::ChangeDiffAreaMaximumSize).

    .DESCRIPTION
    What `vssadmin resize shadowstorage` does. A maximum below what the shadow copies use now makes VSS delete the
    volume's oldest shadow copies until the rest fit: -WhatIf shows the change, and Get-VssSnapshotSet warns about
    the sets VssSession made that were deleted. Where the volume has no shadow storage yet, VSS makes it on
    -DiffAreaVolume.

    .PARAMETER Volume
    The volume whose shadow copies the storage holds (vssadmin /For).

    .PARAMETER MaxSize
    The most it may take: bytes (PowerShell's 10GB works), a percentage of the storage's volume ('10%'), or
    'UNBOUNDED'. At least 320 MB.

    .PARAMETER DiffAreaVolume
    The volume the storage is on (vssadmin /On); found from the volume when left out.

    .EXAMPLE
    Set-VssShadowStorage -Volume C:\ -MaxSize 15%

    Lets C:'s shadow copies take up to 15 percent of the volume they are on.

    .EXAMPLE
    Get-VssShadowStorage | Where-Object MaxSpace -NE -1 | Set-VssShadowStorage -MaxSize UNBOUNDED

    Lifts every limit: VSS no longer deletes any volume's oldest shadow copies for space.

    .OUTPUTS
    VssSession.ShadowStorage
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('VssSession.ShadowStorage')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Volume,

        [Parameter(Mandatory, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string] $MaxSize,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $DiffAreaVolume
    )
    process {
        $forVolume = Resolve-VssVolumeName $Volume $PSCmdlet
        if (-not $PSCmdlet.ShouldProcess($forVolume, "Resize the shadow storage to at most $MaxSize (the oldest shadow copies are deleted if they no longer fit)")) { return }
        $params = @{ volume = $forVolume; maxSize = $MaxSize }
        if ($DiffAreaVolume) { $params.diffAreaVolume = Resolve-VssVolumeName $DiffAreaVolume $PSCmdlet }
        Invoke-VssShadowStorage -Method 'shadowStorage/set' -Params $params -Volume $Volume -Cmdlet $PSCmdlet
    }
}
