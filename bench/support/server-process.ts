/**
 * A server under test in its own process (so the load generator does not share its event
 * loop), with what the kernel knows about it: CPU time (all threads, and the main thread
 * alone) and peak resident memory (VmHWM). Linux only for those two; elsewhere they are NaN.
 *
 * Its stdout and stderr go to a file, not through a pipe to this process: PaymentServer logs a
 * line per request in production mode, and reading those (a wake-up and a string per line, up
 * to thousands a second) would make the load generator late. The server still writes every
 * line; the file's tail is kept for error messages and the file removed when it stops.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** How much of the end of a server's output is kept for error messages. */
const OUTPUT_TAIL_BYTES = 20_000;

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
  /** The output's tail once the file is gone. */
  private kept?: string;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    private readonly outputFile: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.kept = this.output();
        fs.rmSync(path.dirname(outputFile), { recursive: true, force: true });
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The last 20 kB of its stdout and stderr. */
  output(): string {
    if (this.kept !== undefined) return this.kept;
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.outputFile, 'r');
      const size = fs.fstatSync(fd).size;
      const tail = Buffer.alloc(Math.min(size, OUTPUT_TAIL_BYTES));
      fs.readSync(fd, tail, 0, tail.length, size - tail.length);
      return tail.toString('utf8');
    } catch {
      return '';
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
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
  const outputFile = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), `bench-${spec.name.replace(/\W+/g, '-')}-`)),
    'output.log',
  );
  const out = fs.openSync(outputFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, spec.args, {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env },
      stdio: spec.ipc ? ['ignore', out, out, 'ipc'] : ['ignore', out, out],
    });
  } finally {
    fs.closeSync(out); // the child has its own copy
  }
  const server = new ServerProcess(spec.name, child, outputFile);
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
