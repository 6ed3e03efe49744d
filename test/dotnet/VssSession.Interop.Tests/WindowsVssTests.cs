using System.Runtime.InteropServices;
using VssSession.Interop.Binding;
using VssSession.Interop.Com;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>A [Fact] that runs only against real Windows VSS: on Windows, in an elevated process (the requester
/// needs the Backup privilege). Elsewhere it is reported as skipped, with the reason.</summary>
public sealed class WindowsVssFactAttribute : FactAttribute
{
    public WindowsVssFactAttribute()
    {
        if (!OperatingSystem.IsWindows())
            Skip = $"needs real Windows VSS (Windows, elevated); this run is on {RuntimeInformation.OSDescription}";
        else if (!Environment.IsPrivilegedProcess)
            Skip = "needs real Windows VSS (Windows, elevated); this process is not elevated";
    }
}

/// <summary>WindowsVssApi (vssapi.dll) through the same binding the emulator tests use.</summary>
public sealed class WindowsVssTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [WindowsVssFact]
    public void WritersAnswerOnRealVss()
    {
        var vss = BackupComponents.Create(new WindowsVssApi());
        try
        {
            vss.InitializeForBackup();
            vss.SetContext(VssSnapshotContext.Backup);
            vss.SetBackupState(false, false, VssBackupType.Copy, false);
            vss.GatherWriterMetadata(Timeout);
            var writers = vss.GatherWriterStatus(Timeout);
            Assert.NotEmpty(writers);
            Assert.All(writers, w => Assert.False(string.IsNullOrEmpty(w.Name)));
        }
        finally
        {
            vss.Release();
        }
    }

    [WindowsVssFact]
    public void AnAutoReleaseSnapshotOfTheSystemDriveIsReadableAndGoesWithTheObject()
    {
        string volume = Path.GetPathRoot(Environment.SystemDirectory)!; // e.g. C:\
        var vss = BackupComponents.Create(new WindowsVssApi());
        try
        {
            vss.InitializeForBackup();
            vss.SetContext(VssSnapshotContext.Backup);
            vss.SetBackupState(false, false, VssBackupType.Copy, false);
            vss.GatherWriterMetadata(Timeout);
            Guid setId = vss.StartSnapshotSet();
            Guid snapshotId = vss.AddToSnapshotSet(volume);
            vss.PrepareForBackup(Timeout);
            vss.DoSnapshotSet(Timeout);
            var snapshot = vss.GetSnapshotProperties(snapshotId);
            Assert.Equal(setId, snapshot.SnapshotSetId);
            Assert.StartsWith(@"\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy", snapshot.DeviceObject, StringComparison.OrdinalIgnoreCase);
            Assert.True(Directory.Exists(snapshot.DeviceObject + @"\Windows"), $"{snapshot.DeviceObject}\\Windows is not readable");
            vss.BackupComplete(Timeout);
        }
        finally
        {
            vss.Release();
        }
    }

    [WindowsVssFact]
    public void DeletingAnUnknownSetIsObjectNotFound()
    {
        var vss = BackupComponents.Create(new WindowsVssApi());
        try
        {
            vss.InitializeForBackup();
            vss.SetContext(VssSnapshotContext.All);
            var e = Assert.Throws<VssException>(() => vss.DeleteSnapshots(Guid.NewGuid(), VssObjectType.SnapshotSet, false));
            Assert.Equal("VSS_E_OBJECT_NOT_FOUND", e.Name);
        }
        finally
        {
            vss.Release();
        }
    }
}
