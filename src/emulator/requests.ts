// The requests of one component object (one client connection): the emulated IVssBackupComponents, one entry per
// method. Each checks where the session is (session.ts: its phase and the transitions VSS allows) before it acts,
// and moves it on; what outlives a session (snapshots, writers, the journal) belongs to the service, reached through
// the members listed in ServiceCore. The service runs each request in its session's queue, never once released.
import { randomUUID } from 'node:crypto';
import { ResponseError } from 'vscode-jsonrpc/node';
import { defaults } from '../defaults';
import { EmulatorPaths } from '../paths';
import { contextName, ContextValue, isGuid } from '../vss';
import { HResult, hresultValue, HResultName } from '../vss-error';
import { fault } from './fault';
import { ComponentTypeValue, componentPath, ProviderRecord, RestoreMethods, TransportableAttr, WriterRestores, WriterState } from './model';
import { componentKey, DocumentComponent, enter, phaseOf, reached, requireInitialized, requireWriterContext, Session, WriterInstance, writersTakePart } from './session';
import { StateStore } from './state-store';
import { checkVolume } from './volume-rules';
import { WriterDelivery } from './writer-delivery';
import { WritersFileError } from './writers-config';
import type { ShadowStorage } from './shadow-storage';

/** Shadow copies per volume with the system provider, and in the client-accessible (shared folders) contexts. */
const MaxSnapshotsPerVolume = 512;
const MaxSnapshotsPerVolumeClientAccessible = 64;
const ClientAccessibleAttr = 4;
/** VSS_OBJECT_PROVIDER. */
const ProviderObjectType = 4;
/** VSS_BACKUP_TYPE's names, by value (vss.h): what a writer reads with CVssWriter::GetBackupType. */
const BackupTypeNames = ['Undefined', 'Full', 'Incremental', 'Differential', 'Log', 'Copy', 'Other'] as const;

export type Handler = (params: any) => unknown;

/** What the requests use of the service: the state that outlives a component object, and its longer operations. */
export interface ServiceCore {
  readonly paths: EmulatorPaths;
  readonly state: StateStore;
  readonly delivery: WriterDelivery;
  /** The snapshot set being created, by whom: VSS creates one at a time. */
  creatingSet: { session: Session; snapshotSetId: string } | null;
  reloadWriters(): void;
  selectedWriters(s: Session): WriterInstance[];
  doSnapshotSet(s: Session): Promise<null>;
  deleteSnapshots(p: { sourceId: string; sourceType: number; force?: boolean }): { deleted: number };
  document(s: Session): string;
  expose(p: { snapshotId?: string; pathFromRoot?: string | null; attributes?: number; expose?: string | null }): unknown;
  unexpose(snapshotId: string): unknown;
  importSnapshots(s: Session): unknown;
  breakSnapshotSet(snapshotSetId: string): unknown;
  terminate(s: Session, endedBy: 'Release' | 'RequesterGone'): Promise<null>;
  /** The emulated provider's VSS_PROVIDER_PROP, as provider.json names it. */
  provider(): ProviderRecord;
  /** The emulated provider's diff areas (IVssDifferentialSoftwareSnapshotMgmt). */
  readonly shadowStorage: ShadowStorage;
}

