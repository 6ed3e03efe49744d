function Get-VssProvider {
    <#
    .SYNOPSIS
    Lists the shadow copy providers installed (IVssBackupComponents::Query with VSS_OBJECT_PROVIDER).

    .DESCRIPTION
    What `vssadmin list providers` shows: each provider's name, id, type (System, Software, Hardware, Fileshare) and
    version. On Windows the Microsoft Software Shadow Copy provider is the system's own; storage vendors add hardware
    providers. The emulated VSS service has one software provider, which $VSS_SESSION_HOME/provider.json may rename,
    version and type ("name", "version", "type"), for runbooks that check which provider they will get.

    .EXAMPLE
    Get-VssProvider

    Lists the providers with their type and version.

    .EXAMPLE
    Get-VssProvider | Where-Object Type -EQ 'Hardware' | Select-Object Name, Version

    Shows only the hardware providers a storage vendor installed.

    .OUTPUTS
    VssSession.Provider
    #>
    [CmdletBinding()]
    [OutputType('VssSession.Provider')]
    param()
    $client = $null
    try {
        $client = New-VssHostClient
        (Invoke-VssHost -Client $client -Method 'providers/list' -Cmdlet $PSCmdlet).providers | ConvertTo-VssProvider
    } catch {
        $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $null))
    } finally {
        if ($null -ne $client) { $client.Close(10000) }
    }
}
