import * as fs from 'node:fs';
import * as net from 'node:net';
import { createMessageConnection, SocketMessageReader, SocketMessageWriter } from 'vscode-jsonrpc/node';
import { defaults } from '../defaults';
import { emulatorPaths, EmulatorPaths, ensureHome, selfCommand, sessionHome } from '../paths';
import { readJournalFile } from './journal';
import { JournalEntry } from './model';

export interface ServiceStatus {
  pid: number;
  home: string;
  socket: string;
  startedAt: string;
  clients: number;
  snapshots: number;
  writers: { name: string; writerId: string; instanceId: string; state: string; service: string | null }[];
}

export function pathsFor(home = sessionHome()): EmulatorPaths {
  return emulatorPaths(home);
}

/** Sends one request to the running service; rejects when nothing listens. */
export function request<T>(paths: EmulatorPaths, method: string, params: object = {}): Promise<T> {
  return requestAt<T>(paths.socket, method, params);
}

/** Sends one request to the service listening at a socket (or named pipe). */
export async function requestAt<T>(socketPath: string, method: string, params: object = {}): Promise<T> {
  const socket = await connect(socketPath);
  // A service that will not serve this connection (it has as many clients as it serves) says why in an error with no
  // id, then closes: that reason, not the broken pipe after it, is what the caller reports.
  let refusal: string | null = null;
  socket.on('data', (data: Buffer) => {
    refusal ??= /"id":null,"error":\{[^}]*"message":"((?:[^"\\]|\\.)*)"/.exec(data.toString('utf8'))?.[1]?.replace(/\\"/g, '"') ?? null;
  });
  socket.on('error', () => undefined); // the request fails on its own (the connection closes); never an uncaught EPIPE
  const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  connection.listen();
  // A connection closed before the answer fails the request at once (the reader alone would leave it pending).
  const closed = new Promise<never>((_, reject) => socket.once('close', () => reject(new Error(`the emulated VSS service at ${socketPath} closed the connection during ${method}`))));
  closed.catch(() => undefined);
  try {
    return (await Promise.race([connection.sendRequest(method, params), closed])) as T;
  } catch (e) {
    throw refusal ? new ServiceRefused(refusal) : e;
  } finally {
    connection.dispose();
    socket.destroy();
  }
}

/** The service answered, but would not serve this connection: it is running, so "start it" is not the advice. */
export class ServiceRefused extends Error {
  override readonly name = 'ServiceRefused';
}

function connect(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

export async function status(paths: EmulatorPaths): Promise<ServiceStatus | null> {
  try {
    return await request<ServiceStatus>(paths, 'service.status');
  } catch (e) {
    if (e instanceof ServiceRefused) throw e;
    return null;
  }
}

/**
 * Whether the service listens: a connection to its socket is accepted (nothing is asked of it). The socket lives in
 * the session's own folder, which ensureHome checks first, so what listens there is the service.
 */
function listening(paths: EmulatorPaths): Promise<boolean> {
  return connect(paths.socket).then(
    (socket) => {
      socket.destroy();
      return true;
    },
    () => false,
  );
}

/**
 * ensureRunning for a caller that only needs the service there (a requester): when its socket accepts a connection,
 * that is all, without a status request (which costs the service a count of its snapshots and writers, and every
 * host start the exchange). The connection is made at once, so it overlaps whatever the caller does next.
 */
export async function ensureListening(paths: EmulatorPaths): Promise<void> {
  ensureHome(paths.home); // checked before anything in it is trusted, the socket included
  if (await listening(paths)) return;
  await ensureRunning(paths);
}

/**
 * Starts the service if it is not running, detached from this process's stdin/stdout/stderr (its output
 * goes to emulator.log), and waits until it listens. A lock file keeps two starters from racing.
 */
export async function ensureRunning(paths: EmulatorPaths): Promise<ServiceStatus> {
  ensureHome(paths.home); // checked before anything in it is trusted, the socket included
  const running = await status(paths);
  if (running) return running;
  // Loaded only to start the service: a host that finds it running (the usual case) never needs them.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const lockfile = require('proper-lockfile') as typeof import('proper-lockfile');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const release = await lockfile.lock(paths.lockTarget, { realpath: false, stale: 15_000, retries: { retries: 100, minTimeout: 20, maxTimeout: 200 } });
  try {
    const again = await status(paths);
    if (again) return again;
    const log = fs.openSync(paths.log, 'a', 0o600);
    const command = selfCommand(['emulator', 'serve']);
    const child = spawn(command.file, command.args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, VSS_SESSION_HOME: paths.home },
      windowsHide: true,
    });
    child.unref();
    fs.closeSync(log);
    const deadline = Date.now() + defaults.emulatorStartTimeoutMs;
    while (Date.now() < deadline) {
      const started = await status(paths);
      if (started) return started;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const reason =
      lastLine(paths.log) ||
      (child.exitCode === null ? `it did not listen within ${defaults.emulatorStartTimeoutMs / 1000} s` : `it exited with code ${child.exitCode}`) +
        (diskIsFull(paths.home) ? ` and could not say why: the disk under ${paths.home} is full (its log ${paths.log} is there). Free space there and retry` : `; see ${paths.log}`);
    throw new Error(`the emulated VSS service did not start: ${reason.replace(/^emulated VSS service not started: /, '')}`);
  } finally {
    await release();
  }
}

/** Stops the service and waits for it to exit; resolves false when none was running. */
export async function stop(paths: EmulatorPaths): Promise<boolean> {
  const running = await status(paths);
  if (!running) return false;
  await request(paths, 'service.stop');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (!isAlive(running.pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the emulated VSS service (pid ${running.pid}) did not exit within 5 s`);
}

function diskIsFull(dir: string): boolean {
  try {
    return fs.statfsSync(dir).bavail === 0;
  } catch {
    return false;
  }
}

function lastLine(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').pop();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The journal's entries, oldest first. */
export function readJournal(paths: EmulatorPaths): JournalEntry[] {
  return readJournalFile(paths.journal);
}
