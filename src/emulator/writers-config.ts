import * as fs from 'node:fs';
import { readConfigFile } from './durable';
import { HResult } from '../vss-error';
import { ComponentDefinition, componentPath, DefaultWriters, FileSpec, RestoreMethodDefinition, RestoreMethods, simpleComponent, WriterDefinition, WriterEvent, WriterEvents, WriterRestores } from './model';

/** VSS's default freeze-to-thaw timeout for a writer (CVssWriter): 60 s. */
export const DefaultFreezeTimeoutMs = 60_000;

const WriterErrors = Object.keys(HResult).filter((n) => n.startsWith('VSS_E_WRITERERROR_'));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A writers file that cannot be used; the message names the file, the entry and the field. */
export class WritersFileError extends Error {}

/**
 * The emulated writers, from `$VSS_SESSION_HOME/writers.json` when it exists, else the two defaults:
 * `[{ "name", "id", "components"? (names, or objects: see loadComponents), "failOn"?: { "<Event>": "<VSS_E_WRITERERROR_*>" }, "failTimes"?: { "<Event>": n },
 *    "delayMs"?: { "<Event>": n }, "freezeTimeoutMs"?, "service"?, "restoreMethod"? (see loadRestoreMethod) }]`. failTimes makes a failOn fault transient: only
 * the first n deliveries of that event fail, counted by the service from when it read the file. `service` names the
 * service hosting the writer (Get-VssWriter's Service).
 */
