# Module-wide rules: the manifest, the exports, approved verbs, and complete comment-based help.
BeforeDiscovery {
    $manifestPath = Join-Path $PSScriptRoot '../../module/VssSession.psd1'
    $script:Exported = (Import-PowerShellDataFile $manifestPath).FunctionsToExport
}

BeforeAll {
    $script:ManifestPath = Join-Path $PSScriptRoot '../../module/VssSession.psd1'
    Import-Module $script:ManifestPath -Force
}

Describe 'The VssSession manifest' {
    It 'is a valid module manifest' {
        { Test-ModuleManifest -Path $script:ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'lists its functions explicitly, without wildcards' {
        $listed = (Import-PowerShellDataFile $script:ManifestPath).FunctionsToExport
        $listed | Should -Not -BeNullOrEmpty
        $listed | Where-Object { $_ -match '[*?]' } | Should -BeNullOrEmpty
    }

    It 'exports exactly the public functions, one file each under ps/Public' {
        $files = Get-ChildItem (Join-Path $PSScriptRoot '../../ps/Public') -Filter *.ps1 | ForEach-Object BaseName | Sort-Object
        $exported = (Get-Module VssSession).ExportedFunctions.Keys | Sort-Object
        $exported | Should -Be $files
    }
}

Describe '<_>' -ForEach $script:Exported {
    BeforeAll {
        $script:Command = Get-Command $_ -Module VssSession
        $script:Help = Get-Help $_ -Full
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $script:Command.Verb
    }

    It 'has a synopsis and a description' {
        $script:Help.Synopsis | Should -Not -BeNullOrEmpty
        $script:Help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($script:Command.Name))"
        ($script:Help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, one of them a pipeline' {
        $examples = @($script:Help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        @($examples | Where-Object { $_.Code -match '\|' }).Count | Should -BeGreaterOrEqual 1
    }

    It 'documents every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($name in $script:Command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $parameterHelp = $script:Help.Parameters.Parameter | Where-Object Name -EQ $name
            ($parameterHelp.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "parameter -$name needs a description"
        }
    }

    It 'declares its output type' {
        $script:Command.OutputType | Should -Not -BeNullOrEmpty
    }
}

Describe 'The package the module runs' {
    It 'is chosen by the architecture PowerShell runs as, not the machine''s' {
        $module = Get-Module VssSession
        & $module { Get-VssRuntimeName $true $false ([System.Runtime.InteropServices.Architecture]::X64) } | Should -Be 'win-x64'
        & $module { Get-VssRuntimeName $true $false ([System.Runtime.InteropServices.Architecture]::Arm64) } | Should -Be 'win-arm64'
        & $module { Get-VssRuntimeName $false $false ([System.Runtime.InteropServices.Architecture]::X64) } | Should -Be 'linux-x64'
        $expected = & $module { Get-VssRuntimeName $IsWindows $IsMacOS ([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture) }
        & $module { $script:Runtime } | Should -Be $expected
    }

    It 'names the missing package and the ones the module has, before anything starts' {
        $module = Get-Module VssSession
        $saved = & $module { $script:Runtime, $script:Executable }
        try {
            & $module { $script:Runtime = 'win-arm64'; $script:Executable = Join-Path $PSScriptRoot 'bin' 'win-arm64' 'vss-session.exe' }
            $err = $null
            try { New-VssBackup -ErrorAction Stop | Out-Null } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'VSS_SESSION_PACKAGE_MISSING*'
            $err.CategoryInfo.Category | Should -Be 'NotInstalled'
            $err.Exception.Message | Should -Match 'no package for win-arm64'
            $err.Exception.Message | Should -Match 'The module holds .*linux-x64'
        } finally {
            & $module { param($r, $e) $script:Runtime = $r; $script:Executable = $e } @saved
        }
    }

    It 'gives an executable copied without its mode (Copy-Item -ToSession, an archive) its x bits back' -Skip:$IsWindows {
        $module = Get-Module VssSession
        $copy = Join-Path ([System.IO.Path]::GetTempPath()) "vss-session-copy-$PID"
        $saved = & $module { $script:Executable }
        try {
            Copy-Item -LiteralPath $saved -Destination $copy
            [System.IO.File]::SetUnixFileMode($copy, [System.IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
            & $module { param($e) $script:Executable = $e } $copy
            & $module { Get-VssExecutable } | Should -Be $copy
            [System.IO.File]::GetUnixFileMode($copy).HasFlag([System.IO.UnixFileMode]::UserExecute) | Should -BeTrue
            & $copy --version | Should -Match '^\d+\.\d+\.\d+'
        } finally {
            & $module { param($e) $script:Executable = $e } $saved
            Remove-Item -LiteralPath $copy -ErrorAction SilentlyContinue
        }
    }
}
