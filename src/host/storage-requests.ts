// The host's shadow storage requests (vssadmin list|add|resize|delete shadowstorage), each on a management object of
// its own, made and released by the facade for the call.
import { MessageConnection } from 'vscode-jsonrpc/node';
import { ShadowStorageAdmin } from '../requester/shadow-storage';
import { Methods, ShadowStorageParams } from './protocol';
import { HostSession, Serial } from './session';
import { checkText } from './validation';

export function serveShadowStorage(connection: MessageConnection, serial: Serial, session: HostSession): void {
  const storage = new ShadowStorageAdmin(session.options.interop, () => session.options.service());
  const params = (p: ShadowStorageParams | undefined, needs: { volume: boolean; diffAreaVolume?: boolean; maxSize?: boolean }) => ({
    volume: checkText(p?.volume, 'volume', needs.volume),
    diffAreaVolume: checkText(p?.diffAreaVolume, 'diffAreaVolume', needs.diffAreaVolume ?? false),
    maxSize: checkText(p?.maxSize, 'maxSize', needs.maxSize ?? false),
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
