// The Backup Components Document on disk: saved at a backup's end (-DocumentPath, --document) and read back
// (Get-VssBackupDocument). Every later restore needs it, so it is saved in two steps around BackupComplete: staged
// (written whole and flushed beside its target) before BackupComplete is sent, so that a full disk or a bad path fails
// the backup while writers can still be told it failed; then renamed into place once BackupComplete succeeded, so the
// file appears only for a completed backup, old or new but never half written. write-file-atomic does both steps in
// one call, which cannot straddle BackupComplete, hence the two here.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackupDocument, DocumentComponent, DocumentWriter } from '../generated/contract';
import { isOutOfSpace } from '../paths';
import { VssError, vssError } from '../vss-error';
import { componentPath } from './components';
import { FacadeCaller, VssService } from './interop';
import { checkRequesterProcess, creationRefused, RequesterToken } from './preflight';

/** A document written beside its target, not yet in place. */
export interface StagedDocument {
  readonly target: string;
  /** Renames it into place (and flushes the folder, so the rename outlives a crash). */
  commit(): void;
  /** Removes it: the backup did not complete. */
  discard(): void;
}

const MaxDocumentBytes = 64 * 1024 * 1024;

/** A file-system failure said as the VSS error a user acts on, naming the file and the fix. */
function documentError(e: unknown, target: string, doing: string, after: string): VssError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why = (e as Error).message;
  if (isOutOfSpace(e)) return vssError('VSS_E_INSUFFICIENT_STORAGE', `the disk under ${path.dirname(target)} is full, so the Backup Components Document could not be ${doing} ${target}. Free space there or choose another path; ${after}`, { path: target });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return vssError('E_ACCESSDENIED', `the Backup Components Document could not be ${doing} ${target} (${why}): give this account write access to ${path.dirname(target)} or choose another path; ${after}`, { path: target });
  if (code === 'ENOENT' || code === 'ENOTDIR') return vssError('VSS_E_OBJECT_NOT_FOUND', `the Backup Components Document could not be ${doing} ${target}: the folder ${path.dirname(target)} does not exist (${why}). Create it or choose another path; ${after}`, { path: target });
  return vssError('VSS_E_UNEXPECTED', `the Backup Components Document could not be ${doing} ${target} (${why}); ${after}`, { path: target });
}

/** Refuses, before any snapshot is made, a document path whose folder is missing or that names a folder. */
export function checkDocumentPath(target: string): void {
  const resolved = path.resolve(target);
  const folder = path.dirname(resolved);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw vssError('VSS_E_OBJECT_NOT_FOUND', `the folder for the Backup Components Document, ${folder}, does not exist: create it or choose another path. Nothing was snapshotted`, { path: resolved });
  }
  if (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()) {
    throw vssError('E_INVALIDARG', `the Backup Components Document path ${resolved} is a folder; name a file in it, such as ${path.join(resolved, 'backup.xml')}. Nothing was snapshotted`, { path: resolved });
  }
}

/**
 * Writes the document whole to a temporary file in the target's folder and flushes it. Throws, leaving nothing
 * behind, when it cannot: the caller has not sent BackupComplete and fails the backup.
 */
export function stageDocument(target: string, xml: string): StagedDocument {
  const resolved = path.resolve(target);
  const notCompleted = 'the backup was not completed (no BackupComplete was sent)';
  if (fs.existsSync(resolved) && fs.statSync(resolved).isDirectory()) {
    throw vssError('E_INVALIDARG', `the Backup Components Document path ${resolved} is a folder; name a file in it, such as ${path.join(resolved, 'backup.xml')}; ${notCompleted}`, { path: resolved });
  }
  const staged = path.join(path.dirname(resolved), `.${path.basename(resolved)}.${randomUUID()}.tmp`);
  try {
    const fd = fs.openSync(staged, 'wx', 0o644);
    try {
      fs.writeSync(fd, xml);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    fs.rmSync(staged, { force: true });
    throw documentError(e, resolved, 'saved to', notCompleted);
  }
  return {
    target: resolved,
    commit() {
      try {
        fs.renameSync(staged, resolved);
      } catch (e) {
        // BackupComplete was sent: the document is whole, only not in place. Say where it is rather than lose it.
        throw documentError(e, resolved, 'moved to', `the backup completed and the document is whole at ${staged}: move it there yourself`);
      }
      try {
        const dir = fs.openSync(path.dirname(resolved), 'r');
        try {
          fs.fsyncSync(dir);
        } finally {
          fs.closeSync(dir);
        }
      } catch {
        // A folder that cannot be opened for a flush (some network shares) still has the renamed file.
      }
    },
    discard() {
      fs.rmSync(staged, { force: true });
    },
  };
}

interface DocumentComponents {
  writers: { instanceId: string; writerId: string; components: { name: string; logicalPath: string | null; type: string; backupSucceeded: boolean | null; backupStamp: string | null; previousBackupStamp: string | null; backupOptions: string | null }[] }[];
}

/**
 * Reads a saved document back as a restore begins: InitializeForRestore on a fresh component object, which VSS
 * checks the document with, then its writers and components (GetWriterComponents); nothing is restored (no PreRestore
 * is sent) and the object is released at once.
 */
export async function readBackupDocument(interop: FacadeCaller, service: VssService, file: string): Promise<BackupDocument> {
  const resolved = path.resolve(file);
  let xml: string;
  try {
    const size = fs.statSync(resolved).size;
    if (size > MaxDocumentBytes) throw vssError('VSS_E_INVALID_XML_DOCUMENT', `${resolved} is ${size} bytes, more than a Backup Components Document holds (${MaxDocumentBytes}); is it the right file?`, { path: resolved });
    xml = fs.readFileSync(resolved, 'utf8');
  } catch (e) {
    if (e instanceof VssError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw vssError('VSS_E_OBJECT_NOT_FOUND', `no Backup Components Document at ${resolved}: check the path (it is what -DocumentPath or --document saved)`, { path: resolved });
    if (code === 'EACCES' || code === 'EPERM') throw vssError('E_ACCESSDENIED', `${resolved} cannot be read by this account (${(e as Error).message})`, { path: resolved });
    if (code === 'EISDIR') throw vssError('E_INVALIDARG', `${resolved} is a folder; name the document file in it`, { path: resolved });
    throw e;
  }
  await checkRequesterProcess(service, () => interop.call<RequesterToken>('RequesterToken'));
  const { handle } = await interop.call<{ handle: number }>('Create', { service }).catch((e) => Promise.reject(creationRefused(e)));
  try {
    let described: Pick<BackupDocument, 'snapshotSetId' | 'backupType' | 'snapshotIds'>;
    try {
      described = await interop.call('InitializeForRestore', { handle, xml });
    } catch (e) {
      if (e instanceof VssError && e.vssName === 'VSS_E_INVALID_XML_DOCUMENT') {
        throw new VssError(e.vssName, e.hresult, `${resolved} is not a Backup Components Document VSS can read: ${e.message}`, { ...e.details, path: resolved });
      }
      throw e;
    }
    const { writers } = await interop.call<DocumentComponents>('GetWriterComponents', { handle });
    const components: DocumentComponent[] = writers.flatMap((w) => w.components.map((c) => ({ writerId: w.writerId, instanceId: w.instanceId, ...c })));
    const documentWriters: DocumentWriter[] = writers.map((w) => ({ writerId: w.writerId, instanceId: w.instanceId, components: w.components.map(componentPath) }));
    return { path: resolved, ...described, writers: documentWriters, components };
  } finally {
    await interop.call('Release', { handle }).catch(() => undefined);
  }
}
