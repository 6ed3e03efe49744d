# One operation of the snapshot retention rules through `vss-session dsc`, the command DSC v3's
# VssSession/SnapshotRetention calls: both DSC engines run one implementation. The instance goes in as JSON on
# stdin; each {"info"} trace line the command writes goes to -Verbose; a failure is thrown as the VSS error it names.
function Invoke-VssRetention {
    param([Parameter(Mandatory)] [ValidateSet('get', 'set', 'test')] [string] $Operation, [Parameter(Mandatory)] [hashtable] $Instance)
    $info = [System.Diagnostics.ProcessStartInfo]::new((Get-VssExecutable))
    foreach ($a in 'dsc', $Operation) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $errors = $process.StandardError.ReadToEndAsync()
        $process.StandardInput.Write((ConvertTo-Json $Instance -Compress))
        $process.StandardInput.Close()
        $out = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        $failure = $null
        foreach ($line in $errors.Result -split '\r?\n' | Where-Object { $_ }) {
            $trace = try { $line | ConvertFrom-Json -ErrorAction Stop } catch { $null }
            if ($trace -and $trace.PSObject.Properties['info']) { Write-Verbose $trace.info }
            elseif ($trace -and $trace.PSObject.Properties['error']) { $failure = [string]$trace.error }
            else { $failure = "$failure$line".Trim() }
        }
        if ($process.ExitCode -ne 0) {
            if ($failure -match '^(\w+) \((0x[0-9A-Fa-f]{8})\): (.*)$') { throw [VssSessionException]::new($Matches[1], $Matches[2], $Matches[3], $null) }
            throw [VssSessionException]::new('VSS_E_UNEXPECTED', [VssErrorCodes]::VSS_E_UNEXPECTED, "vss-session dsc $Operation exited $($process.ExitCode): $failure", $null)
        }
        @($out -split '\r?\n' | Where-Object { $_ } | ConvertFrom-Json)
    } finally {
        $process.Dispose()
    }
}
