function Get-VssErrorCategory([string] $Name) {
    switch ($Name) {
        'VSS_E_OBJECT_NOT_FOUND' { 'ObjectNotFound' }
        'VSS_E_BAD_STATE' { 'InvalidOperation' }
        'E_INVALIDARG' { 'InvalidArgument' }
        'VSS_E_VOLUME_NOT_SUPPORTED' { 'InvalidArgument' }
        'VSS_E_SNAPSHOT_SET_IN_PROGRESS' { 'ResourceBusy' }
        'VSS_E_WRITER_NOT_RESPONDING' { 'ResourceUnavailable' }
        'VSS_E_OBJECT_ALREADY_EXISTS' { 'ResourceExists' }
        'E_ACCESSDENIED' { 'PermissionDenied' }
        'E_NOTIMPL' { 'NotImplemented' }
        { $_ -in 'VSS_SESSION_PACKAGE_MISSING', 'RUNTIME_UNAVAILABLE' } { 'NotInstalled' }
        { $_ -like 'VSS_E_MAXIMUM_*' } { 'LimitsExceeded' }
        { $_ -like 'VSS_E_WRITERERROR_*' } { 'OperationStopped' }
        default { 'NotSpecified' }
    }
}
