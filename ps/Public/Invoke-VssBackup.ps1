function Invoke-VssBackup {
    <#
    .SYNOPSIS
    Runs a whole backup around a script block: snapshot, your script, BackupComplete only if it succeeded, always Close.

    .DESCRIPTION
    Starts a backup, snapshots the volumes and runs the script block with the snapshots as its argument
    ($Snapshots, or param($Snapshots)). When the script block succeeds, writers get BackupComplete; when it
    throws, the backup is aborted (writers get Abort). Either way the backup is closed in a finally block, so
    writers always get BackupShutdown and auto-release snapshots end, and then the script's error is rethrown.
    What the script block outputs is this command's output.

    Before anything is prepared or frozen the volumes are checked (IsVolumeSupported, after the writers were asked
    for their metadata, as VSS's discovery phase has it), and on Windows the process too:
    not elevated (E_ACCESSDENIED), a 32-bit process on 64-bit Windows (E_NOTIMPL), a volume VSS cannot snapshot
    (VSS_E_VOLUME_NOT_SUPPORTED; on the emulator a file, /proc and the like) or cannot find (VSS_E_OBJECT_NOT_FOUND)
    each fail with their own error and the fix. What happens when no snapshot can be made is -Policy's choice.

    .PARAMETER Volume
    The volumes to snapshot (on the emulator, directories).

    .PARAMETER ScriptBlock
    What to do with the snapshots; gets them as its first argument.

    .PARAMETER Context
    The VSS snapshot context, as for New-VssBackup (default Backup).

    .PARAMETER BackupType
    The VSS backup type, as for New-VssBackup (default Copy).

    .PARAMETER RequireWriter
    Writers (names or ids) that must be present and stable, as for New-VssBackup; checked before anything is frozen.

    .PARAMETER ExcludeWriter
    Writers (names or ids) kept out of the backup, as for New-VssBackup: they get no event at all. A name no
    writer has is an error, before any snapshot is taken.

    .PARAMETER IncludeWriter
    Writers (names or ids) that alone take part, as for New-VssBackup. A writer that is not present is an error,
    before any snapshot is taken.

    .PARAMETER RetryTimeout
    How long to keep retrying while another snapshot set is being created, or while writers fail with a retryable
    error, as for New-VssBackup (default 10 minutes).

    .PARAMETER Policy
    What to do when no snapshot can be made. Required (the default): the error is thrown and the script block
    does not run. BestEffort: when the cause is one the machine or VSS imposes (not elevated, a 32-bit process,
    a volume VSS cannot snapshot, a phase time limit, a writer or provider that failed or did not answer, another
    snapshot set in progress past -RetryTimeout), the backup is closed, a warning says why, and the script block
    runs against the live volumes: $Snapshots then holds one VssSession.LiveVolume per volume, whose Volume and
    DevicePath are the live volume's path, Live is $true, and SnapshotId, SnapshotSetId and CreatedAt are $null.
    Writers get no BackupComplete. Never relaxed: a path that does not exist, bad arguments, a -RequireWriter
    refusal, and any failure once the script block has started, or of the script block itself.

    .PARAMETER ExpiresAfter
    For a persistent context (ClientAccessible, ClientAccessibleWriters, AppRollback, NasRollback): how long the set is
    wanted, as for New-VssSnapshotSet; past it, Remove-VssSnapshotSet -Orphaned deletes it.

    .PARAMETER DocumentPath
    Saves the Backup Components Document to this file when the script block succeeded, as Complete-VssBackup
    -DocumentPath does: a document that cannot be saved fails the backup before BackupComplete. Its folder must exist
    before anything is snapshotted. With -Policy BestEffort and no snapshot, no document is saved and a warning says so.

    .EXAMPLE
    Invoke-VssBackup -Volume 'C:\' -ScriptBlock { param($Snapshots) robocopy (Join-Path $Snapshots[0].DevicePath 'Data') \\nas\backup /MIR }

    Copies C:\Data from a shadow copy; writers hear BackupComplete only if the copy ran without throwing.

    .EXAMPLE
    'D:\', 'E:\' | Invoke-VssBackup -ScriptBlock { param($Snapshots) $Snapshots | ForEach-Object { Get-ChildItem $_.DevicePath } }

    Snapshots the volumes from the pipeline together and lists each snapshot's root.

    .EXAMPLE
    Invoke-VssBackup -Volume 'E:\' -Policy BestEffort -WarningVariable why -ScriptBlock { param($Snapshots) if ($Snapshots[0].Live) { 'live copy' }; robocopy $Snapshots[0].DevicePath \\nas\usb /MIR }

    Backs up E: from a shadow copy if VSS can make one, else (for example a FAT32 USB disk) from the live volume,
    with the reason in $why.

    .OUTPUTS
    System.Object
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([object])]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Volume,

        [Parameter(Mandatory)]
        [scriptblock] $ScriptBlock,

        [ValidateSet('Backup', 'FileShareBackup', 'ClientAccessible', 'ClientAccessibleWriters', 'AppRollback', 'NasRollback')] # contract: contexts
        [string] $Context = 'Backup',

        [ValidateSet('Copy', 'Full', 'Incremental', 'Differential', 'Log')] # contract: backupTypes
        [string] $BackupType = 'Copy',

        [ValidateNotNullOrEmpty()]
        [string[]] $RequireWriter,

        [ValidateNotNullOrEmpty()]
        [string[]] $ExcludeWriter,

        [ValidateNotNullOrEmpty()]
        [string[]] $IncludeWriter,

        [ValidateScript({ $_ -ge [timespan]::Zero -and $_ -le [timespan]::FromDays(1) }, ErrorMessage = 'RetryTimeout must be between 0 and 1 day.')]
        [timespan] $RetryTimeout = [timespan]::FromMinutes(10),

        [ValidateSet('Required', 'BestEffort')] # contract: policies
        [string] $Policy = 'Required',

        [ValidateScript({ $_ -gt [timespan]::Zero }, ErrorMessage = 'ExpiresAfter must be above zero; give a lifetime such as (New-TimeSpan -Days 7).')]
        [VssDuration()] [timespan] $ExpiresAfter,

        [ValidateNotNullOrEmpty()]
        [string] $DocumentPath
    )
    begin { $volumes = [System.Collections.Generic.List[string]]::new() }
    process { foreach ($v in $Volume) { $volumes.Add($v) } }
    end {
        if (-not $PSCmdlet.ShouldProcess(($volumes -join ', '), 'Back up through VSS snapshots')) { return }
        $resolved = @(foreach ($v in $volumes) { Resolve-VssVolumeName $v $PSCmdlet })
        $document = @{}
        if ($DocumentPath) {
            $document.DocumentPath = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($DocumentPath)
            $folder = Split-Path -Parent $document.DocumentPath
            if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
                $PSCmdlet.ThrowTerminatingError((New-VssErrorRecord ([VssSessionException]::new('VSS_E_OBJECT_NOT_FOUND', [VssErrorCodes]::VSS_E_OBJECT_NOT_FOUND, "The folder for the Backup Components Document, $folder, does not exist: create it or choose another -DocumentPath. Nothing was snapshotted.", $null)) $DocumentPath))
            }
        }
        $params = @{
            context        = $Context
            backupType     = $BackupType
            retryTimeoutMs = $RetryTimeout.TotalMilliseconds
            requireWriters = @($RequireWriter | Where-Object { $_ })
            excludeWriters = @($ExcludeWriter | Where-Object { $_ })
            includeWriters = @($IncludeWriter | Where-Object { $_ })
            volumes        = $resolved
        }
        $backup = $null
        $failure = $null
        $completed = $false
        try {
            try {
                $backup = Start-VssBackupHost -Params $params -Cmdlet $PSCmdlet
                $lifetime = @{}
                if ($PSBoundParameters.ContainsKey('ExpiresAfter')) { $lifetime.ExpiresAfter = $ExpiresAfter }
                $snapshots = ($backup | New-VssSnapshotSet -Volume $resolved @lifetime -Confirm:$false).Snapshots
            } catch {
                $record = New-VssErrorRecord $_.Exception $volumes
                if ($Policy -ne 'BestEffort' -or -not (Test-VssLiveFallback $_.Exception)) { $PSCmdlet.ThrowTerminatingError($record) }
                # No snapshot: writers get BackupShutdown now, not after the script block has read the live volumes.
                if ($null -ne $backup) { $null = $backup | Close-VssBackup -Force; $backup = $null }
                $PSCmdlet.WriteWarning("No snapshot was made, so the script block runs against the live volumes (-Policy BestEffort): $($record.FullyQualifiedErrorId.Split(',')[0]): $($record.Exception.Message)")
                $snapshots = @(foreach ($v in $resolved) { New-VssLiveVolume $v })
                if ($DocumentPath) { $PSCmdlet.WriteWarning("No Backup Components Document is saved to $($document.DocumentPath): without a snapshot there is no backup for VSS to describe.") }
            }
            # Mount-VssSnapshot calls in the script block belong to this backup: undone below, however it ends.
            $exposed = [System.Collections.Generic.List[guid]]::new()
            $script:ExposureScopes.Add($exposed)
            try {
                & $ScriptBlock $snapshots
            } catch {
                $failure = $_
            } finally {
                $null = $script:ExposureScopes.Remove($exposed)
                if ($exposed.Count -gt 0) {
                    foreach ($id in $exposed) {
                        $null = Dismount-VssSnapshot -SnapshotId $id -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable undo
                        # Already gone (the script block dismounted it itself) is fine; anything else is reported.
                        foreach ($e in $undo | Where-Object FullyQualifiedErrorId -Like '*,Dismount-VssSnapshot') {
                            if ($e.FullyQualifiedErrorId -notlike 'VSS_E_OBJECT_NOT_FOUND,*') { $PSCmdlet.WriteError($e) }
                        }
                    }
                }
            }
            if ($null -ne $backup -and $null -eq $failure) {
                $null = $backup | Complete-VssBackup @document -Confirm:$false
                $completed = $true
            }
        } finally {
            # Always: writers get BackupShutdown and the host process ends, whatever happened above. A backup whose
            # script block failed, or was stopped (Ctrl+C, a dropped remote session), is abandoned: the lifecycle aborts
            # it before its Release, and a persistent set it made is an orphan once this PowerShell is gone.
            if ($null -ne $backup) { $null = Close-VssBackupHost -Backup $backup -Abandon:(-not $completed) -Cmdlet $PSCmdlet }
        }
        if ($null -ne $failure) { $PSCmdlet.ThrowTerminatingError($failure) }
    }
}
