using System.Runtime.InteropServices;

namespace VssSession.Interop.Com;

/// <summary>BSTRs a VSS method hands out for the caller to free (SysFreeString).</summary>
internal static class Bstr
{
    /// <summary>The string, with the BSTR freed; null for a null BSTR.</summary>
    public static string? Take(nint bstr)
    {
        if (bstr == 0) return null;
        string value = Marshal.PtrToStringBSTR(bstr);
        Marshal.FreeBSTR(bstr);
        return value;
    }
}
