# Helpers shared by the public commands: the executable, host sessions, typed output and ErrorRecords.

# The package for this PowerShell process: bin/<runtime>/vss-session[.exe], runtimes named as .NET names them. The
# process's architecture decides, not the machine's: x64 PowerShell on ARM64 Windows runs x64 code and needs win-x64.
function Get-VssRuntimeName([bool] $Windows, [bool] $MacOS, [System.Runtime.InteropServices.Architecture] $ProcessArchitecture) {
    '{0}-{1}' -f $(if ($Windows) { 'win' } elseif ($MacOS) { 'osx' } else { 'linux' }), $ProcessArchitecture.ToString().ToLowerInvariant()
}
$script:Runtime = Get-VssRuntimeName $IsWindows $IsMacOS ([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture)
$script:Executable = Join-Path $PSScriptRoot 'bin' $script:Runtime $(if ($IsWindows) { 'vss-session.exe' } else { 'vss-session' })

# The executable, or an ErrorRecord naming the package this process would need and the ones the module has.
function Get-VssExecutable {
    if (Test-Path -LiteralPath $script:Executable -PathType Leaf) { return $script:Executable }
    $bin = Join-Path $PSScriptRoot 'bin'
    $have = @(if (Test-Path -LiteralPath $bin) { Get-ChildItem -LiteralPath $bin -Directory | ForEach-Object Name }) -join ', '
    $message = "VssSession has no package for $($script:Runtime) (this PowerShell runs as $([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture) on $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)): $($script:Executable) is missing. The module holds $(if ($have) { $have } else { 'no package at all' }); run it from a PowerShell of one of those architectures, or copy the whole module folder again if the package should be there."
    # ERROR_FILE_NOT_FOUND as an HRESULT; a VssSessionException, so every command reports it as it reports VSS errors.
    throw [VssSessionException]::new('VSS_SESSION_PACKAGE_MISSING', '0x80070002', $message, $null)
}

# The open backups of this PowerShell session: BackupId -> VssHostClient.
$script:Backups = @{}

# Invoke-VssBackup's exposures: one list of snapshot ids per running Invoke-VssBackup, innermost last. Mount-VssSnapshot
# adds to the innermost; Invoke-VssBackup undoes its own in its finally block.
$script:ExposureScopes = [System.Collections.Generic.List[System.Collections.Generic.List[guid]]]::new()

function Get-VssExposureScope {
    if ($script:ExposureScopes.Count -eq 0) { return $null }
    , $script:ExposureScopes[$script:ExposureScopes.Count - 1]
}

# The JSON-RPC client of one `vss-session host` process (VssSession.Client.dll, built from ps/Client/).
function New-VssHostClient {
    [VssHostClient]::new((Get-VssExecutable))
}

# -Debug on its own makes PowerShell ask before each verbose line (Inquire), which fails in non-interactive
# sessions; then the progress lines go to the debug stream, which -Debug shows anyway.
function Write-VssVerbose([System.Management.Automation.PSCmdlet] $Cmdlet, [string] $Message) {
    $bound = $Cmdlet.MyInvocation.BoundParameters
    if ($bound.ContainsKey('Debug') -and $bound['Debug'] -and -not $bound.ContainsKey('Verbose')) { $Cmdlet.WriteDebug($Message) } else { $Cmdlet.WriteVerbose($Message) }
}

# What the host reports while it serves a request, shown on the streams of the cmdlet in the variable $Cmdlet of
# whoever runs the request (these blocks run while that caller is on the stack): each frame with -Debug, each VSS
# call and retry with -Verbose, the long phases as progress.
$script:VssHostLog = { param($line) $Cmdlet.WriteDebug($line) }
$script:VssHostReporter = {
    param($kind, $call)
    if ($kind -eq 'vss/retry') {
        if ($call.PSObject.Properties['writer'] -and $call.writer) {
            Write-VssVerbose $Cmdlet ('VSS {0}: writer ''{4}'' failed with {1}; the backup was aborted and the snapshot set is made again on a new component object: retry {2} in {3:n0} ms' -f $call.operation, $call.error, $call.attempt, [double]$call.delayMs, $call.writer)
        } else {
            Write-VssVerbose $Cmdlet ('VSS {0} got {1}; retry {2} in {3:n0} ms' -f $call.operation, $call.error, $call.attempt, [double]$call.delayMs)
        }
        return
    }
    if ($kind -eq 'vss/progress') {
        # The long phases (writer metadata, PrepareForBackup, DoSnapshotSet) show as they start.
        $Cmdlet.WriteProgress([System.Management.Automation.ProgressRecord]::new(1, $Cmdlet.MyInvocation.MyCommand.Name, "VSS $($call.method)"))
        return
    }
    $outcome = if ($call.error) { " failed: $($call.error)" } else { '' }
    Write-VssVerbose $Cmdlet ('VSS {0} ({1:n1} ms){2}' -f $call.method, [double]$call.ms, $outcome)
}

# Whether a cmdlet shows verbose or debug output, given its $VerbosePreference and $DebugPreference (which -Verbose
# and -Debug set in the cmdlet's own scope, so the cmdlet passes them).
function Test-VssChatty($Verbose, $Debug) {
    $Verbose -notin 'SilentlyContinue', 'Ignore' -or $Debug -notin 'SilentlyContinue', 'Ignore'
}

# One VSS call through the host, with -Verbose showing the call and its duration.
# A plain function, not an advanced one: a failure passes through it as the exception it is, so the calling
# cmdlet reports one ErrorRecord (and -ErrorVariable holds one), not a second one for this helper.
function Invoke-VssHost {
    param(
        [VssHostClient] $Client,
        [string] $Method,
        [object] $Params = @{},
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $log = if ($DebugPreference -notin 'SilentlyContinue', 'Ignore') { $script:VssHostLog } else { $null }
    try {
        $Client.Call($Method, $Params, $log, $script:VssHostReporter)
    } finally {
        Write-VssVerbose $Cmdlet ('{0} done in {1:n0} ms' -f $Method, $watch.Elapsed.TotalMilliseconds)
    }
}

# A pipeline of deletes to one host (VssHostPipeline: Add, then Drain): two requests in flight, the deletes that queue
# up meanwhile sent together in one request of $BatchMethod (snapshots/deleteMany). Each item's outcome goes, in the
# order given, to $OnAnswer (param($item, $result)) or $OnFailure (param($item, $exception)). $Chatty: the cmdlet shows
# -Verbose or -Debug output, so each frame is logged and the host's notifications of each VSS call are read; otherwise
# neither costs anything.
function New-VssHostPipeline {
    param([VssHostClient] $Client, [bool] $Chatty, [scriptblock] $OnAnswer, [scriptblock] $OnFailure, [string] $BatchMethod)
    $log = if ($Chatty) { $script:VssHostLog } else { $null }
    $reporter = if ($Chatty) { $script:VssHostReporter } else { $null }
    [VssHostPipeline]::new($Client, 2, $log, $reporter, $OnAnswer, $OnFailure, $BatchMethod)
}

function Get-VssErrorCategory([string] $Name) {
    switch ($Name) {
        'VSS_E_OBJECT_NOT_FOUND' { 'ObjectNotFound' }
        'VSS_E_BAD_STATE' { 'InvalidOperation' }
        'E_INVALIDARG' { 'InvalidArgument' }
        'VSS_E_VOLUME_NOT_SUPPORTED' { 'InvalidArgument' }
        'VSS_E_SNAPSHOT_SET_IN_PROGRESS' { 'ResourceBusy' }
        'VSS_E_WRITER_NOT_RESPONDING' { 'ResourceUnavailable' }
        'VSS_E_OBJECT_ALREADY_EXISTS' { 'ResourceExists' }
        'E_ACCESSDENIED' { 'PermissionDenied' }
        'E_NOTIMPL' { 'NotImplemented' }
        { $_ -in 'VSS_SESSION_PACKAGE_MISSING', 'RUNTIME_UNAVAILABLE' } { 'NotInstalled' }
        { $_ -like 'VSS_E_MAXIMUM_*' } { 'LimitsExceeded' }
        { $_ -like 'VSS_E_WRITERERROR_*' } { 'OperationStopped' }
        default { 'NotSpecified' }
    }
}

# An ErrorRecord whose FullyQualifiedErrorId is the VSS error name (PowerShell appends ",<Command>").
function New-VssErrorRecord {
    param([Parameter(Mandatory)] [System.Exception] $Exception, [object] $Target)
    $inner = $Exception
    while ($inner -isnot [VssSessionException] -and $null -ne $inner.InnerException) { $inner = $inner.InnerException }
    if ($inner -is [VssSessionException]) {
        [System.Management.Automation.ErrorRecord]::new($inner, $inner.VssName, (Get-VssErrorCategory $inner.VssName), $Target)
    } else {
        [System.Management.Automation.ErrorRecord]::new($Exception, 'VSS_SESSION_INTERNAL', 'NotSpecified', $Target)
    }
}

function Get-VssBackupClient {
    param([Parameter(Mandatory)] [psobject] $Backup)
    $client = $script:Backups[[string]$Backup.BackupId]
    if ($null -eq $client) {
        throw [VssSessionException]::new('VSS_E_BAD_STATE', [VssSession.Client.VssErrorCodes]::VSS_E_BAD_STATE, "Backup $($Backup.BackupId) is closed (or was opened in another PowerShell session); a backup is never reused. Start a new one with New-VssBackup.", $null)
    }
    $client
}

function ConvertTo-VssWriter {
    param([Parameter(ValueFromPipeline)] $Writer)
    process {
        [pscustomobject]@{
            PSTypeName = 'VssSession.Writer'
            Name       = $Writer.name
            WriterId   = [guid]$Writer.writerId
            InstanceId = [guid]$Writer.instanceId
            State      = $Writer.state
            LastError  = $Writer.lastError
            Service    = $Writer.service
        }
    }
}

function ConvertTo-VssBackup {
    param([Parameter(Mandatory)] $Info)
    [pscustomobject]@{
        PSTypeName    = 'VssSession.Backup'
        BackupId      = [guid]$Info.backupId
        Context       = $Info.context
        BackupType    = $Info.backupType
        State         = $Info.state
        HostProcessId = $Info.hostProcessId
        Writers       = @($Info.writers | ConvertTo-VssWriter)
        Components    = @($Info.components | Where-Object { $_ } | ForEach-Object {
                [pscustomobject]@{
                    PSTypeName          = 'VssSession.BackupComponent'
                    Writer              = $_.writer
                    WriterId            = [guid]$_.writerId
                    Name                = $_.name
                    LogicalPath         = $_.logicalPath
                    BackupSucceeded     = [bool]$_.backupSucceeded
                    BackupStamp         = $_.backupStamp
                    PreviousBackupStamp = $_.previousBackupStamp
                }
            })
        # Components of writers taking part whose data was not in the snapshot set: never marked backed up.
        ComponentsLeftOut = @($Info.componentsLeftOut | Where-Object { $_ } | ForEach-Object {
                [pscustomobject]@{
                    PSTypeName  = 'VssSession.ComponentLeftOut'
                    Writer      = $_.writer
                    WriterId    = [guid]$_.writerId
                    Name        = $_.name
                    LogicalPath = $_.logicalPath
                    Reason      = $_.reason
                }
            })
    }
}

function ConvertTo-VssSnapshot {
    param([Parameter(ValueFromPipeline)] $Snapshot)
    process {
        [pscustomobject]@{
            PSTypeName    = 'VssSession.Snapshot'
            SnapshotId    = [guid]$Snapshot.snapshotId
            SnapshotSetId = [guid]$Snapshot.snapshotSetId
            Volume        = $Snapshot.volume
            DevicePath    = $Snapshot.devicePath
            RootPath      = $Snapshot.rootPath
            Path          = $Snapshot.path
            SnapshotPath  = $Snapshot.snapshotPath
            ExposedPath   = $Snapshot.exposedName
            Persistent    = [bool]$Snapshot.persistent
            CreatedAt     = [datetimeoffset]$Snapshot.createdAt
        }
    }
}

function ConvertTo-VssSnapshotSet {
    param([Parameter(ValueFromPipeline)] $Set)
    process {
        [pscustomobject]@{
            PSTypeName    = 'VssSession.SnapshotSet'
            SnapshotSetId = [guid]$Set.snapshotSetId
            Context       = $Set.context
            Persistent    = [bool]$Set.persistent
            CreatedAt     = [datetimeoffset]$Set.createdAt
            ExpiresAt     = if ($Set.expiresAt) { [datetimeoffset]$Set.expiresAt } else { $null }
            Snapshots     = @($Set.snapshots | ConvertTo-VssSnapshot)
        }
    }
}

# A volume name as VSS gets it: an absolute path, resolved against PowerShell's current location.
function Resolve-VssVolumeName([string] $Volume, [System.Management.Automation.PSCmdlet] $Cmdlet) {
    if ([System.IO.Path]::IsPathRooted($Volume)) { $Volume } else { $Cmdlet.GetUnresolvedProviderPathFromPSPath($Volume) }
}

# One VssSession.DeleteResult. Written as [pscustomobject] literals, which PowerShell builds directly: a pipeline of
# deletes makes one per set, and building it from an ordered dictionary cost ~0.2 ms each.
function New-VssDeleteResult {
    param([guid] $SnapshotSetId, [guid] $SnapshotId, [int] $Deleted, [object] $NondeletedSnapshotId)
    $nondeleted = if ($NondeletedSnapshotId) { [guid]$NondeletedSnapshotId } else { $null }
    if ($PSBoundParameters.ContainsKey('SnapshotId')) {
        [pscustomobject]@{ PSTypeName = 'VssSession.DeleteResult'; SnapshotId = $SnapshotId; Deleted = $Deleted; NondeletedSnapshotId = $nondeleted }
    } else {
        [pscustomobject]@{ PSTypeName = 'VssSession.DeleteResult'; SnapshotSetId = $SnapshotSetId; Deleted = $Deleted; NondeletedSnapshotId = $nondeleted }
    }
}

# A DeleteSnapshots that stopped part-way: how many it deleted and the snapshot it could not delete, or $null.
function Get-VssPartialDelete([System.Exception] $Exception) {
    while ($Exception -isnot [VssSessionException] -and $null -ne $Exception.InnerException) { $Exception = $Exception.InnerException }
    if ($Exception -is [VssSessionException] -and $null -ne $Exception.Details -and $Exception.Details.PSObject.Properties['nondeletedSnapshotId'] -and $Exception.Details.nondeletedSnapshotId) {
        @{ Deleted = [int]$Exception.Details.deleted; NondeletedSnapshotId = $Exception.Details.nondeletedSnapshotId }
    }
}

# Why a set is orphaned, in words (the host's orphanReason and creator).
function Get-VssOrphanReason([object] $Orphan) {
    if ($Orphan.orphanReason -eq 'Expired') { "expired at $(([datetimeoffset]$Orphan.expiresAt).ToString('u'))" }
    else { "its creator, process $($Orphan.creator.pid) on $($Orphan.creator.hostname), ended without closing its backup" }
}

# The orphaned snapshot sets (recorded by VssSession, expired or left by a creator that died), as the host
# reports them: VssSession.SnapshotSet fields plus orphanReason and creator. Each is named with -Verbose.
function Find-VssOrphanedSnapshotSet {
    param([VssHostClient] $Client, [System.Management.Automation.PSCmdlet] $Cmdlet)
    Invoke-VssHost -Client $Client -Method 'snapshotSets/orphaned' -Cmdlet $Cmdlet | ForEach-Object { $_ } | ForEach-Object {
        Write-VssVerbose $Cmdlet "Orphaned snapshot set $($_.snapshotSetId): $(Get-VssOrphanReason $_)"
        $_
    }
}

# The snapshot sets VSS holds (Query through the given host), as VssSession.SnapshotSet objects; with
# $SnapshotSetId only that set. Shared by Get-VssSnapshotSet and Get-VssSnapshot, each keeping one host
# for its whole pipeline.
function Find-VssSnapshotSet {
    param([VssHostClient] $Client, [System.Management.Automation.PSCmdlet] $Cmdlet, [object] $SnapshotSetId)
    $params = @{}
    if ($null -ne $SnapshotSetId) { $params.snapshotSetId = [string]$SnapshotSetId }
    Invoke-VssHost -Client $Client -Method 'snapshotSets/list' -Params $params -Cmdlet $Cmdlet | ForEach-Object { $_ } | ConvertTo-VssSnapshotSet
}

# A backup in its own host process from `backup/create` parameters, registered like New-VssBackup's, as a
# VssSession.Backup. For Invoke-VssBackup, which names its volumes up front so that the host checks them
# (IsVolumeSupported) before anything is prepared or frozen. A failure closes the host and passes through as it is.
function Start-VssBackupHost {
    param([hashtable] $Params, [System.Management.Automation.PSCmdlet] $Cmdlet)
    $client = New-VssHostClient
    try {
        $info = Invoke-VssHost -Client $client -Method 'backup/create' -Params $Params -Cmdlet $Cmdlet
    } catch {
        $client.Close(5000)
        throw
    }
    $script:Backups[[string]$info.backupId] = $client
    ConvertTo-VssBackup $info
}

# Whether a failure to make the snapshot set lets -Policy BestEffort go on against the live volumes: the host
# decides (liveFallback in the error's data), so the module and `vss-session backup` follow one rule.
function Test-VssLiveFallback([System.Exception] $Exception) {
    $inner = $Exception
    while ($inner -isnot [VssSessionException] -and $null -ne $inner.InnerException) { $inner = $inner.InnerException }
    $inner -is [VssSessionException] -and $null -ne $inner.Details -and $null -ne $inner.Details.PSObject.Properties['liveFallback'] -and $inner.Details.liveFallback -eq $true
}

# What -Policy BestEffort hands the script block in place of a snapshot: the live volume itself.
function New-VssLiveVolume([string] $Volume) {
    [pscustomobject]@{
        PSTypeName    = 'VssSession.LiveVolume'
        SnapshotId    = $null
        SnapshotSetId = $null
        Volume        = $Volume
        DevicePath    = $Volume
        ExposedPath   = $null
        Persistent    = $false
        CreatedAt     = $null
        Live          = $true
    }
}
