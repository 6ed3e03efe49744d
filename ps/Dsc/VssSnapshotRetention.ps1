<#
.SYNOPSIS
The persistent snapshot sets of one volume, kept by rule: a class-based DSC resource.

.DESCRIPTION
Ensure Present: a snapshot set of the volume no older than MaxAge exists; Set() makes one (a persistent backup in
Context) when there is none. Ensure Absent: none exists; Set() deletes them. Set() also deletes the sets beyond the
newest KeepLast and those older than OlderThan, and with Orphaned the volume's orphaned sets, with DeleteSnapshots
as Remove-VssSnapshotSet does (writers get no event). Test() changes nothing and says with -Verbose which rule is out
of state; Get() reports the sets it sees. A second Set() changes nothing.

The rules are those of the DSC v3 resource VssSession/SnapshotRetention: each method runs `vss-session dsc` with
this instance, so both engines give the same answers. With PSDesiredStateConfiguration 2.x:
    Invoke-DscResource -Name VssSnapshotRetention -ModuleName VssSession -Method Test -Property @{ Volume = 'D:\'; KeepLast = 7; MaxAge = [timespan]'1.00:00:00' }
#>
[DscResource()]
class VssSnapshotRetention {
    # The volume (C:\, a mount folder; on the emulator, a directory) whose snapshot sets are kept.
    [DscProperty(Key)] [string] $Volume

    [DscProperty()] [ValidateSet('Present', 'Absent')] [string] $Ensure = 'Present'

    # Sets beyond the newest KeepLast are deleted by Set().
    [DscProperty()] [Nullable[int]] $KeepLast

    # Sets older than this are deleted by Set().
    [DscProperty()] [Nullable[timespan]] $OlderThan

    # With Ensure Present, the newest set must be no older than this, or Set() makes a new one.
    [DscProperty()] [Nullable[timespan]] $MaxAge

    # The persistent context the sets are made and counted in.
    [DscProperty()]
    [ValidateSet('ClientAccessible', 'ClientAccessibleWriters', 'AppRollback', 'NasRollback')] # contract: persistentContexts
    [string] $Context = 'ClientAccessible'

    # Also delete the volume's orphaned sets (expired, or whose creator died without closing its backup).
    [DscProperty()] [bool] $Orphaned

    # Get(): the sets of the volume in the context, newest first (SnapshotSetId, CreatedAt, ExpiresAt).
    [DscProperty(NotConfigurable)] [hashtable[]] $SnapshotSets

    [VssSnapshotRetention] Get() {
        $state = (Invoke-VssRetention -Operation get -Instance $this.Instance())[0]
        $current = [VssSnapshotRetention]::new()
        foreach ($name in 'Volume', 'KeepLast', 'OlderThan', 'MaxAge', 'Context', 'Orphaned') { $current.$name = $this.$name }
        $current.Ensure = $state.ensure
        $current.SnapshotSets = @($state.snapshotSets | ForEach-Object {
                @{ SnapshotSetId = [guid]$_.snapshotSetId; CreatedAt = [datetimeoffset]$_.createdAt; ExpiresAt = if ($_.expiresAt) { [datetimeoffset]$_.expiresAt } else { $null } }
            })
        return $current
    }

    [bool] Test() {
        $state, $diff = Invoke-VssRetention -Operation test -Instance $this.Instance()
        if (-not $state._inDesiredState) { Write-Verbose "out of state: $(@($diff) -join ', ')" }
        return [bool]$state._inDesiredState
    }

    [void] Set() {
        $null = Invoke-VssRetention -Operation set -Instance $this.Instance()
    }

    # The instance as the DSC v3 resource takes it (camelCase; durations as TimeSpan text).
    hidden [hashtable] Instance() {
        $instance = @{ volume = $this.Volume; ensure = $this.Ensure; context = $this.Context; orphaned = $this.Orphaned }
        if ($null -ne $this.KeepLast) { $instance.keepLast = $this.KeepLast }
        if ($null -ne $this.OlderThan) { $instance.olderThan = $this.OlderThan.ToString('c') }
        if ($null -ne $this.MaxAge) { $instance.maxAge = $this.MaxAge.ToString('c') }
        return $instance
    }
}
