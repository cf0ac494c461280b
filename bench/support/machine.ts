import * as fs from 'node:fs';
import * as os from 'node:os';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

export const describeMachine = (m: Machine) =>
  `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}`;

/** The 1-minute load average, rounded: other work on the machine shows up here. */
export const loadAverage = () => Math.round(os.loadavg()[0] * 100) / 100;

/** The machine's CPU time counters since boot (Linux /proc/stat), or null elsewhere. */
export interface CpuTimes {
  steal: number;
  total: number;
}

export function cpuTimes(): CpuTimes | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // user nice system idle iowait irq softirq steal (guest time is already in user and nice)
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return null;
    return { steal: fields[7], total: fields.reduce((sum, n) => sum + n, 0) };
  } catch {
    return null;
  }
}

/**
 * The share of all CPU time the hypervisor took between two readings (steal), in percent: on a
 * virtual machine a run can be slowed by work that no load average here shows.
 */
export function stolenPercent(before: CpuTimes | null, after: CpuTimes | null): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return Math.round(((after.steal - before.steal) / (after.total - before.total)) * 1000) / 10;
}
