# -Debug on its own makes PowerShell ask before each verbose line (Inquire), which fails in non-interactive
# sessions; then the progress lines go to the debug stream, which -Debug shows anyway.
function Write-VssVerbose([System.Management.Automation.PSCmdlet] $Cmdlet, [string] $Message) {
    $bound = $Cmdlet.MyInvocation.BoundParameters
    if ($bound.ContainsKey('Debug') -and $bound['Debug'] -and -not $bound.ContainsKey('Verbose')) { $Cmdlet.WriteDebug($Message) } else { $Cmdlet.WriteVerbose($Message) }
}
