# The JSON-RPC client of one `vss-session host` process (VssSession.Client.dll, built from ps/Client/).
function New-VssHostClient {
    [VssHostClient]::new((Get-VssExecutable))
}
