// The component object for work outside a backup: Query, DeleteSnapshots, exposure.
import type { Provider } from '../generated/contract';
import { VssError } from '../vss-error';
import { FacadeCaller, FacadeMethod, VssService } from './interop';
import { checkRequesterProcess, creationRefused, RequesterToken } from './preflight';
import { FacadeSnapshot, Snapshot, withRootPath } from './shapes';

/**
 * A component object for work outside a backup (Query, DeleteSnapshots) in context VSS_CTX_ALL, made on first
 * use and kept for the caller's lifetime, so a pipeline of deletes costs one object, not one per item.
 * No writer takes part, so its Release sends writers nothing.
 */
export class AdminComponent {
  private handle: Promise<number> | null = null;

  constructor(
    private readonly interop: FacadeCaller,
    private readonly service: () => Promise<VssService>,
  ) {}

  private open(): Promise<number> {
    this.handle ??= (async () => {
      const service = await this.service();
      await checkRequesterProcess(service, () => this.interop.call<RequesterToken>('RequesterToken'));
      const { handle } = await this.interop.call<{ handle: number }>('Create', { service }).catch((e) => Promise.reject(creationRefused(e)));
      try {
        await this.interop.call('InitializeForBackup', { handle });
        await this.interop.call('SetContext', { handle, context: 'All' });
      } catch (e) {
        await this.interop.call('Release', { handle }).catch(() => undefined);
        throw e;
      }
      return handle;
    })();
    // A failed start is not kept: the next call tries again.
    this.handle.catch(() => (this.handle = null));
    return this.handle;
  }

  /**
   * One call on the kept object. VSS_E_UNEXPECTED is how the emulated service's loss reaches the binding (and real
   * VSS's own breakdowns): the object is dropped, so the next call begins on a new one, which starts the service
   * again. A read is then made once more at once; a change (a delete, an exposure) is not, as it may have been made.
   */
  private async run<T>(method: FacadeMethod, input: object, read = false): Promise<T> {
    const handle = await this.open();
    try {
      return await this.interop.call<T>(method, { handle, ...input });
    } catch (e) {
      if (!(e instanceof VssError && e.vssName === 'VSS_E_UNEXPECTED')) throw e;
      this.handle = null;
      await this.interop.call('Release', { handle }).catch(() => undefined);
      if (!read) throw e;
      return this.interop.call<T>(method, { handle: await this.open(), ...input });
    }
  }

  async querySnapshots(): Promise<Snapshot[]> {
    return (await this.run<{ snapshots: FacadeSnapshot[] }>('QuerySnapshots', {}, true)).snapshots.map(withRootPath);
  }

  /** Query with VSS_OBJECT_PROVIDER: the providers installed (vssadmin list providers). */
  async queryProviders(): Promise<Provider[]> {
    return (await this.run<{ providers: Provider[] }>('QueryProviders', {}, true)).providers;
  }

  async snapshot(snapshotId: string): Promise<Snapshot> {
    return withRootPath(await this.run<FacadeSnapshot>('GetSnapshotProperties', { snapshotId }, true));
  }

  /** ExposeSnapshot locally, at a folder (or, on Windows, a drive letter); returns the name VSS exposed it under. */
  async exposeSnapshot(snapshotId: string, path: string): Promise<string> {
    return (await this.run<{ exposed: string }>('ExposeSnapshot', { snapshotId, path })).exposed;
  }

  async unexposeSnapshot(snapshotId: string): Promise<void> {
    await this.run('UnexposeSnapshot', { snapshotId });
  }

  async deleteSnapshots(sourceId: string, sourceType: 'SnapshotSet' | 'Snapshot', force: boolean): Promise<{ deleted: number }> {
    return this.run<{ deleted: number }>('DeleteSnapshots', { sourceId, sourceType, force });
  }

  async release(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle) await this.interop.call('Release', { handle: await handle }).catch(() => undefined);
  }
}
