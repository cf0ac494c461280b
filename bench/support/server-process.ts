/**
 * A server under test in its own process (so the load generator does not share its event
 * loop), with what the kernel knows about it: CPU time (all threads, and the main thread
 * alone) and peak resident memory (VmHWM). Linux only for those two; elsewhere they are NaN.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface ServerSpec {
  name: string;
  /** Arguments to `node` (script, flags). */
  args: string[];
  env: Record<string, string>;
  /** GET this until it answers 200. */
  readyUrl: string;
  /** Extra stdio (e.g. 'ipc' for the profiling probe). */
  ipc?: boolean;
}

export interface CpuTime {
  /** Seconds of CPU, all threads (JIT, GC helpers, libuv pool included). */
  process: number;
  /** Seconds of CPU of the JavaScript (main) thread. */
  mainThread: number;
}

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a /proc stat line, in seconds. */
function statCpu(file: string): number {
  try {
    const stat = fs.readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export class ServerProcess {
  private log = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk) => (this.log = (this.log + chunk).slice(-20_000)));
    child.stderr?.on('data', (chunk) => (this.log = (this.log + chunk).slice(-20_000)));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The last 20 kB of its stdout and stderr. */
  output(): string {
    return this.log;
  }

  cpu(): CpuTime {
    return {
      process: statCpu(`/proc/${this.pid}/stat`),
      mainThread: statCpu(`/proc/${this.pid}/task/${this.pid}/stat`),
    };
  }

  /** Peak resident set size so far, in MB. */
  peakRssMb(): number {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1];
      return kb ? Math.round(Number(kb) / 1024) : NaN;
    } catch {
      return NaN;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startServer(spec: ServerSpec, timeoutMs = 120_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, spec.args, {
    cwd: path.resolve(__dirname, '../..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env },
    stdio: spec.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const server = new ServerProcess(spec.name, child);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(spec.readyUrl)).status === 200) return server;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(`${spec.name} did not become ready:\n${server.output()}`);
}
