using System.Text;

namespace VssSession.Framing;

/// <summary>
/// Content-Length framing, the base protocol vscode-jsonrpc speaks (a header block ended by an empty line, with
/// Content-Length, then that many bytes of JSON). Both clients of VssSession's JSON-RPC speakers use it: the module's
/// client of the host (net8, for PowerShell 7.4) and the emulated component object's connection to the emulated
/// service (net10). Two assemblies, so this one file is compiled into both rather than referenced.
/// </summary>
/// <remarks>Errors are plain IO ones (<see cref="EndOfStreamException"/> when the stream ends,
/// <see cref="InvalidDataException"/> for a frame without its length): each caller says what they mean for it.</remarks>
internal sealed class ContentLengthFrames(Stream stream)
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private byte[] _buffer = new byte[65536];
    private int _start;
    private int _end;

    /// <summary>Writes one frame and flushes it.</summary>
    public void Write(ReadOnlySpan<byte> body)
    {
        stream.Write(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
        stream.Write(body);
        stream.Flush();
    }

    /// <summary>One frame's body. The memory is this reader's buffer: valid until the next read.</summary>
    public ReadOnlyMemory<byte> Read()
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var headerEnd = pending.IndexOf(HeaderEnd);
            if (headerEnd < 0)
            {
                Fill(_end - _start + 1);
                continue;
            }
            var length = -1;
            foreach (var line in Encoding.ASCII.GetString(pending[..headerEnd]).Split("\r\n"))
            {
                int colon = line.IndexOf(':');
                if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(line.AsSpan(colon + 1).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                    length = n;
            }
            if (length < 0) throw new InvalidDataException("a frame without Content-Length");
            var bodyStart = _start + headerEnd + HeaderEnd.Length;
            if (_end - bodyStart >= length)
            {
                _start = bodyStart + length;
                return _buffer.AsMemory(bodyStart, length);
            }
            Fill(bodyStart + length - _start);
        }
    }

    /// <summary>Reads until at least <paramref name="needed"/> unread bytes are buffered, moving them to the front
    /// and growing the buffer as needed.</summary>
    private void Fill(int needed)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (needed > _buffer.Length)
        {
            var bigger = new byte[Math.Max(needed, 2 * _buffer.Length)];
            Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
            _buffer = bigger;
        }
        while (_end < needed)
        {
            var n = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n <= 0) throw new EndOfStreamException("the connection ended");
            _end += n;
        }
    }
}
