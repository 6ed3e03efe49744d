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
