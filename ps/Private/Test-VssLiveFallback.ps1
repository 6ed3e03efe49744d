# Whether a failure to make the snapshot set lets -Policy BestEffort go on against the live volumes: the host
# decides (liveFallback in the error's data), so the module and `vss-session backup` follow one rule.
function Test-VssLiveFallback([System.Exception] $Exception) {
    $inner = $Exception
    while ($inner -isnot [VssSessionException] -and $null -ne $inner.InnerException) { $inner = $inner.InnerException }
    $inner -is [VssSessionException] -and $null -ne $inner.Details -and $null -ne $inner.Details.PSObject.Properties['liveFallback'] -and $inner.Details.liveFallback -eq $true
}
