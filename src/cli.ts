// The vss-session executable's entry: it parses arguments, maps them onto typed options and hands over.
// Nothing here loads .NET; only commands that make VSS calls do, through requester/interop.
import type { Argv } from 'yargs';
import { version } from '../package.json';
import { BackupTypeName, BackupTypes, ContextName, Contexts } from './defaults';
import { ExitCode, exitCodeHelp } from './exit-codes';
import { registerMembarrierEarly } from './requester/membarrier';
import { RuntimeUnavailable } from './requester/runtime';
import { isGuid, isPersistentContext, persistentContextList } from './vss';
import { VssError, vssError } from './vss-error';

type Output = { json: boolean };

function print(value: unknown, { json }: Output, human: (v: any) => string): void {
  process.stdout.write(json ? JSON.stringify(value) + '\n' : human(value) + '\n');
}

function fail(error: unknown, json: boolean): never {
  if (error instanceof VssError) {
    if (json) process.stdout.write(JSON.stringify({ error: error.toJSON() }) + '\n');
    process.stderr.write(`vss-session: ${error.vssName} (${error.hresult}): ${error.message}\n`);
    process.exit(error.vssName === RuntimeUnavailable.name ? ExitCode.runtimeUnavailable : ExitCode.vssError);
  }
  process.stderr.write(`vss-session: ${(error as Error)?.message ?? String(error)}\n`);
  // The emulated service refusing this client, or failing to start, is exit code 3 as --help says.
  const unavailable = error instanceof Error && (error.name === 'ServiceRefused' || /^the emulated VSS service did not start/.test(error.message));
  process.exit(unavailable ? ExitCode.emulatorUnavailable : ExitCode.internal);
}

async function run<T extends Output>(argv: T, action: (argv: T) => Promise<void>): Promise<void> {
  // Output piped into a reader that stops early (`| head`) is dropped from then on, instead of an unhandled EPIPE
  // killing the command midway: a backup still ends with Release, a delete still finishes. (Not in host mode:
  // there a closed stdout is the client going away, which the host answers by ending its backup.)
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
  try {
    await action(argv);
  } catch (e) {
    fail(e, argv.json);
  }
}

const DurationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A lifetime such as `90` (seconds), `30m`, `2h` or `7d`, in milliseconds; or what is wrong with it. */
function parseDuration(text: string): number | string {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * DurationUnits[match[2] ?? 's']! : NaN;
  if (!(ms >= 1 && ms <= 10 * 365 * DurationUnits.d!)) return `--expires-after takes a duration such as 3600 (seconds), 30m, 2h or 7d, up to 10 years, not ${JSON.stringify(text)}`;
  return Math.round(ms);
}

/** The commands that load .NET (edge-js, CoreCLR) to make VSS calls; the others (emulator, --help) never do. */
const DotnetCommands = new Set(['host', 'backup', 'writers', 'providers', 'shadowstorage', 'snapshots', 'dsc']);

const jsonOption = { json: { type: 'boolean', default: false, describe: 'Print JSON' } } as const;

