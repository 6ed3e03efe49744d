function New-VssSnapshotSet {
    <#
    .SYNOPSIS
    Creates a snapshot set of one or more volumes in an open backup.

    .DESCRIPTION
    Calls StartSnapshotSet, AddToSnapshotSet for each volume, PrepareForBackup and DoSnapshotSet, then reads
    each snapshot's properties. Read the backed-up files under each snapshot's DevicePath. If any step fails
    after the set was started, the backup is aborted (writers get Abort) before the error is reported; the
    backup then still needs Close-VssBackup. On the emulated service a volume is a directory.

    .PARAMETER Backup
    The backup from New-VssBackup.

    .PARAMETER Volume
    The volumes to snapshot (on Windows, e.g. 'C:\'; on the emulator, directories).

    .PARAMETER ExpiresAfter
    How long a persistent snapshot set (a backup in context ClientAccessible, ClientAccessibleWriters, AppRollback or
    NasRollback) is wanted. Past it, Get-VssSnapshotSet -Orphaned lists the set and Remove-VssSnapshotSet
    -Orphaned deletes it; ExpiresAt on the output says when. Refused in the auto-release contexts (Backup,
    FileShareBackup), whose sets end with the backup anyway.

    .EXAMPLE
    $set = New-VssSnapshotSet -Backup $backup -Volume 'C:\', 'D:\'
    Get-Content (Join-Path $set.Snapshots[0].DevicePath 'Windows\win.ini')

    Snapshots two volumes and reads a file as it was at the snapshot.

    .EXAMPLE
    $backup | New-VssSnapshotSet -Volume /srv/data | Select-Object -ExpandProperty Snapshots

    Takes the backup from the pipeline and lists the snapshots made.

    .EXAMPLE
    New-VssBackup -Context ClientAccessible | New-VssSnapshotSet -Volume D:\ -ExpiresAfter (New-TimeSpan -Days 7)

    A persistent snapshot of D: that Remove-VssSnapshotSet -Orphaned deletes once it is a week old.

    .OUTPUTS
    VssSession.SnapshotSet
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('VssSession.SnapshotSet')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [PSTypeName('VssSession.Backup')] [psobject] $Backup,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Volume,

        [ValidateScript({ $_ -gt [timespan]::Zero }, ErrorMessage = 'ExpiresAfter must be above zero; give a lifetime such as (New-TimeSpan -Days 7).')]
        [VssDuration()] [timespan] $ExpiresAfter
    )
    process {
        if (-not $PSCmdlet.ShouldProcess(($Volume -join ', '), 'Create a VSS snapshot set')) { return }
        try {
            Write-Progress -Activity 'New-VssSnapshotSet' -Status 'PrepareForBackup and DoSnapshotSet'
            $client = Get-VssBackupClient $Backup
            $volumes = @(foreach ($v in $Volume) { Resolve-VssVolumeName $v $PSCmdlet })
            $params = @{ volumes = $volumes }
            if ($PSBoundParameters.ContainsKey('ExpiresAfter')) { $params.expiresAfterMs = $ExpiresAfter.TotalMilliseconds }
            $set = Invoke-VssHost -Client $client -Method 'snapshotSet/create' -Params $params -Cmdlet $PSCmdlet
            ConvertTo-VssSnapshotSet $set
        } catch {
            $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord $_.Exception $Volume))
        } finally {
            Write-Progress -Activity 'New-VssSnapshotSet' -Completed
        }
    }
}
