using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace VssSession.Interop.Emulator;

/// <summary>
/// A connected Unix domain socket as a plain stream, made with libc's socket(2) and connect(2). Not
/// System.Net.Sockets: its first use (the assembly, the Socket machinery, its async engine) is JIT-compiled in every
/// host, at its first component object, for one blocking connection that only reads and writes.
/// </summary>
internal static unsafe class UnixSocket
{
    private const int AF_UNIX = 1;
    private const int SOCK_STREAM = 1;
    private const int SOCK_CLOEXEC_LINUX = 0x80000;
    private const int SunPathLength = 104; // sockaddr_un.sun_path: 108 bytes on Linux, 104 on macOS; the shorter holds for both

    private static readonly nint Libc = NativeLibrary.Load(OperatingSystem.IsMacOS() ? "libc.dylib" : "libc.so.6");
    private static readonly delegate* unmanaged<int, int, int, int> Socket = (delegate* unmanaged<int, int, int, int>)NativeLibrary.GetExport(Libc, "socket");
    private static readonly delegate* unmanaged<int, byte*, uint, int> ConnectTo = (delegate* unmanaged<int, byte*, uint, int>)NativeLibrary.GetExport(Libc, "connect");
    private static readonly delegate* unmanaged<int, int> Close = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(Libc, "close");

    /// <summary>A stream connected to the socket at <paramref name="path"/>; on failure, the system's reason.</summary>
    public static Stream Connect(string path, Func<string, Exception> failure)
    {
        byte[] name = Encoding.UTF8.GetBytes(path);
        if (name.Length >= SunPathLength) throw failure($"the socket path is longer than {SunPathLength - 1} bytes");
        // struct sockaddr_un: Linux { sa_family_t (2 bytes); char sun_path[108]; }, macOS { uint8 len; uint8 family; char sun_path[104]; }
        byte* address = stackalloc byte[2 + 108];
        new Span<byte>(address, 2 + 108).Clear();
        if (OperatingSystem.IsMacOS())
        {
            address[0] = (byte)(2 + name.Length);
            address[1] = AF_UNIX;
        }
        else
        {
            *(ushort*)address = AF_UNIX;
        }
        name.CopyTo(new Span<byte>(address + 2, 108));

        int fd = Socket(AF_UNIX, SOCK_STREAM | (OperatingSystem.IsLinux() ? SOCK_CLOEXEC_LINUX : 0), 0);
        if (fd < 0) throw failure(Marshal.GetPInvokeErrorMessage(Marshal.GetLastSystemError()));
        if (ConnectTo(fd, address, (uint)(2 + name.Length + 1)) != 0)
        {
            string why = Marshal.GetPInvokeErrorMessage(Marshal.GetLastSystemError());
            Close(fd);
            throw failure(why);
        }
        // Reads and writes go straight to read(2) and write(2); a socket cannot seek, and FileStream does not try.
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
    }
}
