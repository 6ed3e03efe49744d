# Every command's parameters as runbooks rely on them: names, which are mandatory, which come from the
# pipeline (by value or by property name), and the risk level of the ones that change or delete things.
BeforeDiscovery {
    # name: parameter = flags (M mandatory, V by value, P by property name); then ConfirmImpact ('' = no ShouldProcess)
    $script:Expected = @(
        @{ Name = 'New-VssBackup'; Parameters = @{ Context = ''; BackupType = ''; RequireWriter = ''; ExcludeWriter = ''; IncludeWriter = ''; RetryTimeout = ''; MetadataTimeout = ''; PrepareTimeout = ''; SnapshotTimeout = ''; CompleteTimeout = '' }; Impact = 'Medium' }
        @{ Name = 'New-VssSnapshotSet'; Parameters = @{ Backup = 'MV'; Volume = 'M'; ExpiresAfter = '' }; Impact = 'Medium' }
        @{ Name = 'Complete-VssBackup'; Parameters = @{ Backup = 'MV'; DocumentPath = '' }; Impact = 'Medium' }
        @{ Name = 'Close-VssBackup'; Parameters = @{ Backup = 'MV'; Force = '' }; Impact = 'High' }
        @{ Name = 'Stop-VssBackup'; Parameters = @{ Backup = 'MV'; Force = '' }; Impact = 'High' }
        @{ Name = 'Invoke-VssBackup'; Parameters = @{ Volume = 'MV'; ScriptBlock = 'M'; Context = ''; BackupType = ''; RequireWriter = ''; ExcludeWriter = ''; IncludeWriter = ''; RetryTimeout = ''; Policy = ''; ExpiresAfter = ''; DocumentPath = '' }; Impact = 'Medium' }
        @{ Name = 'Get-VssWriter'; Parameters = @{ Backup = 'V'; Detailed = '' }; Impact = '' }
        @{ Name = 'Get-VssBackupDocument'; Parameters = @{ Path = 'MVP' }; Impact = '' }
        @{ Name = 'Get-VssProvider'; Parameters = @{}; Impact = '' }
        @{ Name = 'Get-VssShadowStorage'; Parameters = @{ Volume = 'P' }; Impact = '' }
        @{ Name = 'Add-VssShadowStorage'; Parameters = @{ Volume = 'M'; DiffAreaVolume = 'M'; MaxSize = '' }; Impact = 'Medium' }
        @{ Name = 'Set-VssShadowStorage'; Parameters = @{ Volume = 'MP'; MaxSize = 'M'; DiffAreaVolume = 'P' }; Impact = 'Medium' }
        @{ Name = 'Remove-VssShadowStorage'; Parameters = @{ Volume = 'MP'; DiffAreaVolume = 'P' }; Impact = 'Medium' }
        @{ Name = 'Get-VssSnapshotSet'; Parameters = @{ SnapshotSetId = 'P'; Volume = ''; OlderThan = ''; Persistent = ''; Orphaned = '' }; Impact = '' }
        @{ Name = 'Get-VssSnapshot'; Parameters = @{ SnapshotId = ''; SnapshotSetId = 'P'; Volume = '' }; Impact = '' }
        @{ Name = 'Remove-VssSnapshotSet'; Parameters = @{ SnapshotSetId = 'MVP'; Orphaned = 'M'; Force = '' }; Impact = 'High' }
        @{ Name = 'Remove-VssSnapshot'; Parameters = @{ SnapshotId = 'MP'; Force = '' }; Impact = 'High' }
        @{ Name = 'Mount-VssSnapshot'; Parameters = @{ Snapshot = 'MV'; SnapshotId = 'M'; Path = 'M' }; Impact = 'Medium' }
        @{ Name = 'Dismount-VssSnapshot'; Parameters = @{ Snapshot = 'MV'; SnapshotId = 'M' }; Impact = 'Medium' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../module/VssSession.psd1') -Force
    $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe '<Name>' -ForEach $script:Expected {
    BeforeAll {
        $script:Command = Get-Command $Name -Module VssSession
        $script:Meta = [System.Management.Automation.CommandMetadata]::new($script:Command)
    }

    It 'has exactly the documented parameters' {
        @($script:Command.Parameters.Keys | Where-Object { $_ -notin $script:Common } | Sort-Object) | Should -Be @($Parameters.Keys | Sort-Object)
    }

    It 'marks mandatory and pipeline parameters as documented' {
        foreach ($parameter in $Parameters.Keys) {
            $attribute = $script:Command.Parameters[$parameter].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
            $flags = $Parameters[$parameter]
            $attribute.Mandatory | Should -Be ($flags -like '*M*') -Because "-$parameter mandatory"
            $attribute.ValueFromPipeline | Should -Be ($flags -like '*V*') -Because "-$parameter from the pipeline by value"
            $attribute.ValueFromPipelineByPropertyName | Should -Be ($flags -like '*P*') -Because "-$parameter from the pipeline by property name"
        }
    }

    It 'supports ShouldProcess at the documented impact' {
        if ($Impact) {
            $script:Meta.SupportsShouldProcess | Should -BeTrue
            $script:Meta.ConfirmImpact | Should -Be $Impact
        } else {
            $script:Meta.SupportsShouldProcess | Should -BeFalse -Because 'it changes nothing'
        }
    }
}

Describe 'Parameter validation' {
    It 'refuses an empty volume list' {
        { New-VssSnapshotSet -Backup ([pscustomobject]@{ PSTypeName = 'VssSession.Backup'; BackupId = [guid]::NewGuid() }) -Volume @() } | Should -Throw -ErrorId 'ParameterArgumentValidationError,New-VssSnapshotSet'
    }

    It 'refuses a snapshot set id that is not a GUID' {
        { Remove-VssSnapshotSet -SnapshotSetId 'last-week' -Force } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Remove-VssSnapshotSet'
    }

    It 'refuses an object that is not a backup where a backup is expected' {
        { Complete-VssBackup -Backup ([pscustomobject]@{ BackupId = [guid]::NewGuid() }) } | Should -Throw -ErrorId 'MismatchedPSTypeName,Complete-VssBackup'
    }

    It 'takes durations as operators write them (7d, 12h, 30m, 90s) or as TimeSpans, and refuses others' {
        $olderThan = (Get-Command Get-VssSnapshotSet).Parameters['OlderThan'].Attributes | Where-Object { $_ -is [VssSession.Client.VssDurationAttribute] }
        $olderThan | Should -Not -BeNullOrEmpty
        foreach ($case in @(
                @{ Given = 7d; Is = [timespan]::FromDays(7) }, @{ Given = '12h'; Is = [timespan]::FromHours(12) },
                @{ Given = '30m'; Is = [timespan]::FromMinutes(30) }, @{ Given = 90s; Is = [timespan]::FromSeconds(90) },
                @{ Given = '1.02:00:00'; Is = [timespan]::FromHours(26) }, @{ Given = [timespan]::FromMinutes(5); Is = [timespan]::FromMinutes(5) })) {
            $olderThan.Transform($null, $case.Given) -as [timespan] | Should -Be $case.Is
        }
        foreach ($command in 'New-VssSnapshotSet', 'Invoke-VssBackup') {
            (Get-Command $command).Parameters['ExpiresAfter'].Attributes.Where({ $_ -is [VssSession.Client.VssDurationAttribute] }).Count | Should -Be 1
        }
        { Get-VssSnapshotSet -OlderThan 7x } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Get-VssSnapshotSet'
    }

    It 'refuses a backup type VSS does not have' {
        { New-VssBackup -BackupType Nightly } | Should -Throw -ErrorId 'ParameterArgumentValidationError,New-VssBackup'
    }
}