async function main(): Promise<void> {
  // `--version` is what scripts and monitoring call most: answered before the argument parser is even loaded.
  if (process.argv.length === 3 && process.argv[2] === '--version') {
    process.stdout.write(`${version}\n`);
    return;
  }
  // The commands that make VSS calls load .NET: its start is under way before the argument parser is loaded.
  if (DotnetCommands.has(process.argv[2] ?? '')) registerMembarrierEarly();
  // `host` is how the module starts every backup and pipeline: it takes no options, so it starts without the parser
  // too (the host's start is a benchmarked goal). `vss-session host --help` still goes through yargs below.
  if (process.argv.length === 3 && process.argv[2] === 'host') {
    const { runHost } = await import('./host/main');
    return runHost();
  }
  const { default: yargs } = await import('yargs');
  await yargs(process.argv.slice(2))
    .scriptName('vss-session')
    .wrap(null)
    .version(version)
    .usage('$0 <command>\n\nThe requester side of the Volume Shadow Copy Service: real VSS on Windows, an emulated VSS service elsewhere.')
    .command('host', 'Serve one backup session as JSON-RPC 2.0 on stdin/stdout (used by the PowerShell module)', {}, async () => {
      const { runHost } = await import('./host/main');
      await runHost();
    })
    .command('backup', 'Take one whole backup: snapshot, optionally run a command against the snapshots, BackupComplete, Release', (y: Argv) =>
      y.options({
        ...jsonOption,
        volume: { type: 'string', array: true, demandOption: true, describe: 'Volume to snapshot (on the emulator: a directory)' },
        context: { choices: Contexts, default: 'Backup' as ContextName },
        'backup-type': { choices: BackupTypes, default: 'Copy' as BackupTypeName },
        'exclude-writer': {
          type: 'string',
          array: true,
          describe: 'A writer (name or id) kept out of the backup: it gets no event at all; repeatable. A name no writer has is an error',
        },
        'include-writer': {
          type: 'string',
          array: true,
          describe: 'A writer (name or id) to take part; repeatable. Only the writers named take part; a name no writer has is an error',
        },
        exec: {
          type: 'string',
          describe:
            'A command for the platform shell, run while the snapshots exist, with VSS_SNAPSHOT_SET_ID, VSS_SNAPSHOT_PATH (the first snapshot) and ' +
            'VSS_SNAPSHOT_PATHS (all, joined by the path delimiter) set; BackupComplete is sent only if it exits 0, and its exit code becomes ours. ' +
            "With --json its stdout goes to stderr.",
        },
        policy: {
          choices: ['required', 'best-effort'] as const,
          default: 'required' as const,
          describe:
            'When no snapshot can be made: required fails before the command runs; best-effort warns on stderr and runs the command against the live volumes ' +
            '(VSS_SNAPSHOT_PATH(S) name the volumes, VSS_SNAPSHOT_LIVE=1, no BackupComplete) if the cause is one VSS or the machine imposes: not elevated, ' +
            'a 32-bit process, a volume VSS cannot snapshot, a phase time limit, a writer or provider failure, another set in progress. ' +
            'A missing path, bad arguments and a failure of the command itself are never relaxed.',
        },
        document: {
          type: 'string',
          describe:
            'Save the Backup Components Document (SaveAsXML), which a later restore needs, to this file: staged before BackupComplete (a document that ' +
            'cannot be saved fails the backup before BackupComplete is sent), put in place after it, never half written',
        },
        'expires-after': {
          type: 'string',
          describe: `A persistent set's lifetime (--context ${persistentContextList}): seconds, or e.g. 30m, 2h, 7d; then 'snapshots list --orphaned' lists it`,
        },
      }).check((a) => {
        if (a['expires-after'] === undefined) return true;
        const parsed = parseDuration(a['expires-after']);
        if (typeof parsed === 'string') return parsed;
        return isPersistentContext(a.context) || `--expires-after applies to persistent snapshot sets only (--context ${persistentContextList}); a ${a.context} set ends with its backup anyway`;
      }), (argv) => run(argv, async (a) => {
        const { backupOnce, formatBackup } = await import('./commands');
        const { report, exitCode } = await backupOnce(a.volume as string[], {
          context: a.context as ContextName,
          backupType: a['backup-type'] as BackupTypeName,
          exec: a.exec,
          json: a.json,
          document: a.document,
          excludeWriters: a['exclude-writer'] as string[] | undefined,
          includeWriters: a['include-writer'] as string[] | undefined,
          policy: a.policy === 'best-effort' ? 'BestEffort' : 'Required',
          expiresAfterMs: a['expires-after'] === undefined ? undefined : (parseDuration(a['expires-after']) as number),
        });
        if (report) print(report, a, formatBackup);
        else process.stderr.write('vss-session: interrupted before the snapshot set was made; the backup was released\n');
        process.exitCode = exitCode;
      }))
    .command('writers', 'List the VSS writers with their state and last error (begins a backup only to ask, then releases it)', (y: Argv) =>
      y.options({
        ...jsonOption,
        detailed: { type: 'boolean', default: false, describe: "Each writer's metadata in full: components with their files, databases and logs, excluded files and restore method (vshadow -wm)" },
      }), (argv) => run(argv, async (a) => {
        const { listWriters, formatWriters } = await import('./commands');
        print(await listWriters({ detailed: a.detailed as boolean }), a, formatWriters);
      }))
    .command('shadowstorage <action>', 'List, add, resize (set) or delete the shadow storage of volumes (IVssDifferentialSoftwareSnapshotMgmt), as vssadmin list|add|resize|delete shadowstorage do', (y: Argv) =>
      y.positional('action', { choices: ['list', 'set', 'add', 'delete'] as const, demandOption: true })
        .options({
          ...jsonOption,
          volume: { type: 'string', describe: 'The volume whose shadow copies the storage holds (vssadmin /For); list takes it optionally' },
          'diff-area-volume': { type: 'string', describe: 'The volume the storage is on (vssadmin /On); add needs it, set and delete find it' },
          'max-size': { type: 'string', describe: "The storage's maximum: bytes (320MB, 10GB), a percentage of the storage volume ('10%'), or UNBOUNDED; add defaults to UNBOUNDED. Lowering it below what is used deletes the oldest shadow copies" },
        })
        .check((a) => {
          if (a.action !== 'list' && !a.volume) return `shadowstorage ${a.action} needs --volume`;
          if (a.action === 'add' && !a['diff-area-volume']) return 'shadowstorage add needs --diff-area-volume (the volume the storage goes on)';
          if (a.action === 'set' && !a['max-size']) return 'shadowstorage set needs --max-size';
          return true;
        }), (argv) => run(argv, async (a) => {
        const { shadowStorage, formatShadowStorage } = await import('./commands');
        print(await shadowStorage(a.action as 'list' | 'set' | 'add' | 'delete', { volume: a.volume, diffAreaVolume: a['diff-area-volume'], maxSize: a['max-size'] }), a, formatShadowStorage);
      }))
    .command('providers', 'List the shadow copy providers installed (Query with VSS_OBJECT_PROVIDER), as vssadmin list providers does', (y: Argv) =>
      y.options({ ...jsonOption }), (argv) => run(argv, async (a) => {
        const { listProviders, formatProviders } = await import('./commands');
        print(await listProviders(), a, formatProviders);
      }))
    .command('volume <paths..>', 'Show the volume VSS would snapshot for each path (on Windows GetVolumePathNameW, then GetVolumeNameForVolumeMountPointW) and the path\'s place on it; sends nothing to VSS', (y: Argv) =>
      y.positional('paths', { type: 'string', array: true, demandOption: true }).options({ ...jsonOption }), (argv) => run(argv, async (a) => {
        const { resolveVolumes, formatVolumes } = await import('./commands');
        print(await resolveVolumes(a.paths as string[]), a, formatVolumes);
      }))
    .command('snapshots <action>', 'List or delete snapshot sets (DeleteSnapshots); --orphaned: only the persistent sets vss-session made that expired or whose creator died', (y: Argv) =>
      y.positional('action', { choices: ['list', 'delete'] as const, demandOption: true })
        .options({
          ...jsonOption,
          'snapshot-set-id': { type: 'string', array: true, describe: 'The snapshot set (a GUID); delete takes several' },
          'snapshot-id': { type: 'string', array: true, describe: 'One snapshot (a GUID), for delete; several may be given' },
          force: { type: 'boolean', default: false, describe: "DeleteSnapshots' force flag" },
          orphaned: {
            type: 'boolean',
            describe: 'Only the orphans: persistent sets vss-session recorded that are past --expires-after, or whose creator died without closing its backup (delete: DeleteSnapshots, no writer event; sets other tools made are never touched)',
          },
        }).conflicts('orphaned', ['snapshot-set-id', 'snapshot-id'])
        // A malformed id is a wrong command line (exit 2), found before any VSS call; an id VSS does not know is not.
        .check((a) => {
          const bad = [...((a['snapshot-set-id'] as string[] | undefined) ?? []), ...((a['snapshot-id'] as string[] | undefined) ?? [])].find((id) => !isGuid(id));
          return bad === undefined || `${JSON.stringify(bad)} is not a snapshot or snapshot set id: a GUID like 00000000-0000-0000-0000-000000000000`;
        }), (argv) => run(argv, async (a) => {
        const commands = await import('./commands');
        if (a.orphaned) {
          if (a.action === 'list') print(await commands.listOrphans(), a, commands.formatOrphans);
          else print(await commands.deleteOrphans(a.force), a, (r) => `deleted ${r.deleted} snapshot(s) of ${r.snapshotSets.length} orphaned set(s)${r.snapshotSets.map((s: { snapshotSetId: string; orphanReason: string }) => `\n  ${s.snapshotSetId}  ${s.orphanReason}`).join('')}`);
        } else if (a.action === 'list') {
          if ((a['snapshot-set-id']?.length ?? 0) > 1) throw vssError('E_INVALIDARG', 'list takes at most one --snapshot-set-id');
          print(await commands.listSets(a['snapshot-set-id']?.[0]), a, commands.formatSets);
        }
        else print(await commands.deleteSets({ snapshotSetId: a['snapshot-set-id'], snapshotId: a['snapshot-id'], force: a.force }), a, (r) => `deleted ${r.deleted}`);
      }))
    .command('dsc <operation>', 'The DSC v3 command resource VssSession/SnapshotRetention (manifest beside this executable): the instance as JSON on stdin, JSON Lines on stdout', (y: Argv) =>
      y.positional('operation', { choices: ['get', 'set', 'test', 'export'] as const, demandOption: true }), (argv) => run({ ...argv, json: false }, async (a) => {
        const { runDsc } = await import('./dsc/operations');
        await runDsc(a.operation);
      }))
    .command('emulator <action>', 'Control the emulated VSS service: start, stop, status, journal', (y: Argv) =>
      y.positional('action', { choices: ['start', 'stop', 'status', 'journal', 'serve'] as const, demandOption: true })
        .options({ ...jsonOption }), (argv) => run(argv, async (a) => {
        const commands = await import('./emulator/commands');
        await commands.emulatorCommand(a.action, a.json);
      }))
    .demandCommand(1, 'Name a command; see --help.')
    .strict()
    .recommendCommands()
    .fail((message, error, y) => {
      // A check's own message arrives as a string: a usage error, not a failure of ours.
      if (error instanceof Error) fail(error, false);
      process.stderr.write(`vss-session: ${message.replace(/\s*\n\s*/g, ' ')} (see 'vss-session --help')\n`);
      void y;
      process.exit(ExitCode.usage);
    })
    .help()
    .epilogue(exitCodeHelp())
    .parseAsync();
}

void main();
