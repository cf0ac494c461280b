/**
 * Reads a V8 .cpuprofile (from --cpu-prof or the inspector) into the figures the findings
 * need: time per owner (the innermost frame that belongs to our code or to a package, so time
 * in Node internals counts for whoever called them), self time per function, and the inclusive
 * time of chosen functions.
 */
import * as fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Sampled milliseconds that were not idle. */
  busyMs: number;
  idleMs: number;
  byOwner: { owner: string; ms: number }[];
  topFunctions: { fn: string; owner: string; selfMs: number }[];
  inclusive: { fn: string; ms: number }[];
}

const SQLITE_NATIVE = new Set(['run', 'get', 'all', 'prepare', 'exec', 'pragma', 'iterate']);

/** Who a frame belongs to: a package, a folder of ours, Node, or V8 itself. */
export function ownerOf(frame: CallFrame): string | undefined {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'V8: garbage collector';
  if (functionName === '(program)') return 'V8: compiler, runtime (unattributed)';
  if (functionName === '(idle)') return 'idle';
  if (!url)
    return SQLITE_NATIVE.has(functionName) ? 'better-sqlite3 (native: inside SQLite)' : undefined;
  if (url.includes('/bench/profile/probe')) return 'profiling probe';
  if (url.includes('/bench/targets/')) return 'bench target (its own code)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/dist\/src\/([^/]+)\//.exec(url) ?? /\/src\/([^/]+)\//.exec(url);
  if (ours) return `PaymentServer: src/${ours[1]}`;
  if (/\/dist\/src\/[^/]+\.js$/.test(url)) return 'PaymentServer: src';
  return undefined; // node:internal and the like: the caller owns it
}

const label = (frame: CallFrame) => {
  const file = frame.url.replace(/^.*\/(node_modules|dist)\//, '').replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
};

export function summarize(file: string, inclusiveOf: RegExp[] = []): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  const owners = new Map<string, number>();
  const selfTime = new Map<string, { owner: string; ms: number }>();
  const inclusive = new Map<string, number>();
  const ownerCache = new Map<number, string>();
  const resolveOwner = (id: number): string => {
    const cached = ownerCache.get(id);
    if (cached) return cached;
    let current: number | undefined = id;
    let owner = 'Node.js internals';
    while (current !== undefined) {
      const found = ownerOf(byId.get(current)!.callFrame);
      if (found) {
        owner = found;
        break;
      }
      current = parent.get(current);
    }
    ownerCache.set(id, owner);
    return owner;
  };

  let idleMs = 0;
  let busyMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const id = profile.samples[i];
    const owner = resolveOwner(id);
    if (owner === 'idle') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    const frame = byId.get(id)!.callFrame;
    const key = label(frame);
    const entry = selfTime.get(key) ?? { owner, ms: 0 };
    entry.ms += ms;
    selfTime.set(key, entry);
    // Inclusive: count the sample once per pattern if any frame on its stack matches.
    const seen = new Set<RegExp>();
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parent.get(current)
    ) {
      const name = label(byId.get(current)!.callFrame);
      for (const pattern of inclusiveOf) {
        if (!seen.has(pattern) && pattern.test(name)) {
          seen.add(pattern);
          inclusive.set(pattern.source, (inclusive.get(pattern.source) ?? 0) + ms);
        }
      }
    }
  }
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    busyMs: round(busyMs),
    idleMs: round(idleMs),
    byOwner: [...owners.entries()]
      .map(([owner, ms]) => ({ owner, ms: round(ms) }))
      .sort((a, b) => b.ms - a.ms),
    topFunctions: [...selfTime.entries()]
      .map(([fn, s]) => ({ fn, owner: s.owner, selfMs: round(s.ms) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, 40),
    inclusive: inclusiveOf.map((p) => ({ fn: p.source, ms: round(inclusive.get(p.source) ?? 0) })),
  };
}
