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