/** The request table of session `s`: method name to handler, in the order VSS's documentation walks a backup. */
export function backupRequests(svc: ServiceCore, s: Session): Map<string, Handler> {
  const table = new Map<string, Handler>();
  const on = (method: string, handler: Handler) => table.set(method, handler);
  on('open', (p: { pid?: number }) => {
    s.pid = typeof p.pid === 'number' ? p.pid : null;
    return { sessionId: s.id };
  });
  on('initializeForBackup', (p: { xml?: unknown }) => {
    if (reached(s, 'Initialized')) throw fault('VSS_E_BAD_STATE', 'InitializeForBackup was already called on this component object');
    if (p.xml !== undefined && p.xml !== null && (typeof p.xml !== 'string' || !/^<BACKUP_COMPONENTS\b/.test(p.xml))) {
      throw fault('VSS_E_INVALID_XML_DOCUMENT', 'InitializeForBackup was given a document that is not a Backup Components Document (SaveAsXML of an earlier backup)');
    }
    s.document = typeof p.xml === 'string' ? p.xml : null;
    try {
      svc.reloadWriters();
    } catch (e) {
      if (e instanceof WritersFileError) throw fault('VSS_E_WRITER_INFRASTRUCTURE', e.message);
      throw e;
    }
    enter(s, 'Initialized');
    return null;
  });
  on('setContext', (p: { context: number }) => {
    requireInitialized(s, 'SetContext');
    // A context may carry VSS_VOLSNAP_ATTR_TRANSPORTABLE: its snapshots can be imported by another component object.
    const transportable = p.context !== ContextValue.All && (p.context & TransportableAttr) !== 0;
    const name = contextName(transportable ? p.context & ~TransportableAttr : p.context);
    if (!name) throw fault('VSS_E_UNSUPPORTED_CONTEXT', `context ${p.context} is not supported by the emulated provider`);
    if (s.snapshotSetId) throw fault('VSS_E_BAD_STATE', 'SetContext must come before StartSnapshotSet');
    s.context = name;
    s.transportable = transportable;
    return null;
  });
  on('setBackupState', (p: { backupType: number }) => {
    requireInitialized(s, 'SetBackupState');
    s.backupType = p.backupType;
    return null;
  });
  on('gatherWriterMetadata', async () => {
    requireInitialized(s, 'GatherWriterMetadata');
    if (s.participants) throw fault('VSS_E_BAD_STATE', 'GatherWriterMetadata was already called');
    const asked = svc.selectedWriters(s);
    const failed = await svc.delivery.deliver(s, 'Identify', asked);
    s.participants = asked.filter((w) => !failed.includes(w));
    return {
      writers: asked.map((w) => ({
        name: w.definition.name,
        writerId: w.definition.writerId,
        instanceId: w.instanceId,
        failed: failed.includes(w),
        components: w.definition.components.map((c) => ({
          name: c.name,
          logicalPath: c.logicalPath,
          componentType: ComponentTypeValue[c.type],
          caption: c.caption,
          selectable: c.selectable,
          files: c.files,
          databases: c.databases,
          logs: c.logs,
        })),
        excludedFiles: w.definition.components.flatMap((c) => c.excludedFiles),
        restoreMethod: w.definition.restoreMethod && {
          ...w.definition.restoreMethod,
          method: RestoreMethods.indexOf(w.definition.restoreMethod.method),
          writerRestore: WriterRestores.indexOf(w.definition.restoreMethod.writerRestore),
        },
      })),
    };
  });
  on('gatherWriterStatus', () => {
    requireInitialized(s, 'GatherWriterStatus');
    if (!s.participants) throw fault('VSS_E_BAD_STATE', 'GatherWriterStatus needs GatherWriterMetadata first');
    const shown = svc.selectedWriters(s);
    return {
      writers: shown.map((w) => ({
        instanceId: w.instanceId,
        writerId: w.definition.writerId,
        name: w.definition.name,
        state: WriterState[w.state],
        failure: w.lastError ? hresultValue(HResult[w.lastError as HResultName] ?? HResult.VSS_E_UNEXPECTED) : 0,
      })),
    };
  });
  on('startSnapshotSet', () => {
    requireInitialized(s, 'StartSnapshotSet');
    if (s.snapshotSetId) throw fault('VSS_E_BAD_STATE', `snapshot set ${s.snapshotSetId} was already started by this component object`);
    if (svc.creatingSet) {
      throw fault('VSS_E_SNAPSHOT_SET_IN_PROGRESS', `snapshot set ${svc.creatingSet.snapshotSetId} is being created by process ${svc.creatingSet.session.pid ?? 'unknown'}; only one snapshot set is created at a time`);
    }
    s.snapshotSetId = randomUUID();
    svc.creatingSet = { session: s, snapshotSetId: s.snapshotSetId };
    return { snapshotSetId: s.snapshotSetId };
  });
  on('addToSnapshotSet', (p: { volume?: unknown }) => {
    if (!s.snapshotSetId || phaseOf(s) !== 'Initialized') throw fault('VSS_E_BAD_STATE', 'AddToSnapshotSet needs StartSnapshotSet first, and comes before PrepareForBackup');
    const volume = checkVolume(p.volume, svc.paths.home);
    if (s.volumes.has(volume)) throw fault('VSS_E_OBJECT_ALREADY_EXISTS', `volume ${volume} is already in snapshot set ${s.snapshotSetId}`);
    if (s.volumes.size >= defaults.maxVolumesPerSet) throw fault('VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED', `a snapshot set holds at most ${defaults.maxVolumesPerSet} volumes`);
    const clientAccessible = (ContextValue[s.context] & ClientAccessibleAttr) !== 0;
    const limit = clientAccessible ? MaxSnapshotsPerVolumeClientAccessible : MaxSnapshotsPerVolume;
    const existing = svc.state.snapshots.filter((x) => x.originalVolume === volume).length;
    if (existing >= limit) {
      throw fault('VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED', `volume ${volume} already has ${existing} shadow copies, the most VSS allows${clientAccessible ? ' in a client-accessible context' : ''}; delete old ones first`);
    }
    const snapshotId = randomUUID();
    s.volumes.set(volume, snapshotId);
    return { snapshotId };
  });
  on('isVolumeSupported', (p: { volume?: unknown }) => {
    try {
      checkVolume(p.volume, svc.paths.home);
      return { supported: true };
    } catch (e) {
      // VSS answers no without saying why; the emulator also gives its reason, for the requester to report.
      if (e instanceof ResponseError && (e.data as { name: string }).name === 'VSS_E_VOLUME_NOT_SUPPORTED') return { supported: false, reason: e.message };
      throw e;
    }
  });
  on('prepareForBackup', async () => {
    requireWriterContext(s, 'PrepareForBackup');
    if (!s.snapshotSetId || s.volumes.size === 0) throw fault('VSS_E_BAD_STATE', 'PrepareForBackup needs a snapshot set with at least one volume');
    if (phaseOf(s) !== 'Initialized') throw fault('VSS_E_BAD_STATE', reached(s, 'Aborted') ? 'the backup was aborted' : 'PrepareForBackup was already called');
    // Writers can only be prepared once they have been asked for their metadata (Overview of Backup Initialization).
    if (writersTakePart(s) && !s.participants) throw fault('VSS_E_BAD_STATE', 'PrepareForBackup needs GatherWriterMetadata first in a context with writers');
    enter(s, 'Prepared');
    // A writer's failure here is reported through its status (GatherWriterStatus), as VSS does. The journal shows the
    // backup type each writer was told (a Full backup moves SQL Server's and Exchange's own backup chains; Copy does not).
    const backupType = BackupTypeNames[s.backupType] ?? String(s.backupType);
    await svc.delivery.deliver(s, 'PrepareForBackup', s.participants ?? [], () => ({ backupType }));
    return null;
  });
  on('doSnapshotSet', () => svc.doSnapshotSet(s));
  on('backupComplete', async () => {
    requireWriterContext(s, 'BackupComplete');
    if (!reached(s, 'SnapshotsDone')) throw fault('VSS_E_BAD_STATE', 'BackupComplete needs a finished DoSnapshotSet');
    if (reached(s, 'Completed')) throw fault('VSS_E_BAD_STATE', 'BackupComplete was already called');
    if (reached(s, 'Aborted')) throw fault('VSS_E_BAD_STATE', 'the backup was aborted');
    enter(s, 'Completed');
    const writers = s.participants ?? [];
    for (const w of writers) s.completedWriters.add(w.definition.writerId);
    // Each writer learns, per component, whether the requester backed it up (IVssComponent::GetBackupSucceeded).
    await svc.delivery.deliver(s, 'BackupComplete', writers, (w) => ({ components: componentsOf(s, w) }));
    return null;
  });
  on('getSnapshotProperties', (p: { snapshotId: string }) => {
    const snapshot = svc.state.snapshots.find((x) => x.snapshotId === p.snapshotId);
    if (!snapshot) throw fault('VSS_E_OBJECT_NOT_FOUND', `no snapshot ${p.snapshotId}`);
    return snapshot;
  });
  // Query returns snapshots, or with VSS_OBJECT_PROVIDER (4) the providers: the emulated one.
  on('query', (p: { returnedObjectsType?: number }) => (p.returnedObjectsType === ProviderObjectType ? { providers: [svc.provider()] } : { snapshots: svc.state.snapshots }));
  on('deleteSnapshots', (p: { sourceId: string; sourceType: number; force?: boolean }) => svc.deleteSnapshots(p));
  // IVssDifferentialSoftwareSnapshotMgmt: a management object's calls, which no backup's state governs.
  on('queryDiffAreas', (p: { volume?: string }) => ({ areas: svc.shadowStorage.query(typeof p?.volume === 'string' ? p.volume : undefined) }));
  on('addDiffArea', (p: object) => svc.shadowStorage.add(p));
  on('changeDiffAreaMaximumSize', (p: object) => svc.shadowStorage.change(p));
  on('addComponent', (p: { instanceId?: string; writerId?: string; componentType?: number; logicalPath?: string | null; componentName?: string }) => {
    requireWriterContext(s, 'AddComponent');
    if (!s.participants) throw fault('VSS_E_BAD_STATE', 'AddComponent needs GatherWriterMetadata first');
    if (phaseOf(s) !== 'Initialized') throw fault('VSS_E_BAD_STATE', 'AddComponent comes before PrepareForBackup');
    const writer = s.participants.find((w) => w.instanceId === p.instanceId?.toLowerCase() && w.definition.writerId === p.writerId?.toLowerCase());
    if (!writer) throw fault('VSS_E_OBJECT_NOT_FOUND', `no writer instance ${p.instanceId} of writer class ${p.writerId} takes part in this backup`);
    const name = p.componentName ?? '';
    const logicalPath = p.logicalPath || null;
    const declared = writer.definition.components.find((c) => c.name === name && c.logicalPath === logicalPath);
    if (!declared) {
      throw fault('VSS_E_OBJECT_NOT_FOUND', `writer '${writer.definition.name}' has no component '${componentPath({ logicalPath, name })}' (it has ${writer.definition.components.map((c) => `'${componentPath(c)}'`).join(', ') || 'none'})`);
    }
    const key = componentKey(writer.definition.writerId, logicalPath, name);
    if (s.components.has(key)) throw fault('VSS_E_OBJECT_ALREADY_EXISTS', `component '${componentPath(declared)}' of writer '${writer.definition.name}' was already added`);
    s.components.set(key, {
      instanceId: writer.instanceId,
      writerId: writer.definition.writerId,
      name,
      logicalPath,
      componentType: p.componentType ?? ComponentTypeValue[declared.type],
      backupSucceeded: null,
      backupStamp: null,
      previousBackupStamp: null,
      backupOptions: null,
    });
    return null;
  });
  const added = (p: { writerId?: string; logicalPath?: string | null; componentName?: string }, call: string): DocumentComponent => {
    const component = s.components.get(componentKey(p.writerId ?? '', p.logicalPath || null, p.componentName ?? ''));
    if (!component) throw fault('VSS_E_OBJECT_NOT_FOUND', `${call}: component '${p.componentName}' of writer class ${p.writerId} was not added to this backup (AddComponent)`);
    return component;
  };
  on('setBackupSucceeded', (p: { writerId?: string; logicalPath?: string | null; componentName?: string; succeeded?: boolean }) => {
    // VSS: after DoSnapshotSet and the data copy, before BackupComplete.
    if (phaseOf(s) !== 'SnapshotsDone') throw fault('VSS_E_BAD_STATE', 'SetBackupSucceeded comes after a finished DoSnapshotSet and before BackupComplete');
    added(p, 'SetBackupSucceeded').backupSucceeded = p.succeeded === true;
    return null;
  });
  on('setBackupOptions', (p: { writerId?: string; logicalPath?: string | null; componentName?: string; options?: string | null }) => {
    if (reached(s, 'Prepared')) throw fault('VSS_E_BAD_STATE', 'SetBackupOptions comes before PrepareForBackup');
    added(p, 'SetBackupOptions').backupOptions = p.options ?? null;
    return null;
  });
  on('setPreviousBackupStamp', (p: { writerId?: string; logicalPath?: string | null; componentName?: string; stamp?: string | null }) => {
    if (reached(s, 'Prepared')) throw fault('VSS_E_BAD_STATE', 'SetPreviousBackupStamp comes before PrepareForBackup');
    added(p, 'SetPreviousBackupStamp').previousBackupStamp = p.stamp ?? null;
    return null;
  });
  on('getWriterComponents', () => {
    requireInitialized(s, 'GetWriterComponentsCount');
    const byWriter = new Map<string, { instanceId: string; writerId: string; components: object[] }>();
    for (const c of s.components.values()) {
      const entry = byWriter.get(c.instanceId) ?? { instanceId: c.instanceId, writerId: c.writerId, components: [] };
      entry.components.push({
        name: c.name,
        logicalPath: c.logicalPath,
        componentType: c.componentType,
        backupSucceeded: c.backupSucceeded,
        backupStamp: c.backupStamp,
        previousBackupStamp: c.previousBackupStamp,
        backupOptions: c.backupOptions,
      });
      byWriter.set(c.instanceId, entry);
    }
    return { writers: [...byWriter.values()] };
  });
  on('exposeSnapshot', (p: { snapshotId?: string; pathFromRoot?: string | null; attributes?: number; expose?: string | null }) => svc.expose(p));
  on('unexposeSnapshot', (p: { snapshotId?: string }) => svc.unexpose(String(p.snapshotId ?? '').toLowerCase()));
  on('importSnapshots', () => svc.importSnapshots(s));
  on('breakSnapshotSet', (p: { snapshotSetId?: string }) => svc.breakSnapshotSet(String(p.snapshotSetId ?? '').toLowerCase()));
  on('disableWriterClasses', (p: { ids?: unknown }) => {
    for (const id of writerIds(s, 'DisableWriterClasses', p)) s.disabledClasses.add(id);
    return null;
  });
  on('enableWriterClasses', (p: { ids?: unknown }) => {
    const ids = writerIds(s, 'EnableWriterClasses', p);
    s.enabledClasses ??= new Set();
    for (const id of ids) s.enabledClasses.add(id);
    return null;
  });
  on('disableWriterInstances', (p: { ids?: unknown }) => {
    for (const id of writerIds(s, 'DisableWriterInstances', p)) s.disabledInstances.add(id);
    return null;
  });
  on('saveAsXml', () => ({ xml: svc.document(s) }));
  // Release has no HRESULT in VSS; the emulator's requester side still hears what the service could not do, so a
  // backup never reports success with its writers' events missing from the journal.
  on('release', async () => {
    await svc.terminate(s, 'Release');
    const held = svc.delivery.held;
    if (held > 0) {
      throw fault(
        'VSS_E_INSUFFICIENT_STORAGE',
        `the backup is released and every writer got its BackupShutdown, but the disk under ${svc.paths.home} is full, so ${held} journal line(s) could not be written yet: they are held and written once there is room (or when the service stops). Free space there`,
      );
    }
    return null;
  });
  return table;
}