export function loadWriters(file: string): WriterDefinition[] {
  if (!fs.existsSync(file)) return DefaultWriters.map((w) => ({ ...w }));
  let text: string;
  try {
    text = readConfigFile(file);
  } catch (e) {
    throw new WritersFileError(`${(e as Error).message}; fix it or delete it to get the two default writers`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new WritersFileError(`${file}: not valid JSON (${(e as Error).message}); fix it or delete it to get the two default writers`);
  }
  if (!Array.isArray(parsed)) throw new WritersFileError(`${file}: must be a JSON array of writers, like [{ "name": "My Writer", "id": "<guid>" }]`);
  const seen = new Set<string>();
  return parsed.map((entry: unknown, index) => {
    const where = (field: string) => `${file}: entry ${index}${isObject(entry) && typeof entry.name === 'string' ? ` ("${entry.name}")` : ''}: field "${field}"`;
    if (!isObject(entry)) throw new WritersFileError(`${file}: entry ${index}: must be an object with "name" and "id"`);
    const known = ['name', 'id', 'components', 'failOn', 'failTimes', 'delayMs', 'freezeTimeoutMs', 'service', 'restoreMethod'];
    for (const key of Object.keys(entry)) if (!known.includes(key)) throw new WritersFileError(`${where(key)}: unknown; the fields are ${known.join(', ')}`);
    if (typeof entry.name !== 'string' || entry.name.trim() === '') throw new WritersFileError(`${where('name')}: must be a non-empty string`);
    if (typeof entry.id !== 'string' || !GUID.test(entry.id)) throw new WritersFileError(`${where('id')}: must be a GUID like 7f0b7c8a-2c5e-4d1e-9b3a-5d1c0e9a4f01`);
    const writerId = entry.id.toLowerCase();
    if (seen.has(writerId)) throw new WritersFileError(`${where('id')}: ${writerId} is used by an earlier entry; each writer needs its own id`);
    seen.add(writerId);
    const components = loadComponents(entry.components ?? [], where);
    const failOn = eventMap(entry.failOn, where, 'failOn', (value, field) => {
      if (typeof value !== 'string' || !WriterErrors.includes(value)) throw new WritersFileError(`${where(field)}: must be one of ${WriterErrors.join(', ')}`);
      return value;
    });
    const failTimes = eventMap(entry.failTimes, where, 'failTimes', (value, field) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000) throw new WritersFileError(`${where(field)}: must be a whole number of deliveries from 1 to 1000000`);
      return value;
    });
    for (const event of Object.keys(failTimes) as WriterEvent[]) {
      if (!failOn[event]) throw new WritersFileError(`${where(`failTimes.${event}`)}: needs failOn.${event}, the error those deliveries fail with`);
    }
    const delayMs = eventMap(entry.delayMs, where, 'delayMs', (value, field) => {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 3_600_000) throw new WritersFileError(`${where(field)}: must be a number of milliseconds from 0 to 3600000`);
      return value;
    });
    const freezeTimeoutMs = entry.freezeTimeoutMs ?? DefaultFreezeTimeoutMs;
    if (typeof freezeTimeoutMs !== 'number' || !Number.isFinite(freezeTimeoutMs) || freezeTimeoutMs <= 0) throw new WritersFileError(`${where('freezeTimeoutMs')}: must be a positive number of milliseconds`);
    const service = entry.service ?? null;
    if (service !== null && (typeof service !== 'string' || !/^[A-Za-z0-9_.$ -]{1,256}$/.test(service))) {
      throw new WritersFileError(`${where('service')}: must be a service name (letters, digits, space, _ . $ -), like "SQLWriter"`);
    }
    const restoreMethod = loadRestoreMethod(entry.restoreMethod, where);
    return { name: entry.name, writerId, components, failOn, failTimes, delayMs, freezeTimeoutMs, service, restoreMethod };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function eventMap<T>(value: unknown, where: (field: string) => string, field: string, check: (value: unknown, field: string) => T): Partial<Record<WriterEvent, T>> {
  if (value === undefined) return {};
  if (!isObject(value)) throw new WritersFileError(`${where(field)}: must be an object keyed by event (${WriterEvents.join(', ')})`);
  const result: Partial<Record<WriterEvent, T>> = {};
  for (const [event, v] of Object.entries(value)) {
    if (!(WriterEvents as readonly string[]).includes(event)) throw new WritersFileError(`${where(`${field}.${event}`)}: not a writer event; the events are ${WriterEvents.join(', ')}`);
    result[event as WriterEvent] = check(v, `${field}.${event}`);
  }
  return result;
}

const ComponentFields = ['name', 'logicalPath', 'type', 'caption', 'selectable', 'files', 'databases', 'logs', 'excludedFiles'];
const FileSpecFields = ['path', 'filespec', 'recursive'];

/**
 * A writer's components: each a name, or `{ "name", "logicalPath"?, "type"? ("database" | "filegroup"), "caption"?,
 * "selectable"? (default true), "files"?, "databases"?, "logs"?, "excludedFiles"? }`, the file lists each
 * `[{ "path", "filespec"? (default "*"), "recursive"? }]`. On the emulator a path names a directory. Two components
 * with the same logical path and name are refused, as VSS's writers cannot report them.
 */
function loadComponents(value: unknown, where: (field: string) => string): ComponentDefinition[] {
  if (!Array.isArray(value)) throw new WritersFileError(`${where('components')}: must be an array of component names or objects`);
  const seen = new Set<string>();
  return value.map((item: unknown, i) => {
    const at = (field: string) => where(`components[${i}]${field ? `.${field}` : ''}`);
    const component = typeof item === 'string' ? { name: item } : item;
    if (!isObject(component)) throw new WritersFileError(`${at('')}: must be a component name or an object with "name"`);
    for (const key of Object.keys(component)) if (!ComponentFields.includes(key)) throw new WritersFileError(`${at(key)}: unknown; the fields are ${ComponentFields.join(', ')}`);
    const name = component.name;
    if (typeof name !== 'string' || name.trim() === '' || name.includes('\\')) throw new WritersFileError(`${at('name')}: must be a non-empty name without a backslash`);
    const logicalPath = component.logicalPath ?? null;
    if (logicalPath !== null && (typeof logicalPath !== 'string' || logicalPath === '' || /^\\|\\$/.test(logicalPath))) {
      throw new WritersFileError(`${at('logicalPath')}: must be a path such as "Instance\\Databases" (no leading or trailing backslash), or left out`);
    }
    const type = component.type ?? 'database';
    if (type !== 'database' && type !== 'filegroup') throw new WritersFileError(`${at('type')}: must be "database" or "filegroup"`);
    const caption = component.caption ?? null;
    if (caption !== null && typeof caption !== 'string') throw new WritersFileError(`${at('caption')}: must be a string`);
    const selectable = component.selectable ?? true;
    if (typeof selectable !== 'boolean') throw new WritersFileError(`${at('selectable')}: must be true or false`);
    const definition: ComponentDefinition = {
      ...simpleComponent(name),
      logicalPath: logicalPath as string | null,
      type,
      caption: caption as string | null,
      selectable,
      files: fileSpecs(component.files, at, 'files'),
      databases: fileSpecs(component.databases, at, 'databases'),
      logs: fileSpecs(component.logs, at, 'logs'),
      excludedFiles: fileSpecs(component.excludedFiles, at, 'excludedFiles'),
    };
    const key = componentPath(definition).toLowerCase();
    if (seen.has(key)) throw new WritersFileError(`${at('name')}: "${componentPath(definition)}" is declared twice; each component needs its own logical path and name`);
    seen.add(key);
    return definition;
  });
}

function fileSpecs(value: unknown, at: (field: string) => string, field: string): FileSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new WritersFileError(`${at(field)}: must be an array of { "path", "filespec"?, "recursive"? }`);
  return value.map((item: unknown, i) => {
    const here = (f: string) => at(`${field}[${i}]${f ? `.${f}` : ''}`);
    if (!isObject(item)) throw new WritersFileError(`${here('')}: must be an object with "path"`);
    for (const key of Object.keys(item)) if (!FileSpecFields.includes(key)) throw new WritersFileError(`${here(key)}: unknown; the fields are ${FileSpecFields.join(', ')}`);
    if (typeof item.path !== 'string' || item.path.trim() === '') throw new WritersFileError(`${here('path')}: must be a non-empty folder path`);
    const filespec = item.filespec ?? '*';
    if (typeof filespec !== 'string' || filespec === '' || /[\\/]/.test(filespec)) throw new WritersFileError(`${here('filespec')}: must be a file name pattern such as "*.mdf", without a folder`);
    const recursive = item.recursive ?? false;
    if (typeof recursive !== 'boolean') throw new WritersFileError(`${here('recursive')}: must be true or false`);
    return { path: item.path, filespec, recursive };
  });
}

