function Get-VssBackupDocument {
    <#
    .SYNOPSIS
    Reads a saved Backup Components Document back (IVssBackupComponents::InitializeForRestore), without restoring.

    .DESCRIPTION
    The document Complete-VssBackup -DocumentPath, Invoke-VssBackup -DocumentPath or `vss-session backup --document`
    saved, or one vshadow -bc or diskshadow's "set metadata" wrote: a fresh component object is initialized for
    restore with it, which is how VSS checks a document, and its writers and components are read through
    IVssWriterComponentsExt and IVssComponent (whether each was backed up, its stamps and options). The snapshot set
    and backup type, which the API gives no getter for, are read from the document itself. Nothing is restored: no
    writer is sent PreRestore, and the object is released at once.

    .PARAMETER Path
    The document file. Accepts pipeline input (FullName of Get-ChildItem).

    .EXAMPLE
    Get-VssBackupDocument -Path \\nas\backup\sql.xml

    Shows which snapshot set and backup type the document describes, with its writers and components.

    .EXAMPLE
    (Get-VssBackupDocument .\sql.xml).Components | Where-Object -Not BackupSucceeded

    Lists the components the backup did not mark as backed up.

    .OUTPUTS
    VssSession.BackupDocument
    #>
    [CmdletBinding()]
    [OutputType('VssSession.BackupDocument')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [ValidateNotNullOrEmpty()]
        [string] $Path
    )
    begin { $client = $null }
    process {
        try {
            $file = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)
            if ($null -eq $client) { $client = New-VssHostClient }
            Invoke-VssHost -Client $client -Method 'document/read' -Params @{ path = $file } -Cmdlet $PSCmdlet | ConvertTo-VssBackupDocument
        } catch {
            $PSCmdlet.WriteError((New-VssErrorRecord $_.Exception $Path))
        }
    }
    # clean, not end: one helper process for the whole pipeline, closed even when -ErrorAction Stop or Ctrl+C ends it.
    clean { if ($null -ne $client) { $client.Close(10000) } }
}
