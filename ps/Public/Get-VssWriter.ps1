function Get-VssWriter {
    <#
    .SYNOPSIS
    Lists the VSS writers with their state and last error (GatherWriterMetadata, GatherWriterStatus).

    .DESCRIPTION
    Without -Backup, makes a component object for the purpose, gathers the writers' metadata and status,
    and releases it. With -Backup, gathers the status of the writers taking part in that open backup. A writer
    left failed by an earlier backup shows its failed state and VSS_E_WRITERERROR_* reason.

    .PARAMETER Backup
    An open backup from New-VssBackup, to see its writers' status now.

    .EXAMPLE
    Get-VssWriter

    Lists every writer with its state.

    .EXAMPLE
    Get-VssWriter | Where-Object State -Like 'Failed*' | Format-Table Name, State, LastError

    Shows only the writers that failed, with their reasons.

    .OUTPUTS
    VssSession.Writer
    #>
    [CmdletBinding()]
    [OutputType('VssSession.Writer')]
    param(
        [Parameter(ValueFromPipeline)]
        [PSTypeName('VssSession.Backup')] [psobject] $Backup
    )
    process {
        $client = $null
        try {
            if ($Backup) {
                (Invoke-VssHost -Client (Get-VssBackupClient $Backup) -Method 'backup/writers' -Cmdlet $PSCmdlet).writers | ConvertTo-VssWriter
            } else {
                Write-Progress -Activity 'Get-VssWriter' -Status 'Gathering writer metadata and status'
                $client = New-VssHostClient
                (Invoke-VssHost -Client $client -Method 'writers/list' -Cmdlet $PSCmdlet).writers | ConvertTo-VssWriter
            }
        } catch {
            $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $Backup))
        } finally {
            if ($null -ne $client) { $client.Close(10000) }
            Write-Progress -Activity 'Get-VssWriter' -Completed
        }
    }
}
