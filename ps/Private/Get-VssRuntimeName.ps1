# The package for this PowerShell process: bin/<runtime>/vss-session[.exe], runtimes named as .NET names them. The
# process's architecture decides, not the machine's: x64 PowerShell on ARM64 Windows runs x64 code and needs win-x64.
function Get-VssRuntimeName([bool] $Windows, [bool] $MacOS, [System.Runtime.InteropServices.Architecture] $ProcessArchitecture) {
    '{0}-{1}' -f $(if ($Windows) { 'win' } elseif ($MacOS) { 'osx' } else { 'linux' }), $ProcessArchitecture.ToString().ToLowerInvariant()
}
