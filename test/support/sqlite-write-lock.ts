import { ChildProcess, spawn } from 'node:child_process';

/**
 * Another connection takes SQLite's write lock on `file` and keeps it for `ms` milliseconds;
 * resolves once it holds it. A separate process: better-sqlite3 waits synchronously, so a
 * holder in the test's own process would be blocked by the server it is holding back.
 */
export async function holdWriteLock(file: string, ms: number): Promise<ChildProcess> {
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const db = new (require('better-sqlite3'))(process.argv[1]);
       db.exec('BEGIN IMMEDIATE');
       process.stdout.write('held\\n');
       setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));`,
      file,
      String(ms),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('held')) resolve();
    });
    holder.on('exit', (code) => reject(new Error(`lock holder exited (${code})`)));
  });
  return holder;
}

/** Resolves when the holder has let go of the lock and exited. */
export function released(holder: ChildProcess): Promise<unknown> {
  return holder.exitCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => holder.once('exit', resolve));
}
