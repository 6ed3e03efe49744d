# Whether a cmdlet shows verbose or debug output, given its $VerbosePreference and $DebugPreference (which -Verbose
# and -Debug set in the cmdlet's own scope, so the cmdlet passes them).
function Test-VssChatty($Verbose, $Debug) {
    $Verbose -notin 'SilentlyContinue', 'Ignore' -or $Debug -notin 'SilentlyContinue', 'Ignore'
}
