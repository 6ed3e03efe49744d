import * as fs from 'node:fs';
import * as path from 'node:path';
import { runtimeDir } from '../paths';
import type { DeleteResult, FacadeMethod } from '../generated/contract';
import { VssError } from '../vss-error';
import { checkBundledRuntime, runtimeStartFailure, runtimeUnavailable } from './runtime';

/** Where the C# assembly gets its component objects from. */
export type VssService = { kind: 'windows' } | { kind: 'emulator'; socket: string };

export type { FacadeMethod } from '../generated/contract';

type EdgeFunc = (input: string, callback: (error: Error | null, result: string) => void) => void;

interface FacadeReply<T> {
  result?: T;
  error?: { name: string; hresult: string; message: string; partialDelete?: DeleteResult | null } & Record<string, unknown>;
}

/** What the lifecycle needs of the .NET side: one call at a time through the facade. */
export interface FacadeCaller {
  call<T = null>(method: FacadeMethod, input?: object): Promise<T>;
}

/** One facade call as an observer sees it: the VSS method, how long it took, and its VSS error if it failed. */
export interface CallRecord {
  method: FacadeMethod;
  ms: number;
  error: string | null;
}

/** A caller that reports each call as it starts and as it returns (the host turns them into notifications). */
export function observed(inner: FacadeCaller, observer: (record: CallRecord) => void, onStart: (method: FacadeMethod) => void = () => undefined): FacadeCaller {
  return {
    async call<T>(method: FacadeMethod, input?: object): Promise<T> {
      onStart(method);
      const started = performance.now();
      let error: string | null = null;
      try {
        return await inner.call<T>(method, input);
      } catch (e) {
        error = e instanceof VssError ? e.vssName : (e as Error).message;
        throw e;
      } finally {
        observer({ method, ms: Math.round((performance.now() - started) * 10) / 10, error });
      }
    },
  };
}

/**
 * The one place that loads .NET: edge-js in CoreCLR mode, with the C# assembly's folder as its app root.
 * Nothing is loaded until the first call, so commands that need no .NET never start the runtime.
 */
export class Interop implements FacadeCaller {
  private readonly functions = new Map<FacadeMethod, EdgeFunc>();
  private edge: { func(options: object): EdgeFunc } | undefined;

  constructor(private readonly dir = runtimeDir()) {}

  /**
   * Loads .NET and the facade now, before the first call needs them. A failure is kept for that call to report.
   * On Windows the first call sets the process's COM security, before anything in the process uses COM; creating
   * a component object reports it if that failed.
   */
  prepare(): void {
    try {
      if (process.platform === 'win32') void this.call('InitializeComSecurity').catch(() => undefined);
      else this.entry('Ping');
    } catch (e) {
      this.loadFailure = e;
    }
  }

  private loadFailure: unknown;

  private load() {
    if (this.edge) return this.edge;
    if (this.loadFailure !== undefined) throw this.loadFailure;
    const appRoot = path.join(this.dir, 'dotnet');
    const native = path.join(this.dir, 'edge_coreclr.node');
    if (!fs.existsSync(native)) throw runtimeUnavailable(`${native} (edge-js's addon, which loads .NET) is missing; copy the module's folder again (or run 'npm run build' in a checkout); nothing was sent to VSS`, { path: native });
    checkBundledRuntime(appRoot);
    process.env.EDGE_USE_CORECLR = '1';
    process.env.EDGE_APP_ROOT = appRoot;
    process.env.EDGE_NATIVE = native;
    // Resolve .NET from the assembly's own runtimeconfig, not from an installed SDK: a server has only the
    // runtime, and the SDK's resolution costs every host start several milliseconds.
    process.env.EDGE_USE_RUNTIME_CONFIG = '1';
    // A host lives long and makes many small calls: a 1 MB gen0 budget keeps the .NET heap (and the host's memory)
    // from growing by tens of MB before the first collection. Read once, when CoreCLR starts; a caller's own
    // setting wins. (DOTNET_GCgen0size has no runtimeconfig.json name, so it is set here.)
    process.env.DOTNET_GCgen0size ??= '0x100000';
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.edge = require('edge-js') as { func(options: object): EdgeFunc };
    } catch (e) {
      throw runtimeStartFailure(appRoot, e);
    }
    return this.edge;
  }

  private entry(method: FacadeMethod): EdgeFunc {
    let fn = this.functions.get(method);
    if (!fn) {
      const first = this.functions.size === 0;
      const edge = this.load();
      try {
        fn = edge.func({
          assemblyFile: path.join(this.dir, 'dotnet', 'VssSession.Interop.dll'),
          typeName: 'VssSession.Interop.Facade',
          methodName: method,
        });
      } catch (e) {
        // The first binding is where edge-js starts CoreCLR: a failure there is the runtime's, and is kept.
        if (first) throw (this.loadFailure = runtimeStartFailure(path.join(this.dir, 'dotnet'), e));
        throw e;
      }
      this.functions.set(method, fn);
    }
    return fn;
  }

  /** Calls one facade entry point; a VSS failure rejects with a {@link VssError}. */
  call<T = null>(method: FacadeMethod, input: object = {}): Promise<T> {
    const fn = this.entry(method);
    return new Promise<T>((resolve, reject) => {
      fn(JSON.stringify(input), (error, json) => {
        if (error) return reject(error);
        const reply = JSON.parse(json) as FacadeReply<T>;
        if (reply.error) {
          const { name, hresult, message, partialDelete, ...details } = reply.error;
          return reject(new VssError(name, hresult, message, details, partialDelete ?? undefined));
        }
        resolve(reply.result as T);
      });
    });
  }
}
