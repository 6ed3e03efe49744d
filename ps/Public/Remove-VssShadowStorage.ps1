function Remove-VssShadowStorage {
    <#
    .SYNOPSIS
    Deletes a volume's shadow storage (ChangeDiffAreaMaximumSize with VSS_ASSOC_REMOVE).

    .DESCRIPTION
    What `vssadmin delete shadowstorage` does. VSS refuses while shadow copies use the storage (VSS_E_VOLUME_IN_USE):
    delete them first with Remove-VssSnapshotSet. Outputs the storage as it was.

    .PARAMETER Volume
    The volume whose shadow storage goes (vssadmin /For).

    .PARAMETER DiffAreaVolume
    The volume the storage is on (vssadmin /On); found from the volume when left out.

    .EXAMPLE
    Get-VssShadowStorage -Volume D:\ | Remove-VssShadowStorage

    Deletes D:'s shadow storage, once it holds no shadow copies.

    .EXAMPLE
    Get-VssSnapshotSet -Volume D:\ | Remove-VssSnapshotSet -Confirm:$false; Remove-VssShadowStorage -Volume D:\

    Deletes D:'s shadow copies (DeleteSnapshots), then its shadow storage.

    .OUTPUTS
    VssSession.ShadowStorage
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('VssSession.ShadowStorage')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $Volume,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $DiffAreaVolume
    )
    process {
        $forVolume = Resolve-VssVolumeName $Volume $PSCmdlet
        if (-not $PSCmdlet.ShouldProcess($forVolume, 'Delete the shadow storage')) { return }
        $params = @{ volume = $forVolume }
        if ($DiffAreaVolume) { $params.diffAreaVolume = Resolve-VssVolumeName $DiffAreaVolume $PSCmdlet }
        Invoke-VssShadowStorage -Method 'shadowStorage/remove' -Params $params -Volume $Volume -Cmdlet $PSCmdlet
    }
}
