// Writer-metadata enums (vswriter.h) and VSS_COMPONENTINFO (vsbackup.h), in the Windows SDK's values and field order.
// Sources: the SDK's vsbackup.h (VSS_COMPONENTINFO), cross-checked with mingw-w64 (mingw-w64-headers/include/vsbackup.h)
// and winapi-rs (src/um/vsbackup.rs); the enums from winapi-rs (src/um/vswriter.rs) and the Win32 metadata
// (Windows.Win32.Storage.Vss, as generated into ynkdir/py-win32more). Not in contract/vss-abi.json yet:
// WriterMetadataAbiTests holds the expected values.
using System;
using System.Runtime.InteropServices;

namespace VssSession.Interop.Com;

/// <summary>VSS_USAGE_TYPE: what a writer's data is for (IVssExamineWriterMetadata::GetIdentity).</summary>
public enum VssUsageType
{
    Undefined = 0, // VSS_UT_UNDEFINED
    BootableSystemState = 1, // VSS_UT_BOOTABLESYSTEMSTATE
    SystemService = 2, // VSS_UT_SYSTEMSERVICE
    UserData = 3, // VSS_UT_USERDATA
    Other = 4, // VSS_UT_OTHER
}

/// <summary>VSS_SOURCE_TYPE: the kind of data a writer manages (IVssExamineWriterMetadata::GetIdentity).</summary>
public enum VssSourceType
{
    Undefined = 0, // VSS_ST_UNDEFINED
    TransactedDb = 1, // VSS_ST_TRANSACTEDDB
    NonTransactedDb = 2, // VSS_ST_NONTRANSACTEDDB
    Other = 3, // VSS_ST_OTHER
}

/// <summary>VSS_RESTOREMETHOD_ENUM (IVssExamineWriterMetadata::GetRestoreMethod).</summary>
public enum VssRestoreMethod
{
    Undefined = 0, // VSS_RME_UNDEFINED
    RestoreIfNotThere = 1, // VSS_RME_RESTORE_IF_NOT_THERE
    RestoreIfCanReplace = 2, // VSS_RME_RESTORE_IF_CAN_REPLACE
    StopRestoreStart = 3, // VSS_RME_STOP_RESTORE_START
    RestoreToAlternateLocation = 4, // VSS_RME_RESTORE_TO_ALTERNATE_LOCATION
    RestoreAtReboot = 5, // VSS_RME_RESTORE_AT_REBOOT
    RestoreAtRebootIfCannotReplace = 6, // VSS_RME_RESTORE_AT_REBOOT_IF_CANNOT_REPLACE
    Custom = 7, // VSS_RME_CUSTOM
    RestoreStopStart = 8, // VSS_RME_RESTORE_STOP_START
}

/// <summary>VSS_WRITERRESTORE_ENUM (IVssExamineWriterMetadata::GetRestoreMethod).</summary>
public enum VssWriterRestore
{
    Undefined = 0, // VSS_WRE_UNDEFINED
    Never = 1, // VSS_WRE_NEVER
    IfReplaceFails = 2, // VSS_WRE_IF_REPLACE_FAILS
    Always = 3, // VSS_WRE_ALWAYS
}

/// <summary>VSS_COMPONENTINFO, as IVssWMComponent::GetComponentInfo hands it out (PVSSCOMPONENTINFO). The struct
/// and its BSTRs belong to the component object: copy what you need, then give it back with FreeComponentInfo.
/// The four flags are C++ <c>bool</c> in the SDK (one byte each), so they are bytes here, not 4-byte BOOLs.
/// x64 offsets: type 0, bstrLogicalPath 8, bstrComponentName 16, bstrCaption 24, pbIcon 32, cbIcon 40,
/// the bools 44-47, dwComponentFlags 48, cFileCount 52, cDatabases 56, cLogFiles 60, cDependencies 64; size 72.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VssComponentInfo
{
    public VssComponentType Type;          // VSS_COMPONENT_TYPE type
    public nint LogicalPath;               // BSTR bstrLogicalPath (may be NULL)
    public nint ComponentName;             // BSTR bstrComponentName
    public nint Caption;                   // BSTR bstrCaption (may be NULL)
    public nint Icon;                      // BYTE* pbIcon
    public uint IconSize;                  // UINT cbIcon
    public byte RestoreMetadata;           // bool bRestoreMetadata
    public byte NotifyOnBackupComplete;    // bool bNotifyOnBackupComplete
    public byte Selectable;                // bool bSelectable
    public byte SelectableForRestore;      // bool bSelectableForRestore
    public uint ComponentFlags;            // DWORD dwComponentFlags (VSS_COMPONENT_FLAGS)
    public uint FileCount;                 // UINT cFileCount
    public uint Databases;                 // UINT cDatabases
    public uint LogFiles;                  // UINT cLogFiles
    public uint Dependencies;              // UINT cDependencies
}
