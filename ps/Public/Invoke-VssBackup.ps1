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

    .PARAMETER RetryTimeout
    How long to keep retrying while another snapshot set is being created, as for New-VssBackup (default 10 minutes).

    .PARAMETER ExpiresAfter
    For a persistent context (ClientAccessible, ClientAccessibleWriters, AppRollback): how long the snapshot set is
    wanted, as for New-VssSnapshotSet; past it, Remove-VssSnapshotSet -Orphaned deletes it.

    .EXAMPLE
    Invoke-VssBackup -Volume 'C:\' -ScriptBlock { param($Snapshots) robocopy (Join-Path $Snapshots[0].DevicePath 'Data') \\nas\backup /MIR }

    Copies C:\Data from a shadow copy; writers hear BackupComplete only if the copy ran without throwing.

    .EXAMPLE
    'D:\', 'E:\' | Invoke-VssBackup -ScriptBlock { param($Snapshots) $Snapshots | ForEach-Object { Get-ChildItem $_.DevicePath } }

    Snapshots the volumes from the pipeline together and lists each snapshot's root.

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

        [ValidateSet('Backup', 'FileShareBackup', 'ClientAccessible', 'ClientAccessibleWriters', 'AppRollback')]
        [string] $Context = 'Backup',

        [ValidateSet('Copy', 'Full', 'Incremental', 'Differential', 'Log')]
        [string] $BackupType = 'Copy',

        [ValidateNotNullOrEmpty()]
        [string[]] $RequireWriter,

        [ValidateScript({ $_ -ge [timespan]::Zero -and $_ -le [timespan]::FromDays(1) }, ErrorMessage = 'RetryTimeout must be between 0 and 1 day.')]
        [timespan] $RetryTimeout = [timespan]::FromMinutes(10),

        [ValidateScript({ $_ -gt [timespan]::Zero }, ErrorMessage = 'ExpiresAfter must be above zero; give a lifetime such as (New-TimeSpan -Days 7).')]
        [timespan] $ExpiresAfter
    )
    begin { $volumes = [System.Collections.Generic.List[string]]::new() }
    process { foreach ($v in $Volume) { $volumes.Add($v) } }
    end {
        if (-not $PSCmdlet.ShouldProcess(($volumes -join ', '), 'Back up through VSS snapshots')) { return }
        $required = @{}
        if ($PSBoundParameters.ContainsKey('RequireWriter')) { $required.RequireWriter = $RequireWriter }
        $backup = New-VssBackup -Context $Context -BackupType $BackupType -RetryTimeout $RetryTimeout @required -Confirm:$false
        $failure = $null
        try {
            $lifetime = @{}
            if ($PSBoundParameters.ContainsKey('ExpiresAfter')) { $lifetime.ExpiresAfter = $ExpiresAfter }
            $set = $backup | New-VssSnapshotSet -Volume $volumes @lifetime -Confirm:$false
            try {
                & $ScriptBlock $set.Snapshots
            } catch {
                $failure = $_
            }
            if ($null -eq $failure) {
                $null = $backup | Complete-VssBackup -Confirm:$false
            } else {
                $null = $backup | Stop-VssBackup -Force
            }
        } finally {
            # Always: writers get BackupShutdown and the host process ends, whatever happened above.
            $null = $backup | Close-VssBackup -Force
        }
        if ($null -ne $failure) { $PSCmdlet.ThrowTerminatingError($failure) }
    }
}