/** The components one writer had in the backup, as its BackupComplete handler sees them. */
function componentsOf(s: Session, w: WriterInstance) {
  return [...s.components.values()].filter((c) => c.instanceId === w.instanceId).map((c) => ({ name: c.name, logicalPath: c.logicalPath, backupSucceeded: c.backupSucceeded === true }));
}

/**
 * DisableWriterClasses, EnableWriterClasses, DisableWriterInstances: after InitializeForBackup and before
 * GatherWriterMetadata (IVssBackupComponents docs), with at least one VSS_ID. An id no writer has is accepted,
 * as VSS accepts it: the writer may simply not be installed.
 */
function writerIds(s: Session, call: string, p: { ids?: unknown }): string[] {
  requireInitialized(s, call);
  if (s.participants) throw fault('VSS_E_BAD_STATE', `${call} must come before GatherWriterMetadata: the writers of this component object were already asked for their metadata`);
  const ids = p.ids;
  if (!Array.isArray(ids) || ids.length === 0) throw fault('E_INVALIDARG', `${call} takes a non-empty array of writer ids (GUIDs)`);
  return ids.map((id: unknown) => {
    if (!isGuid(id)) throw fault('E_INVALIDARG', `${call}: ${JSON.stringify(id)} is not a writer id (a GUID)`);
    return id.toLowerCase();
  });
}
