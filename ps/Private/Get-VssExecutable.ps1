# The executable, or an ErrorRecord naming the package this process would need and the ones the module has.
function Get-VssExecutable {
    if (Test-Path -LiteralPath $script:Executable -PathType Leaf) { return $script:Executable }
    $bin = Join-Path $PSScriptRoot 'bin'
    $have = @(if (Test-Path -LiteralPath $bin) { Get-ChildItem -LiteralPath $bin -Directory | ForEach-Object Name }) -join ', '
    $message = "VssSession has no package for $($script:Runtime) (this PowerShell runs as $([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture) on $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)): $($script:Executable) is missing. The module holds $(if ($have) { $have } else { 'no package at all' }); run it from a PowerShell of one of those architectures, or copy the whole module folder again if the package should be there."
    # ERROR_FILE_NOT_FOUND as an HRESULT; a VssSessionException, so every command reports it as it reports VSS errors.
    throw [VssSessionException]::new('VSS_SESSION_PACKAGE_MISSING', '0x80070002', $message, $null)
}
