/** The measurements of `npm run bench:profile` as markdown (profile-create-payment.data.md). */
import type { ProfileSummary } from './cpu-profile';

export interface PhaseReport {
  phase: string;
  requests: number;
  latency?: { p50: number; p99: number; max: number };
  perSecond?: number;
  cpuMsPerCreate: { process: number; mainThread: number };
  cpuMsPerSecond: { process: number; mainThread: number };
  probe: ProbeResult;
  profile: ProfileSummary;
  profileFile: string;
}

export interface ProbeResult {
  seconds: number;
  eventLoopUtilization: number;
  eventLoopDelayMs: Record<string, number>;
  statements: { sql: string; count: number; ms: number; prepared: number; variants: number }[];
  slowStatements: { at: number; ms: number; sql: string }[];
  gc: {
    count: number;
    ms: number;
    longestMs: number;
    pauses: { at: number; ms: number; kind: number }[];
  };
  wal: { frames: number; checkpoints: { at: number; ms: number; frames: number; sql: string }[] };
}

export function markdown(phases: PhaseReport[], header: string): string {
  const out = [header, ''];
  // What the server burns with no requests at all (the probe's sampler and timer included),
  // taken out of each phase: the rest is the cost of the requests themselves.
  const idle = phases.find((p) => p.requests === 0)?.cpuMsPerSecond;
  const net = (p: PhaseReport, key: 'process' | 'mainThread') =>
    idle
      ? Math.round(((p.cpuMsPerSecond[key] - idle[key]) * p.probe.seconds * 100) / p.requests) / 100
      : NaN;
  out.push(
    '| phase | requests | latency p50 / p99 / max | CPU per request: all threads / main thread | … net of the idle rate | event-loop delay p50 / p99 / max | event-loop utilisation | GC: count / ms / longest | WAL: pages per request / checkpoints (longest) |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of phases) {
    const l = p.latency ? `${p.latency.p50} / ${p.latency.p99} / ${p.latency.max} ms` : '—';
    const d = p.probe.eventLoopDelayMs;
    const c = p.probe.wal.checkpoints;
    const walCell = `${p.requests > 0 ? (p.probe.wal.frames / p.requests).toFixed(1) : p.probe.wal.frames} / ${c.length}${c.length ? ` (${Math.max(...c.map((x) => x.ms))} ms)` : ''}`;
    const cpu =
      p.requests > 0
        ? `${p.cpuMsPerCreate.process} / ${p.cpuMsPerCreate.mainThread} ms`
        : `${p.cpuMsPerSecond.process} / ${p.cpuMsPerSecond.mainThread} ms per s`;
    const netCell = p.requests > 0 ? `${net(p, 'process')} / ${net(p, 'mainThread')} ms` : '—';
    out.push(
      `| ${p.phase} | ${p.requests} | ${l} | ${cpu} | ${netCell} | ${d.p50} / ${d.p99} / ${d.max} ms | ${p.probe.eventLoopUtilization} | ${p.probe.gc.count} / ${p.probe.gc.ms} / ${p.probe.gc.longestMs} ms | ${walCell} |`,
    );
  }
  for (const p of phases) {
    const busy = Math.max(1, p.profile.busyMs);
    const share = (ms: number) => `${((ms / busy) * 100).toFixed(1)} %`;
    // Sampled times are wall-clock (inflated when the machine is busy); shares are not, so each
    // share is scaled to the main thread's CPU per request measured by the kernel.
    const per = (ms: number) =>
      p.requests > 0 ? `${Math.round((ms / busy) * p.cpuMsPerCreate.mainThread * 1000)} µs` : '—';
    out.push(
      '',
      `## ${p.phase}`,
      '',
      `Sampled: ${p.profile.busyMs} ms busy, ${p.profile.idleMs} ms idle. Profile: \`${p.profileFile}\`. "≈ per request" = share of busy samples × main-thread CPU per request (${p.cpuMsPerCreate.mainThread} ms).`,
      '',
    );
    out.push(
      '| owner (innermost frame of ours or of a package) | share | ≈ per request |',
      '| --- | --- | --- |',
    );
    for (const o of p.profile.byOwner.slice(0, 22))
      out.push(`| ${o.owner} | ${share(o.ms)} | ${per(o.ms)} |`);
    out.push(
      '',
      '| function (self time) | owner | share | ≈ per request |',
      '| --- | --- | --- | --- |',
    );
    for (const f of p.profile.topFunctions.slice(0, 30))
      out.push(`| \`${f.fn}\` | ${f.owner} | ${share(f.selfMs)} | ${per(f.selfMs)} |`);
    out.push(
      '',
      '| inclusive (while on the stack) | share | ≈ per request |',
      '| --- | --- | --- |',
    );
    for (const f of p.profile.inclusive)
      out.push(`| \`${f.fn}\` | ${share(f.ms)} | ${per(f.ms)} |`);
    const total = p.probe.statements.reduce((sum, s) => sum + s.count, 0);
    const inside = p.probe.statements.reduce((sum, s) => sum + s.ms, 0);
    const prepared = p.probe.statements.reduce((sum, s) => sum + s.prepared, 0);
    const n = Math.max(1, p.requests);
    const typeorm = p.profile.byOwner.find((o) => o.owner === 'typeorm')?.ms ?? 0;
    // The main thread's CPU in this phase, shared out by the profile.
    const mainMs = p.cpuMsPerSecond.mainThread * p.probe.seconds;
    const typeormPerStatement = total > 0 ? ((typeorm / busy) * mainMs * 1000) / total : 0;
    if (p.requests > 0)
      out.push(
        '',
        `TypeORM's own JavaScript (owner typeorm) ≈ ${Math.round(typeormPerStatement)} µs per statement, against ${Math.round((inside / Math.max(1, total)) * 1000)} µs inside SQLite per statement.`,
      );
    out.push(
      '',
      `SQLite: ${total} statements (${(total / n).toFixed(1)} per request), ${Math.round(inside)} ms inside SQLite (${Math.round((inside / n) * 1000)} µs per request), ${prepared} prepared (statement-cache misses; ${(prepared / n).toFixed(2)} per request).`,
      '',
    );
    out.push(
      '| statement (numbers as #) | count | per request | µs inside SQLite, each | prepared | SQL texts |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const s of p.probe.statements.slice(0, 25)) {
      out.push(
        `| \`${s.sql.slice(0, 110)}\` | ${s.count} | ${(s.count / n).toFixed(2)} | ${Math.round((s.ms / Math.max(1, s.count)) * 1000)} | ${s.prepared} | ${s.variants} |`,
      );
    }
    const c = p.probe.wal.checkpoints;
    if (c.length > 0)
      out.push(
        '',
        `WAL checkpoints (${c.length}): ${c
          .slice(0, 12)
          .map((x) => `${x.ms} ms for ${x.frames} pages after \`${x.sql}\` at ${x.at} ms`)
          .join('; ')}.`,
      );
    const slow = p.probe.slowStatements;
    if (slow.length > 0)
      out.push(
        '',
        `Statements that took ≥ 5 ms (${slow.length}): ${slow
          .slice(0, 12)
          .map((x) => `${x.ms} ms \`${x.sql.slice(0, 40)}\` at ${x.at} ms`)
          .join('; ')}.`,
      );
    const pauses = p.probe.gc.pauses;
    if (pauses.length > 0)
      out.push(
        '',
        `GC pauses ≥ 5 ms (${pauses.length}; kind 1 scavenge, 2 minor mark-compact, 4 mark-compact, 8 incremental marking): ${pauses
          .slice(0, 12)
          .map((g) => `${g.ms} ms (kind ${g.kind}) at ${g.at} ms`)
          .join('; ')}.`,
      );
  }
  return out.join('\n') + '\n';
}
