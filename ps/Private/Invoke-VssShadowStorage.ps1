# One shadow storage request on a helper process of its own, closed after it: the converted answer, or the VSS error
# as the calling cmdlet's terminating error naming the volume.
function Invoke-VssShadowStorage {
    param([string] $Method, [hashtable] $Params, [string] $Volume, [System.Management.Automation.PSCmdlet] $Cmdlet)
    $client = $null
    try {
        $client = New-VssHostClient
        $answer = Invoke-VssHost -Client $client -Method $Method -Params $Params -Cmdlet $Cmdlet
        if ($Method -eq 'shadowStorage/list') { $answer = $answer.areas }
        $answer | ConvertTo-VssShadowStorage
    } catch {
        $Cmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $Volume))
    } finally {
        if ($null -ne $client) { $client.Close(10000) }
    }
}
