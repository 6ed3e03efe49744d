# Why a set is orphaned, in words (the host's orphanReason and creator).
function Get-VssOrphanReason([object] $Orphan) {
    if ($Orphan.orphanReason -eq 'Expired') { "expired at $(([datetimeoffset]$Orphan.expiresAt).ToString('u'))" }
    else { "its creator, process $($Orphan.creator.pid) on $($Orphan.creator.hostname), ended without closing its backup" }
}
