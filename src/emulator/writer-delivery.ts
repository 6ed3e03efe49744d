// The writers' side of the emulated service: each event delivered to each writer in turn (its configured delay and
// failures), every delivery journaled whole, and what a killed service left undelivered owed at the next start.
import { EmulatorPaths } from '../paths';
import { AppendLog } from './durable';
import { readJournalFile } from './journal';
import { FailedStateAt, JournalEntry, StateAfter, WriterEvent } from './model';
import { KeepsFailure, Session, WriterInstance } from './session';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WriterDelivery {
  constructor(private readonly paths: EmulatorPaths) {
    this.journalLog = new AppendLog(paths.journal, false);
  }

  /**
   * A service that died (kill -9, a crash) left its sessions without an end, possibly halfway through delivering
   * one event to its writers. Writers must not wait for ever: each writer of a session that the journal shows
   * without its own BackupShutdown gets, now, the Abort it was owed (it was prepared, and got neither BackupComplete
   * nor Abort) and its BackupShutdown, marked endedBy ServiceRestart. Decided per writer: one writer's
   * BackupShutdown says nothing of the others'.
   */
  finishInterruptedSessions(): void {
    const sessions = new Map<string, JournalEntry[]>();
    for (const entry of readJournalFile(this.paths.journal)) {
      if (!entry.sessionId) continue;
      const list = sessions.get(entry.sessionId) ?? [];
      list.push(entry);
      sessions.set(entry.sessionId, list);
    }
    for (const [sessionId, entries] of sessions) {
      const writers = new Map(entries.map((e) => [e.writerId, e]));
      const saw = (event: WriterEvent, writerId: string) => entries.some((e) => e.event === event && e.writerId === writerId);
      const last = entries[entries.length - 1]!;
      for (const w of writers.values()) {
        if (saw('BackupShutdown', w.writerId)) continue;
        const owedAbort = saw('PrepareForBackup', w.writerId) && !saw('BackupComplete', w.writerId) && !saw('Abort', w.writerId);
        for (const event of owedAbort ? (['Abort', 'BackupShutdown'] as const) : (['BackupShutdown'] as const)) {
          this.journal({
            event,
            writer: w.writer,
            writerId: w.writerId,
            instanceId: w.instanceId,
            snapshotSetId: last.snapshotSetId,
            state: 'Stable',
            error: null,
            requesterPid: w.requesterPid,
            sessionId,
            ...(event === 'BackupShutdown' ? { backupCompleteReceived: saw('BackupComplete', w.writerId), endedBy: 'ServiceRestart' as const } : {}),
          });
        }
      }
    }
  }

  private readonly journalLog: AppendLog;

  /** Journal lines not yet written (the disk was full), oldest first: written before any later line. */
  private readonly journalHeld: string[] = [];

  /**
   * One journal line, appended whole. Writing it never interrupts the delivery it records (a writer left frozen
   * would be worse than a late line): a line that cannot be written is held, in order, and written with the next
   * one once there is room, or at stop; emulator.log says when lines are held and when they are written again.
   */
  journal(entry: Omit<JournalEntry, 'time'>): void {
    this.journalHeld.push(JSON.stringify({ time: new Date().toISOString(), ...entry }));
    this.flushJournal();
  }

  /** A journal line that is not a writer's event (DiffAreaFull), held and written as the others are. */
  journalLine(entry: object): void {
    this.journalHeld.push(JSON.stringify({ time: new Date().toISOString(), ...entry }));
    this.flushJournal();
  }

  flushJournal(): void {
    const held = this.journalHeld.length;
    while (this.journalHeld.length > 0) {
      try {
        this.journalLog.append(this.journalHeld[0]!);
      } catch (e) {
        if (held === 1) process.stderr.write(`the emulated VSS service cannot write its journal ${this.paths.journal} (${(e as Error).message}); its lines are held until it can\n`);
        return;
      }
      this.journalHeld.shift();
    }
    if (held > 1) process.stderr.write(`the emulated VSS service wrote ${held} held journal line(s)\n`);
  }

  /**
   * Delivers one event to each writer in turn; a writer's handler takes its configured delay and may fail as
   * configured. Each delivery is journaled when the handler returns. Returns the writers whose handler failed.
   */
  async deliver(
    s: Session,
    event: WriterEvent,
    writers: WriterInstance[],
    extra: (w: WriterInstance) => Partial<JournalEntry> = () => ({}),
  ): Promise<WriterInstance[]> {
    const failed: WriterInstance[] = [];
    for (const writer of writers) {
      const delay = writer.definition.delayMs[event];
      if (delay) await sleep(delay);
      const delivered = (writer.deliveries[event] ?? 0) + 1;
      writer.deliveries[event] = delivered;
      const times = writer.definition.failTimes[event];
      const error = times === undefined || delivered <= times ? (writer.definition.failOn[event] ?? null) : null;
      if (error) {
        writer.state = FailedStateAt[event];
        writer.lastError = error;
        failed.push(writer);
      } else if (!KeepsFailure.has(event) || !writer.state.startsWith('Failed')) {
        writer.state = StateAfter[event];
        // A new backup's PrepareForBackup starts the writer afresh: its last failure is behind it.
        if (event === 'PrepareForBackup') writer.lastError = null;
      }
      this.journal({
        event,
        writer: writer.definition.name,
        writerId: writer.definition.writerId,
        instanceId: writer.instanceId,
        snapshotSetId: s.snapshotSetId,
        state: writer.state,
        error,
        requesterPid: s.pid,
        sessionId: s.journalId,
        ...extra(writer),
      });
    }
    return failed;
  }

  /** Journal lines not yet written, the disk being full. */
  get held(): number {
    return this.journalHeld.length;
  }

  close(): void {
    this.journalLog.close();
  }
}
