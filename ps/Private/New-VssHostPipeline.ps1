# A pipeline of deletes to one host (VssHostPipeline: Add, then Drain): two requests in flight, the deletes that queue
# up meanwhile sent together in one request of $BatchMethod (snapshots/deleteMany). Each item's outcome goes, in the
# order given, to $OnAnswer (param($item, $result, $Cmdlet)) or $OnFailure (param($item, $exception, $Cmdlet)), $Cmdlet
# being the cmdlet given here, whose streams they write to. $Chatty: the cmdlet shows
# -Verbose or -Debug output, so each frame is logged and the host's notifications of each VSS call are read; otherwise
# neither costs anything.
function New-VssHostPipeline {
    param([VssHostClient] $Client, [System.Management.Automation.PSCmdlet] $Cmdlet, [bool] $Chatty, [scriptblock] $OnAnswer, [scriptblock] $OnFailure, [string] $BatchMethod)
    $log = if ($Chatty) { $script:VssHostLog } else { $null }
    $reporter = if ($Chatty) { $script:VssHostReporter } else { $null }
    [VssHostPipeline]::new($Client, 2, $log, $reporter, $OnAnswer, $OnFailure, $BatchMethod, $Cmdlet)
}
