// The host's shadow storage requests (vssadmin list|add|resize|delete shadowstorage), each on a management object of
// its own, made and released by the facade for the call.
import { MessageConnection } from 'vscode-jsonrpc/node';
import { ShadowStorageAdmin } from '../requester/shadow-storage';
import { vssError } from '../vss-error';
import { Methods, ShadowStorageParams } from './protocol';
import { HostSession, Serial } from './session';

function text(value: unknown, name: string, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw vssError('E_INVALIDARG', `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value === '') throw vssError('E_INVALIDARG', `${name} must be a non-empty string`);
  return value;
}

export function serveShadowStorage(connection: MessageConnection, serial: Serial, session: HostSession): void {
  const storage = new ShadowStorageAdmin(session.options.interop, () => session.options.service());
  const params = (p: ShadowStorageParams | undefined, needs: { volume: boolean; diffAreaVolume?: boolean; maxSize?: boolean }) => ({
    volume: text(p?.volume, 'volume', needs.volume),
    diffAreaVolume: text(p?.diffAreaVolume, 'diffAreaVolume', needs.diffAreaVolume ?? false),
    maxSize: text(p?.maxSize, 'maxSize', needs.maxSize ?? false),
  });
  connection.onRequest(Methods.listShadowStorage, serial(async (p) => ({ areas: await storage.list(params(p, { volume: false }).volume) })));
  connection.onRequest(Methods.addShadowStorage, serial(async (p) => {
    const { volume, diffAreaVolume, maxSize } = params(p, { volume: true, diffAreaVolume: true });
    return storage.add(volume!, diffAreaVolume!, maxSize ?? 'UNBOUNDED');
  }));
  connection.onRequest(Methods.setShadowStorage, serial(async (p) => {
    const { volume, diffAreaVolume, maxSize } = params(p, { volume: true, maxSize: true });
    return storage.resize(volume!, maxSize!, diffAreaVolume);
  }));
  connection.onRequest(Methods.removeShadowStorage, serial(async (p) => {
    const { volume, diffAreaVolume } = params(p, { volume: true });
    return storage.remove(volume!, diffAreaVolume);
  }));
}
