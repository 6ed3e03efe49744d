# The JSON-RPC 2.0 client of one `vss-session host` process: Content-Length framing (what vscode-jsonrpc
# speaks) over the process's stdin/stdout. One client is one host process is at most one backup.

class VssSessionException : System.Exception {
    [string] $VssName
    [string] $HResultText
    [object] $Details

    VssSessionException([string] $name, [string] $hresult, [string] $message, [object] $details) : base($message) {
        $this.VssName = $name
        $this.HResultText = $hresult
        $this.Details = $details
        if ($hresult -match '^0x[0-9a-fA-F]{8}$') { $this.HResult = [Convert]::ToInt32($hresult.Substring(2), 16) }
    }
}

class VssHostClient {
    [System.Diagnostics.Process] $Process
    hidden [System.IO.Stream] $In
    hidden [System.IO.Stream] $Out
    hidden [int] $NextId = 0

    VssHostClient([string] $executable) {
        if (-not (Test-Path -LiteralPath $executable)) {
            $shipped = (Get-ChildItem -Path (Split-Path (Split-Path $executable)) -Directory -ErrorAction SilentlyContinue).Name -join ', '
            throw [System.IO.FileNotFoundException]::new("The vss-session executable is missing at '$executable' (this module has executables for: $(if ($shipped) { $shipped } else { 'none' })). Run 'npm run build' in the repository, or install the module for this platform.", $executable)
        }
        $info = [System.Diagnostics.ProcessStartInfo]::new($executable)
        $info.ArgumentList.Add('host')
        $info.UseShellExecute = $false
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $false
        $this.Process = [System.Diagnostics.Process]::Start($info)
        $this.In = $this.Process.StandardInput.BaseStream
        $this.Out = $this.Process.StandardOutput.BaseStream
    }

    # $log gets each frame sent and received (the calling cmdlet's -Debug stream); $onVssCall each VSS call the
    # host reports while it serves the request (the `vss/call` notifications: method, ms, error).
    [object] Call([string] $method, [object] $params, [scriptblock] $log, [scriptblock] $onVssCall) {
        $id = ++$this.NextId
        $request = [ordered]@{ jsonrpc = '2.0'; id = $id; method = $method; params = $params }
        $json = ConvertTo-Json -InputObject $request -Compress -Depth 20
        & $log "--> $json"
        $body = [System.Text.Encoding]::UTF8.GetBytes($json)
        $header = [System.Text.Encoding]::ASCII.GetBytes("Content-Length: $($body.Length)`r`n`r`n")
        try {
            $this.In.Write($header, 0, $header.Length)
            $this.In.Write($body, 0, $body.Length)
            $this.In.Flush()
        } catch [System.IO.IOException] {
            throw [VssSessionException]::new('VSS_E_BAD_STATE', '0x80042301', "The vss-session host process (pid $($this.Process.Id)) has exited; the backup it held is over. Start a new one with New-VssBackup.", $null)
        }
        while ($true) {
            $text = $this.ReadFrame()
            & $log "<-- $text"
            $reply = ConvertFrom-Json -InputObject $text -Depth 20
            $replyId = $reply.PSObject.Properties['id']
            if ($null -eq $replyId) {
                if ($reply.method -in 'vss/call', 'vss/progress' -and $null -ne $onVssCall) { & $onVssCall $reply.method $reply.params }
                continue
            }
            if ($replyId.Value -ne $id) { continue }
            $failure = $reply.PSObject.Properties['error']
            if ($null -ne $failure) {
                $data = $failure.Value.PSObject.Properties['data']
                $data = if ($null -ne $data) { $data.Value } else { $null }
                $name = if ($null -ne $data -and $data.PSObject.Properties['name']) { $data.name } else { 'VSS_E_UNEXPECTED' }
                $hr = if ($null -ne $data -and $data.PSObject.Properties['hresult']) { $data.hresult } else { '0x80042302' }
                throw [VssSessionException]::new($name, $hr, $failure.Value.message, $data)
            }
            return $reply.PSObject.Properties['result'].Value
        }
        return $null
    }

    hidden [string] ReadFrame() {
        $length = -1
        while ($true) {
            $line = $this.ReadHeaderLine()
            if ($line.Length -eq 0) { break }
            if ($line -match '^Content-Length:\s*(\d+)$') { $length = [int]$Matches[1] }
        }
        if ($length -lt 0) { throw [VssSessionException]::new('VSS_E_UNEXPECTED', '0x80042302', 'The vss-session host sent a frame without Content-Length.', $null) }
        $buffer = [byte[]]::new($length)
        $read = 0
        while ($read -lt $length) {
            $n = $this.Out.Read($buffer, $read, $length - $read)
            if ($n -le 0) { throw [VssSessionException]::new('VSS_E_UNEXPECTED', '0x80042302', 'The vss-session host closed its output in the middle of a reply.', $null) }
            $read += $n
        }
        return [System.Text.Encoding]::UTF8.GetString($buffer)
    }

    hidden [string] ReadHeaderLine() {
        $line = [System.Text.StringBuilder]::new()
        while ($true) {
            $b = $this.Out.ReadByte()
            if ($b -lt 0) {
                throw [VssSessionException]::new('VSS_E_BAD_STATE', '0x80042301', "The vss-session host process (pid $($this.Process.Id)) has exited; the backup it held is over. Start a new one with New-VssBackup.", $null)
            }
            if ($b -eq 10) { return $line.ToString().TrimEnd("`r") }
            [void]$line.Append([char]$b)
        }
        return ''
    }

    # Ends the session: closing stdin makes the host end any open backup and exit; waits for that exit.
    [void] Close([int] $timeoutMs) {
        try { $this.In.Dispose() } catch { Write-Verbose "stdin of the host was already closed: $_" }
        if (-not $this.Process.WaitForExit($timeoutMs)) {
            $this.Process.Kill()
            $this.Process.WaitForExit()
        }
        $this.Process.Dispose()
    }
}
