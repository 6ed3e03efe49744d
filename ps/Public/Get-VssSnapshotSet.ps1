function Get-VssSnapshotSet {
    <#
    .SYNOPSIS
    Lists the snapshot sets VSS holds (VSS Query).

    .DESCRIPTION
    Queries every snapshot in context All through a short-lived component object and groups them into
    snapshot sets. Needs no open backup.

    .PARAMETER SnapshotSetId
    Only this snapshot set.

    .EXAMPLE
    Get-VssSnapshotSet

    Lists every snapshot set.

    .EXAMPLE
    Get-VssSnapshotSet | Where-Object CreatedAt -lt (Get-Date).AddDays(-7) | Remove-VssSnapshotSet -Force

    Deletes the snapshot sets older than a week.

    .OUTPUTS
    VssSession.SnapshotSet
    #>
    [CmdletBinding()]
    [OutputType('VssSession.SnapshotSet')]
    param(
        [Parameter(ValueFromPipelineByPropertyName)]
        [guid] $SnapshotSetId
    )
    begin { $client = $null }
    process {
        try {
            if ($null -eq $client) { $client = New-VssHostClient }
            $params = @{}
            if ($PSBoundParameters.ContainsKey('SnapshotSetId')) { $params.snapshotSetId = [string]$SnapshotSetId }
            Invoke-VssHost -Client $client -Method 'snapshotSets/list' -Params $params -Cmdlet $PSCmdlet | ForEach-Object { $_ } | ConvertTo-VssSnapshotSet
        } catch {
            $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $SnapshotSetId))
        }
    }
    end { if ($null -ne $client) { $client.Close(10000) } }
}
