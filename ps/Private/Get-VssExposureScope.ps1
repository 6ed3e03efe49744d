function Get-VssExposureScope {
    if ($script:ExposureScopes.Count -eq 0) { return $null }
    , $script:ExposureScopes[$script:ExposureScopes.Count - 1]
}
