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

# A request's JSON, written with System.Text.Json's Utf8JsonWriter. Not ConvertTo-Json: its first use in a session
# loads and JIT-compiles Newtonsoft.Json (~160 ms here, paid by the first command of every PowerShell session and of
# every pipeline's first request); this writer's first use costs ~6 ms and each request a third less. Values of a type
# it does not know (none of the module's requests has one) are written by ConvertTo-Json, as before.
class VssJson {
    static [byte[]] Serialize([object] $value) {
        $buffer = [System.IO.MemoryStream]::new(256)
        $writer = [System.Text.Json.Utf8JsonWriter]::new($buffer)
        [VssJson]::WriteValue($writer, $value)
        $writer.Flush()
        return $buffer.ToArray()
    }

    hidden static [void] WriteValue([System.Text.Json.Utf8JsonWriter] $writer, [object] $value) {
        if ($null -eq $value) { $writer.WriteNullValue(); return }
        if ($value -is [string] -or $value -is [guid]) { $writer.WriteStringValue([string]$value); return }
        if ($value -is [bool]) { $writer.WriteBooleanValue([bool]$value); return }
        if ($value -is [int] -or $value -is [long] -or $value -is [uint32] -or $value -is [int16] -or $value -is [byte]) { $writer.WriteNumberValue([long]$value); return }
        if ($value -is [double] -or $value -is [single]) {
            if ([double]::IsFinite([double]$value)) { $writer.WriteNumberValue([double]$value) } else { $writer.WriteNullValue() }
            return
        }
        if ($value -is [decimal]) { $writer.WriteNumberValue([decimal]$value); return }
        if ($value -is [System.Collections.IDictionary]) {
            $writer.WriteStartObject()
            foreach ($entry in $value.GetEnumerator()) {
                $writer.WritePropertyName([string]$entry.Key)
                [VssJson]::WriteValue($writer, $entry.Value)
            }
            $writer.WriteEndObject()
            return
        }
        if ($value -is [System.Collections.IList]) {
            $writer.WriteStartArray()
            foreach ($item in $value) { [VssJson]::WriteValue($writer, $item) }
            $writer.WriteEndArray()
            return
        }
        $writer.WriteRawValue((ConvertTo-Json -InputObject $value -Compress -Depth 20))
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
        return $this.Receive($this.Send($method, $params, $log), $log, $onVssCall)
    }

    # Sends a request without waiting for its answer and returns its id, for Receive. A pipeline keeps a few
    # requests in flight this way, so the host works on one while PowerShell handles the answer to the last.
    [int] Send([string] $method, [object] $params, [scriptblock] $log) {
        $id = ++$this.NextId
        $body = [VssJson]::Serialize([ordered]@{ jsonrpc = '2.0'; id = $id; method = $method; params = $params })
        & $log "--> $([System.Text.Encoding]::UTF8.GetString($body))"
        $header = [System.Text.Encoding]::ASCII.GetBytes("Content-Length: $($body.Length)`r`n`r`n")
        try {
            $this.In.Write($header, 0, $header.Length)
            $this.In.Write($body, 0, $body.Length)
            $this.In.Flush()
        } catch [System.IO.IOException] {
            throw [VssSessionException]::new('VSS_E_BAD_STATE', '0x80042301', "The vss-session host process (pid $($this.Process.Id)) has exited; the backup it held is over. Start a new one with New-VssBackup.", $null)
        }
        return $id
    }

    # Answers read while waiting for another request's, by id.
    hidden [System.Collections.Generic.Dictionary[int, object]] $Answers = [System.Collections.Generic.Dictionary[int, object]]::new()

    # Waits for the answer to request $id: its result, or a VssSessionException with the VSS error it carries.
    # $onVssCall $null: the host's notifications are skipped unread.
    [object] Receive([int] $id, [scriptblock] $log, [scriptblock] $onVssCall) {
        while (-not $this.Answers.ContainsKey($id)) {
            $text = $this.ReadFrame()
            & $log "<-- $text"
            # A notification nobody listens to is not parsed (vscode-jsonrpc writes "jsonrpc" first, then
            # "method" for a notification, "id" for an answer).
            if ($null -eq $onVssCall -and $text.StartsWith('{"jsonrpc":"2.0","method":', [System.StringComparison]::Ordinal)) { continue }
            $reply = ConvertFrom-Json -InputObject $text -Depth 20
            $replyId = $reply.PSObject.Properties['id']
            if ($null -eq $replyId) {
                if ($reply.method -in 'vss/call', 'vss/progress', 'vss/retry' -and $null -ne $onVssCall) { & $onVssCall $reply.method $reply.params }
                continue
            }
            if ($null -ne $replyId.Value) { $this.Answers[[int]$replyId.Value] = $reply }
        }
        $reply = $this.Answers[$id]
        $null = $this.Answers.Remove($id)
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

    # Frames are read in chunks: the header is found with a string search over the buffered bytes (ASCII
    # decoding keeps one character per byte), never byte by byte in script.
    hidden [byte[]] $Buffer = [byte[]]::new(65536)
    hidden [int] $Start = 0
    hidden [int] $End = 0

    hidden [string] ReadFrame() {
        while ($true) {
            $pending = [System.Text.Encoding]::ASCII.GetString($this.Buffer, $this.Start, $this.End - $this.Start)
            $headerEnd = $pending.IndexOf("`r`n`r`n")
            if ($headerEnd -ge 0) {
                $length = -1
                foreach ($line in $pending.Substring(0, $headerEnd) -split "`r`n") {
                    if ($line -match '^Content-Length:\s*(\d+)$') { $length = [int]$Matches[1] }
                }
                if ($length -lt 0) { throw [VssSessionException]::new('VSS_E_UNEXPECTED', '0x80042302', 'The vss-session host sent a frame without Content-Length.', $null) }
                $bodyStart = $this.Start + $headerEnd + 4
                if ($this.End - $bodyStart -ge $length) {
                    $this.Start = $bodyStart + $length
                    return [System.Text.Encoding]::UTF8.GetString($this.Buffer, $bodyStart, $length)
                }
                $this.Fill($bodyStart + $length - $this.Start)
                continue
            }
            $this.Fill($this.End - $this.Start + 1)
        }
        return ''
    }

    # Reads until at least $needed unread bytes are buffered, moving them to the front and growing the buffer as needed.
    hidden [void] Fill([int] $needed) {
        if ($this.Start -gt 0) {
            [Array]::Copy($this.Buffer, $this.Start, $this.Buffer, 0, $this.End - $this.Start)
            $this.End -= $this.Start
            $this.Start = 0
        }
        if ($needed -gt $this.Buffer.Length) {
            $bigger = [byte[]]::new([Math]::Max($needed, 2 * $this.Buffer.Length))
            [Array]::Copy($this.Buffer, 0, $bigger, 0, $this.End)
            $this.Buffer = $bigger
        }
        while ($this.End -lt $needed) {
            $n = $this.Out.Read($this.Buffer, $this.End, $this.Buffer.Length - $this.End)
            if ($n -le 0) {
                throw [VssSessionException]::new('VSS_E_BAD_STATE', '0x80042301', "The vss-session host process (pid $($this.Process.Id)) has exited; the backup it held is over. Start a new one with New-VssBackup.", $null)
            }
            $this.End += $n
        }
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
