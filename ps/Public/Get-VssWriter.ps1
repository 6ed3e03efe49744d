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

    .PARAMETER Detailed
    Adds each writer's metadata in full, as vshadow -wm and diskshadow's "list writers detailed" show it
    (GetWriterMetadata): Components (LogicalPath, Name, Type, Selectable, Caption, Files, Databases, Logs, each file
    a Path, Filespec and Recursive), ExcludedFiles, and RestoreMethod ($null where the writer declares none). Without
    it these three properties are $null. A writer that failed Identify has no metadata: they stay $null.

    .EXAMPLE
    Get-VssWriter

    Lists every writer with its state.

    .EXAMPLE
    Get-VssWriter | Where-Object State -Like 'Failed*' | Format-Table Name, State, LastError

    Shows only the writers that failed, with their reasons.

    .EXAMPLE
    (Get-VssWriter -Detailed | Where-Object Name -EQ 'SqlServerWriter').Components | Format-Table

    Lists SQL Server's databases as components, with their data and log files.

    .EXAMPLE
    Get-VssWriter -Detailed | Select-Object Name -ExpandProperty ExcludedFiles

    Shows which files each writer excludes from backup.

    .OUTPUTS
    VssSession.Writer
    #>
    [CmdletBinding()]
    [OutputType('VssSession.Writer')]
    param(
        [Parameter(ValueFromPipeline)]
        [PSTypeName('VssSession.Backup')] [psobject] $Backup,

        [switch] $Detailed
    )
    process {
        $client = $null
        try {
            if ($Backup) {
                (Invoke-VssHost -Client (Get-VssBackupClient $Backup) -Method 'backup/writers' -Params @{ detailed = $Detailed.IsPresent } -Cmdlet $PSCmdlet).writers | ConvertTo-VssWriter
            } else {
                Write-Progress -Activity 'Get-VssWriter' -Status 'Gathering writer metadata and status'
                $client = New-VssHostClient
                (Invoke-VssHost -Client $client -Method 'writers/list' -Params @{ detailed = $Detailed.IsPresent } -Cmdlet $PSCmdlet).writers | ConvertTo-VssWriter
            }
        } catch {
            $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $Backup))
        } finally {
            if ($null -ne $client) { $client.Close(10000) }
            Write-Progress -Activity 'Get-VssWriter' -Completed
        }
    }
}