const RestoreMethodFields = ['method', 'service', 'userProcedure', 'writerRestore', 'rebootRequired'];

/**
 * A writer's restore method (IVssCreateWriterMetadata::SetRestoreMethod): `{ "method", "service"?, "userProcedure"?,
 * "writerRestore"? (default "Never"), "rebootRequired"? }`. Left out, the writer declares none (GetRestoreMethod's
 * S_FALSE). StopRestoreStart and RestoreStopStart need the service to stop; RestoreToAlternateLocation needs alternate
 * location mappings, which the emulated writers cannot declare, so it is refused ("a writer error", per
 * IVssComponent::GetRestoreMetadata's page).
 */
function loadRestoreMethod(value: unknown, where: (field: string) => string): RestoreMethodDefinition | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new WritersFileError(`${where('restoreMethod')}: must be an object like { "method": "RestoreIfCanReplace" }`);
  for (const key of Object.keys(value)) if (!RestoreMethodFields.includes(key)) throw new WritersFileError(`${where(`restoreMethod.${key}`)}: unknown; the fields are ${RestoreMethodFields.join(', ')}`);
  const methods = RestoreMethods.filter((m) => m !== 'Undefined' && m !== 'RestoreToAlternateLocation');
  const method = value.method;
  if (typeof method !== 'string' || !(methods as string[]).includes(method)) throw new WritersFileError(`${where('restoreMethod.method')}: must be one of ${methods.join(', ')}`);
  const service = value.service ?? null;
  if (service !== null && (typeof service !== 'string' || service.trim() === '')) throw new WritersFileError(`${where('restoreMethod.service')}: must be a service name`);
  if ((method === 'StopRestoreStart' || method === 'RestoreStopStart') && service === null) throw new WritersFileError(`${where('restoreMethod.service')}: ${method} needs the service to stop and start`);
  const userProcedure = value.userProcedure ?? null;
  if (userProcedure !== null && typeof userProcedure !== 'string') throw new WritersFileError(`${where('restoreMethod.userProcedure')}: must be a string (the address of a document on how to restore)`);
  const writerRestore = value.writerRestore ?? 'Never';
  if (typeof writerRestore !== 'string' || !(WriterRestores as readonly string[]).includes(writerRestore) || writerRestore === 'Undefined') {
    throw new WritersFileError(`${where('restoreMethod.writerRestore')}: must be one of ${WriterRestores.filter((w) => w !== 'Undefined').join(', ')}`);
  }
  const rebootRequired = value.rebootRequired ?? false;
  if (typeof rebootRequired !== 'boolean') throw new WritersFileError(`${where('restoreMethod.rebootRequired')}: must be true or false`);
  return { method: method as RestoreMethodDefinition['method'], service: service as string | null, userProcedure: userProcedure as string | null, writerRestore: writerRestore as RestoreMethodDefinition['writerRestore'], rebootRequired };
}
