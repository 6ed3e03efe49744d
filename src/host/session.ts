// What one host holds for its client: the admin component object, at most one backup and its set's record, and the
// views of them that every request family answers with.
import { NotificationType } from 'vscode-jsonrpc/node';
import { ExposureStore, sweepAbandonedExposures } from '../exposures';
import { RecordStore, SnapshotSetRecorder } from '../records';
import { FacadeCaller, VssService } from '../requester/interop';
import { AdminComponent, BackupLifecycle, Snapshot, Writer } from '../requester/lifecycle';
import { SnapshotSetInfo } from '../snapshot-sets';
import { vssError } from '../vss-error';
import { withServices, writerServices } from '../writer-services';
import { BackupInfo } from './protocol';

export interface HostOptions {
  interop: FacadeCaller;
  /** Resolves the VSS service on first use (starting the emulated one if needed). */
  service: () => Promise<VssService>;
  /** Called once the session has ended (closed, or its client went away). */
  onEnd?: () => void;
  /** Where the persistent snapshot sets this host creates are recorded (for -Orphaned); none: not recorded. */
  records?: RecordStore;
  /** Where exposures that belong to a process are recorded, to be undone once it is gone; none: not recorded. */
  exposures?: ExposureStore;
}

/** A request handler run in turn with every other request of the host (see startHost). */
export type Serial = <P, R>(handler: (params: P) => Promise<R>) => (params: P) => Promise<R>;

export class HostSession {
  /** Queries and deletes share one component object for the host's life (one per PowerShell pipeline). */
  readonly admin: AdminComponent;
  backup: BackupLifecycle | null = null;
  /** The record of the backup's persistent snapshot set; null in auto-release contexts and without a store. */
  recorder: SnapshotSetRecorder | null = null;
  /** The writers' hosting services, learned once per host (a table on Windows, writers.json on the emulator). */
  private services: Promise<Map<string, string>> | null = null;

  constructor(
    readonly options: HostOptions,
    /** A notification to the client, best effort (see startHost). */
    readonly tell: <P>(type: NotificationType<P>, params: P) => void,
  ) {
    this.admin = new AdminComponent(options.interop, () => options.service());
  }

  current(): BackupLifecycle {
    if (!this.backup) throw vssError('VSS_E_BAD_STATE', 'no backup is open in this host: send backup/create first');
    return this.backup;
  }

  async decorated(writers: Writer[]): Promise<Writer[]> {
    this.services ??= this.options.service().then(writerServices);
    this.services.catch(() => (this.services = null));
    return withServices(writers, await this.services.catch(() => new Map<string, string>()));
  }

  async info(b: BackupLifecycle): Promise<BackupInfo> {
    const described = b.describe();
    return { ...described, writers: await this.decorated(described.writers), hostProcessId: process.pid };
  }

  setInfo(b: BackupLifecycle, snapshots: Snapshot[]): SnapshotSetInfo {
    return {
      snapshotSetId: b.snapshotSetId!,
      context: b.describe().context,
      persistent: snapshots.some((s) => s.persistent),
      createdAt: snapshots[0]?.createdAt ?? new Date().toISOString(),
      expiresAt: this.recorder?.expiresAt ?? null,
      snapshots,
    };
  }

  /** Exposures whose owner died, undone before a command touches snapshots (exposures.ts). */
  sweepExposures(): Promise<void> {
    return sweepAbandonedExposures(this.options.exposures, (id) => this.admin.unexposeSnapshot(id));
  }

  recordStore(): RecordStore {
    if (!this.options.records) throw vssError('VSS_E_BAD_STATE', 'this host keeps no records of snapshot sets, so it knows no orphans');
    return this.options.records;
  }
}
