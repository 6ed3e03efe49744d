// A facade with no .NET and no VSS behind it: it answers each call as VSS would on a healthy machine, records the
// calls in order, and fails the calls a test names. The lifecycle's rules are then checked in milliseconds.
import { randomUUID } from 'node:crypto';
import type { FacadeCaller, FacadeMethod } from '../../../src/requester/interop';
import type { Snapshot, Writer } from '../../../src/requester/lifecycle';
import { HResultName, vssError } from '../../../src/vss-error';

export const WriterA: Writer = { name: 'Writer A', writerId: 'aaaaaaaa-0000-0000-0000-000000000001', instanceId: 'aaaaaaaa-1111-0000-0000-000000000001', state: 'Stable', lastError: null };
export const WriterB: Writer = { name: 'Writer B', writerId: 'bbbbbbbb-0000-0000-0000-000000000002', instanceId: 'bbbbbbbb-1111-0000-0000-000000000002', state: 'Stable', lastError: null };

/** A failure a test asks for: the call fails with `error` the next `times` times (once by default). */
interface Fault {
  error: HResultName;
  times: number;
  /** The writers' status after the failure (GatherWriterStatus), as a writer that vetoed would leave it. */
  writers?: Writer[];
}

export class FakeFacade implements FacadeCaller {
  readonly calls: FacadeMethod[] = [];
  writers: Writer[] = [WriterA, WriterB];
  private readonly faults = new Map<FacadeMethod, Fault>();
  private nextHandle = 1;
  private snapshotSetId = '';
  private readonly added = new Map<string, string>(); // snapshot id -> volume

  /** The next `times` calls of `method` fail with `error`. */
  fail(method: FacadeMethod, error: HResultName, times = 1, writers?: Writer[]): this {
    this.faults.set(method, { error, times, writers });
    return this;
  }

  /** The calls after the first of `method`, or every call when it was not made. */
  callsFrom(method: FacadeMethod): FacadeMethod[] {
    const at = this.calls.indexOf(method);
    return at < 0 ? [...this.calls] : this.calls.slice(at);
  }

  async call<T = null>(method: FacadeMethod, input: Record<string, unknown> = {}): Promise<T> {
    this.calls.push(method);
    const fault = this.faults.get(method);
    if (fault && fault.times > 0) {
      fault.times--;
      if (fault.writers) this.writers = fault.writers;
      throw vssError(fault.error, `${method} failed as the test asked`);
    }
    return this.answer(method, input) as T;
  }

  private answer(method: FacadeMethod, input: Record<string, unknown>): unknown {
    switch (method) {
      case 'Create':
        return { handle: this.nextHandle++ };
      case 'GatherWriterStatus':
        return { writers: this.writers };
      case 'GetWriterMetadata':
        return { writers: [] };
      case 'IsVolumeSupported':
        return { supported: true };
      case 'StartSnapshotSet':
        this.snapshotSetId = randomUUID();
        this.added.clear();
        return { snapshotSetId: this.snapshotSetId };
      case 'AddToSnapshotSet': {
        const snapshotId = randomUUID();
        this.added.set(snapshotId, String(input.volume));
        return { snapshotId };
      }
      case 'GetSnapshotProperties': {
        const snapshotId = String(input.snapshotId);
        const snapshot: Partial<Snapshot> = {
          snapshotId,
          snapshotSetId: this.snapshotSetId,
          volume: this.added.get(snapshotId) ?? '',
          devicePath: `/snapshots/${snapshotId}`,
          exposedName: null,
          exposedPath: null,
          originatingMachine: 'test',
          persistent: false,
          attributes: 0,
          createdAt: new Date().toISOString(),
          status: 'Created',
        };
        return snapshot;
      }
      case 'PrepareForBackup':
        // A new backup's PrepareForBackup starts each writer afresh, as VSS's writers do.
        this.writers = this.writers.map((w) => ({ ...w, state: 'Stable', lastError: null }));
        return null;
      case 'GetWriterComponents':
        return { writers: [] };
      default:
        return null;
    }
  }
}
