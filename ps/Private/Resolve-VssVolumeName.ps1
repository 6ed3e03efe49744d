# A volume name as VSS gets it: an absolute path, resolved against PowerShell's current location.
function Resolve-VssVolumeName([string] $Volume, [System.Management.Automation.PSCmdlet] $Cmdlet) {
    if ([System.IO.Path]::IsPathRooted($Volume)) { $Volume } else { $Cmdlet.GetUnresolvedProviderPathFromPSPath($Volume) }
}
