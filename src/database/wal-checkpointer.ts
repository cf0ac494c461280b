import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints; PASSIVE never waits for (nor blocks) the writer. */
export const WAL_CHECKPOINT_INTERVAL_MS = 250;
/** WAL frames (4 KiB pages) beyond which a tick restarts the WAL: at most ~64 MiB on disk. */
export const WAL_RESTART_FRAMES = 16_384;

/**
 * The worker's code, kept inline so it runs the same from `src/` (ts-jest) and `dist/`.
 * Every tick: a PASSIVE checkpoint (copies committed frames into the database file while the
 * main connection keeps writing). When a tick finds nothing new and everything copied, the
 * server is idle and a TRUNCATE resets the WAL file to zero bytes.
 *
 * Under steady writes PASSIVE alone never lets the WAL start over: the writer may only reuse
 * the file from its beginning once every frame has been copied, and by the time a checkpoint
 * ends new frames have been appended. The file then grew by ~70 KiB per payment, without end
 * (890 MB after 20 s of load). So past WAL_RESTART_FRAMES a RESTART follows the PASSIVE: it
 * holds new writers back while it copies the few frames PASSIVE left (a few ms), then the next
 * commit writes from the start of the file again. It gives up after its own 50 ms busy timeout
 * rather than wait behind a long transaction, and tries again on the next tick.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 50');
let lastLog = -1;
let stopping = false;
const checkpoint = (mode) => db.pragma('wal_checkpoint(' + mode + ')')[0];
const tick = () => {
  if (stopping) return;
  try {
    const r = checkpoint('PASSIVE');
    if (r.log >= workerData.restartFrames) {
      checkpoint('RESTART');
      lastLog = -1;
    } else if (r.log > 0 && r.busy === 0 && r.checkpointed === r.log && r.log === lastLog) {
      checkpoint('TRUNCATE');
      lastLog = 0;
    } else {
      lastLog = r.log;
    }
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
let timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  stopping = true;
  clearTimeout(timer);
  try { checkpoint('PASSIVE'); } catch {}
  db.close();
  parentPort.close();
});
`;

/**
 * SQLite only: the main connection runs with `wal_autocheckpoint = 0`, so no request's COMMIT
 * ever copies the WAL into the database file (that stalled the event loop for 85–155 ms every
 * few hundred creates). This worker thread does it instead, on a connection of its own.
 */
export class WalCheckpointer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('WalCheckpointer');
  private worker?: Worker;

  constructor(
    private readonly file: string,
    private readonly intervalMs = WAL_CHECKPOINT_INTERVAL_MS,
    private readonly restartFrames = WAL_RESTART_FRAMES,
  ) {}

  onModuleInit(): void {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file: this.file,
        driver: require.resolve('better-sqlite3'),
        intervalMs: this.intervalMs,
        restartFrames: this.restartFrames,
      },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    worker.on('message', (m: { error?: string }) => {
      if (m.error) this.logger.warn({ msg: 'WAL checkpoint failed', error: m.error });
    });
    worker.on('error', (error) =>
      this.logger.error({ msg: 'WAL checkpointer stopped', error: error.message }),
    );
    worker.unref();
    this.worker = worker;
  }

  /** Stops the timer, runs a last checkpoint and closes the worker's connection. */
  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), 2000).unref(),
    );
    if ((await Promise.race([exited, timeout])) === 'timeout') await worker.terminate();
  }
}
