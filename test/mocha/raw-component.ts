// One component object's connection to the emulated service, spoken to directly over its socket as the C#
// component object does: for the tests of the service's own rules.
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { createMessageConnection, MessageConnection, ResponseError, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node';

export const CTX_BACKUP = 0;
export const CTX_CLIENT_ACCESSIBLE = 29;
export const SNAPSHOT_SET = 2;

/** One component object's connection to the service. */
export class RawComponent {
  private constructor(private readonly connection: MessageConnection, private readonly socket: net.Socket) {}

  static async open(socketPath: string): Promise<RawComponent> {
    const socket = net.connect(socketPath);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    connection.listen();
    // A service that dies answers nothing more: fail the pending calls instead of waiting forever.
    socket.on('close', () => connection.dispose());
    const component = new RawComponent(connection, socket);
    await component.call('open', { pid: process.pid });
    return component;
  }

  call<T = any>(method: string, params: object = {}): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  private withWriters = true;

  /** InitializeForBackup, SetContext, GatherWriterMetadata (where writers take part: not with VSS_VOLSNAP_ATTR_NO_WRITERS). */
  async begin(context = CTX_BACKUP): Promise<this> {
    await this.call('initializeForBackup');
    await this.call('setContext', { context });
    this.withWriters = context === -1 || (context & 0x10) === 0;
    if (this.withWriters) await this.call('gatherWriterMetadata');
    return this;
  }

  /** StartSnapshotSet, AddToSnapshotSet, PrepareForBackup (where writers take part), DoSnapshotSet. */
  async snapshot(volumes: string[]): Promise<string> {
    const { snapshotSetId } = await this.call('startSnapshotSet');
    for (const volume of volumes) await this.call('addToSnapshotSet', { volume });
    if (this.withWriters) await this.call('prepareForBackup');
    await this.call('doSnapshotSet');
    return snapshotSetId;
  }

  async release(): Promise<void> {
    await this.call('release');
    this.connection.dispose();
    this.socket.destroy();
  }
}

export async function failure(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof ResponseError, String(e));
    return { name: (e.data as { name: string }).name, message: e.message };
  }
  assert.fail('the call succeeded');
}

