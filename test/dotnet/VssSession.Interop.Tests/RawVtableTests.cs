using System.Runtime.InteropServices;
using VssSession.Interop.Com;
using VssSession.Interop.Emulator;
using Xunit;

namespace VssSession.Interop.Tests;

/// <summary>The emulated component object called the way native code calls VSS: through raw vtable slots by
/// number, with no C# interface in between. A wrong slot order calls the wrong method and fails here.</summary>
[Collection(EmulatorCollection.Name)]
public sealed unsafe class RawVtableTests(EmulatorFixture emulator)
{
    private const int S_OK = 0;
    private const int E_NOINTERFACE = unchecked((int)0x80004002);
    private const int BackupTypeCopy = 5; // VSS_BT_COPY
    private const int VSS_CTX_BACKUP = 0;

    private static nint Slot(nint itf, int slot) => (*(nint**)itf)[slot];

    [Fact]
    public void SlotsReachTheRightMethodsAndFinalReleaseShutsTheBackupDown()
    {
        int before = emulator.Journal().Count;

        int hr = EmulatedVss.CreateVssBackupComponents(emulator.Socket, out nint p);
        Assert.Equal(S_OK, hr);
        Assert.NotEqual(0, p);
        bool released = false;
        try
        {
            // slot 0: QueryInterface for IVssBackupComponents (AddRef, then slot 2 Release) and for an IID it lacks.
            var queryInterface = (delegate* unmanaged<nint, Guid*, nint*, int>)Slot(p, 0);
            Guid iid = typeof(IVssBackupComponents).GUID;
            nint same = 0;
            Assert.Equal(S_OK, queryInterface(p, &iid, &same));
            Assert.NotEqual(0, same);
            var release = (delegate* unmanaged<nint, uint>)Slot(p, 2);
            Assert.Equal(1u, release(same));
            Guid other = typeof(IVssEnumObject).GUID;
            nint none = 0;
            Assert.Equal(E_NOINTERFACE, queryInterface(p, &other, &none));
            Assert.Equal(0, none);

            // slot 5: InitializeForBackup(BSTR bstrXML = NULL)
            var initializeForBackup = (delegate* unmanaged<nint, nint, int>)Slot(p, 5);
            Assert.Equal(S_OK, initializeForBackup(p, 0));
            // A second InitializeForBackup is out of order: proves slot 5 really is InitializeForBackup.
            Assert.Equal(VssErrors.VSS_E_BAD_STATE, initializeForBackup(p, 0));

            // slot 35: SetContext(LONG lContext); an unknown context is refused, so the slot is SetContext.
            var setContext = (delegate* unmanaged<nint, int, int>)Slot(p, 35);
            Assert.Equal(VssErrors.HResultOf("VSS_E_UNSUPPORTED_CONTEXT"), setContext(p, 12345));
            Assert.Equal(S_OK, setContext(p, VSS_CTX_BACKUP));

            // slot 6: SetBackupState(BOOL, BOOL, VSS_BACKUP_TYPE, BOOL)
            var setBackupState = (delegate* unmanaged<nint, int, int, int, int, int>)Slot(p, 6);
            Assert.Equal(S_OK, setBackupState(p, 0, 0, BackupTypeCopy, 0));

            // slot 9: GatherWriterMetadata(IVssAsync** pAsync); IVssAsync slot 4 Wait, slot 5 QueryStatus.
            var gatherWriterMetadata = (delegate* unmanaged<nint, nint*, int>)Slot(p, 9);
            nint pending = 0;
            Assert.Equal(S_OK, gatherWriterMetadata(p, &pending));
            Assert.NotEqual(0, pending);
            var wait = (delegate* unmanaged<nint, uint, int>)Slot(pending, 4);
            var queryStatus = (delegate* unmanaged<nint, int*, nint, int>)Slot(pending, 5);
            Assert.Equal(S_OK, wait(pending, 30_000));
            int status = 0;
            Assert.Equal(S_OK, queryStatus(pending, &status, 0));
            Assert.Equal(VssErrors.VSS_S_ASYNC_FINISHED, status);
            Assert.Equal(0, Marshal.Release(pending));

            // slot 10: GetWriterMetadataCount(UINT*): both default writers answered Identify.
            var getWriterMetadataCount = (delegate* unmanaged<nint, uint*, int>)Slot(p, 10);
            uint writers = 0;
            Assert.Equal(S_OK, getWriterMetadataCount(p, &writers));
            Assert.Equal(2u, writers);

            // The final Release is the requester's termination.
            released = true;
            Assert.Equal(0, Marshal.Release(p));
        }
        finally
        {
            if (!released) Marshal.Release(p);
        }

        var events = emulator.Journal().Skip(before).Where(e => e.RequesterPid == Environment.ProcessId).ToList();
        Assert.Equal(EmulatorFixture.DefaultWriters.Order(), events.Where(e => e.Event == "Identify").Select(e => e.Writer).Order());
        var shutdown = events.Where(e => e.Event == "BackupShutdown").ToList();
        Assert.Equal(EmulatorFixture.DefaultWriters.Order(), shutdown.Select(e => e.Writer).Order());
        Assert.All(shutdown, e => Assert.False(e.BackupCompleteReceived, $"{e.Writer} was told BackupComplete was received"));
        Assert.All(shutdown, e => Assert.NotNull(e.BackupCompleteReceived));
        Assert.Equal(["Identify", "Identify", "BackupShutdown", "BackupShutdown"], events.Select(e => e.Event));
    }
}
