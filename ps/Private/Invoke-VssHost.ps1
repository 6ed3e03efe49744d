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
        $Client.Call($Method, $Params, $log, $script:VssHostReporter, $Cmdlet)
    } finally {
        Write-VssVerbose $Cmdlet ('{0} done in {1:n0} ms' -f $Method, $watch.Elapsed.TotalMilliseconds)
    }
}
