@{
    RootModule           = 'VssSession.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '3f6b2d0e-9c41-4a57-8e2f-6d1b7c5a9e40'
    Author               = 'VssSession developers'
    CompanyName          = 'VssSession'
    Copyright            = '(c) VssSession developers. MIT License.'
    Description          = 'The requester side of the Windows Volume Shadow Copy Service: take, use and end shadow copies correctly on every path. Runs against an emulated VSS service on Linux and macOS.'
    PowerShellVersion    = '7.4'   # the clean block (7.3); VssSession.Client.dll targets .NET 8 (7.4)
    RequiredAssemblies   = @('VssSession.Client.dll')
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('VssSession.Format.ps1xml')
    TypesToProcess       = @('VssSession.Types.ps1xml')
    FunctionsToExport    = @(
        'Add-VssShadowStorage'
        'Close-VssBackup'
        'Complete-VssBackup'
        'Dismount-VssSnapshot'
        'Get-VssBackupDocument'
        'Get-VssProvider'
        'Get-VssShadowStorage'
        'Get-VssSnapshot'
        'Get-VssSnapshotSet'
        'Get-VssWriter'
        'Invoke-VssBackup'
        'Mount-VssSnapshot'
        'New-VssBackup'
        'New-VssSnapshotSet'
        'Remove-VssSnapshot'
        'Remove-VssShadowStorage'
        'Remove-VssSnapshotSet'
        'Set-VssShadowStorage'
        'Stop-VssBackup'
    )
    CmdletsToExport      = @()
    DscResourcesToExport = @('VssSnapshotRetention')
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('VSS', 'ShadowCopy', 'Backup', 'Windows', 'Snapshot')
            ProjectUri = 'https://example.invalid/vss-session'
        }
    }
}
