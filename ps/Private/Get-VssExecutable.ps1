# The executable, or an ErrorRecord naming the package this process would need and the ones the module has.
function Get-VssExecutable {
    if (Test-Path -LiteralPath $script:Executable -PathType Leaf) {
        # Once per executable, not at every host start: its mode does not change under a running module.
        if (-not $IsWindows -and $script:ExecutableModeChecked -ne $script:Executable) {
            Set-VssExecutableMode $script:Executable
            $script:ExecutableModeChecked = $script:Executable
        }
        return $script:Executable
    }
    $bin = Join-Path $PSScriptRoot 'bin'
    $have = @(if (Test-Path -LiteralPath $bin) { Get-ChildItem -LiteralPath $bin -Directory | ForEach-Object Name }) -join ', '
    $message = "VssSession has no package for $($script:Runtime) (this PowerShell runs as $([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture) on $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)): $($script:Executable) is missing. The module holds $(if ($have) { $have } else { 'no package at all' }); run it from a PowerShell of one of those architectures, or copy the whole module folder again if the package should be there."
    # ERROR_FILE_NOT_FOUND as an HRESULT; a VssSessionException, so every command reports it as it reports VSS errors.
    throw [VssSessionException]::new('VSS_SESSION_PACKAGE_MISSING', '0x80070002', $message, $null)
}

# A module copied onto a server by Copy-Item -ToSession (or a zip) arrives without the executable's x bits: they
# are given back as the file's owner may, or the error says the command that does it.
function Set-VssExecutableMode([string] $Path) {
    $execute = [System.IO.UnixFileMode]::UserExecute
    $mode = [System.IO.File]::GetUnixFileMode($Path)
    if ($mode.HasFlag($execute)) { return }
    try {
        $readable = $mode -band ([System.IO.UnixFileMode]::UserRead -bor [System.IO.UnixFileMode]::GroupRead -bor [System.IO.UnixFileMode]::OtherRead)
        [System.IO.File]::SetUnixFileMode($Path, $mode -bor $execute -bor ([int]$readable -shr 2))
    } catch {
        $message = "The vss-session executable at $Path is not executable (a module copied with Copy-Item -ToSession or from an archive loses the mode) and this user cannot change it ($($_.Exception.Message)). As its owner, run: chmod +x '$Path'"
        throw [VssSessionException]::new('E_ACCESSDENIED', [VssErrorCodes]::E_ACCESSDENIED, $message, $null)
    }
}
