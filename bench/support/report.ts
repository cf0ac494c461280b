/**
 * The printed table and the files in bench/results/: `<date>-<database>.json` (everything
 * measured) and `<date>-<database>.md` (the tables). A later run on the same day and database
 * replaces only the scenarios it ran.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CreatePaymentResult, TargetResult } from '../scenarios/create-payment.scenario';
import { WEBHOOK_GOAL_PER_SECOND, WebhookIntakeResult } from '../scenarios/webhook-intake.scenario';
import { NotificationsResult, RABBITMQ_GOAL_PER_SECOND } from '../scenarios/notifications.scenario';
import type { ScaleOutResult } from '../scenarios/scale-out.scenario';
import { describeMachine, Machine } from './machine';

/** When and under what load (1-minute load average before and after) a scenario ran. */
export interface Conditions {
  measuredAt: string;
  loadAverage: { before: number; after: number };
  /** CPU time the hypervisor took meanwhile (steal), in percent; null where it cannot be read. */
  cpuStolenPercent?: number | null;
}

export interface BenchReport {
  date: string;
  database: string;
  machine: Machine;
  createPayment?: CreatePaymentResult & Conditions;
  webhookIntake?: WebhookIntakeResult & Conditions;
  notifications?: NotificationsResult & Conditions;
  scaleOut?: ScaleOutResult & Conditions;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (a: number, b: number) => `${Math.round((a / b) * 100)} %`;
const ms = (n: number) => (Number.isFinite(n) ? String(n) : 'n/a');

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
}

const perCpuSecond = (t: TargetResult) => 1000 / t.cpuMsPerCreate.peak.process;
const cpuRow = (t: TargetResult, of: 'process' | 'mainThread') => {
  const { peak, halfRate, sequential } = t.cpuMsPerCreate;
  return `${ms(peak[of])} / ${halfRate ? ms(halfRate[of]) : '—'} / ${ms(sequential[of])} ms`;
};

/** How many failed, and how (`no answer` or the status), e.g. `2 (no answer: 1, 503: 1)`. */
function failedRequests(phases: { failed: number; failures?: Record<number, number> }[]): string {
  const total = phases.reduce((sum, phase) => sum + phase.failed, 0);
  const byStatus = new Map<string, number>();
  for (const phase of phases)
    for (const [status, count] of Object.entries(phase.failures ?? {})) {
      const label = status === '0' ? 'no answer' : status;
      byStatus.set(label, (byStatus.get(label) ?? 0) + count);
    }
  if (byStatus.size === 0) return String(total);
  return `${total} (${[...byStatus].map(([label, count]) => `${label}: ${count}`).join(', ')})`;
}

function createPaymentTable(result: CreatePaymentResult): string {
  const [raw, nest, ps] = result.targets;
  const row = (label: string, value: (t: TargetResult) => string, goal = '') => [
    label,
    ...result.targets.map(value),
    goal,
  ];
  // Requests still in flight when a closed-loop phase stops are stored but not counted.
  const stored = (t: TargetResult) =>
    t.paymentsStored >= t.created ? 'all' : `${t.paymentsStored} of ${t.created}`;
  return table(
    ['', ...result.targets.map((t) => t.label), 'goal for PaymentServer'],
    [
      row('create-payment throughput', (t) => `${int(t.peak.perSecond)}/s`, '≥ 1,000/s'),
      [
        'PaymentServer as a share of it',
        pct(ps.peak.perSecond, raw.peak.perSecond),
        pct(ps.peak.perSecond, nest.peak.perSecond),
        '—',
        '≥ 90 % of minimal NestJS',
      ],
      row(
        `p50 / p99 at peak (${result.connections} connections)`,
        (t) => `${ms(t.peak.p50)} / ${ms(t.peak.p99)} ms`,
      ),
      row(
        'p50 / p99 at half the peak rate (open loop)',
        (t) =>
          `${ms(t.halfRate.p50)} / ${ms(t.halfRate.p99)} ms at ${int(t.halfRate.rate)}/s` +
          // Older result files have no such field.
          ((t.halfRate.generatorLateP99 ?? 0) > 2
            ? ` (the load generator itself was up to ${t.halfRate.generatorLateP99} ms late)`
            : ''),
        'p99 ≤ 40 ms',
      ),
      row(
        'one create, no concurrency (p50 / p99)',
        (t) => `${ms(t.sequential.p50)} / ${ms(t.sequential.p99)} ms`,
        'p50 ≤ 2 ms',
      ),
      row('server CPU per create: at peak / at half the peak rate / sequential', (t) =>
        cpuRow(t, 'process'),
      ),
      row('… of it on the main thread', (t) => cpuRow(t, 'mainThread')),
      // Near 100 % the half-rate tail is a queue behind the server's own work, not the host's.
      row('main thread busy at half the peak rate', (t) =>
        t.cpuMsPerCreate.halfRate
          ? `${Math.round((t.cpuMsPerCreate.halfRate.mainThread * t.halfRate.perSecond) / 10)} %`
          : '—',
      ),
      // CPU time per create hardly moves when other work shares the machine; throughput does.
      row('creates per CPU-second at peak (1000 ms ÷ CPU per create)', (t) => int(perCpuSecond(t))),
      [
        'PaymentServer as a share of it, by CPU cost',
        pct(perCpuSecond(ps), perCpuSecond(raw)),
        pct(perCpuSecond(ps), perCpuSecond(nest)),
        '—',
        '≥ 90 % of minimal NestJS',
      ],
      row('peak RSS', (t) => `${ms(t.peakRssMb)} MB`, '≤ 250 MB'),
      row(
        'failed requests (all phases)',
        (t) => failedRequests([t.peak, t.halfRate, t.sequential]),
        '0',
      ),
      row('201s stored as payments', stored, 'all'),
    ],
  );
}

function webhookTable(result: WebhookIntakeResult): string {
  return table(
    ['', 'PaymentServer', 'goal'],
    [
      [
        'verified `test` webhooks',
        `${int(result.perSecond)}/s`,
        `≥ ${int(WEBHOOK_GOAL_PER_SECOND)}/s`,
      ],
      [
        `p50 / p99 (${result.connections} connections)`,
        `${ms(result.p50)} / ${ms(result.p99)} ms`,
        '',
      ],
      ['server CPU per webhook', `${ms(result.cpuMsPerWebhook)} ms`, ''],
      [
        'webhooks per CPU-second (1000 ms ÷ CPU per webhook)',
        int(1000 / result.cpuMsPerWebhook),
        '',
      ],
      ['peak RSS', `${ms(result.peakRssMb)} MB`, ''],
      ['failed requests', String(result.failed), '0'],
      ['payments paid / webhooks sent', `${result.paymentsPaid} / ${result.sent}`, 'all'],
    ],
  );
}

function notificationsTable(result: NotificationsResult): string {
  const cell = (c: NotificationsResult['http']) =>
    c.eventsPerSecond === null ? `skipped: ${c.skipped}` : `${int(c.eventsPerSecond)}/s`;
  const cpu = (c: NotificationsResult['http']) =>
    c.cpuMsPerEvent === null
      ? '—'
      : `${c.cpuMsPerEvent} ms (${int(1000 / c.cpuMsPerEvent)} per CPU-second)`;
  return table(
    ['', 'events delivered', 'server CPU per event', 'goal'],
    [
      [
        'RabbitMQ, publisher confirms',
        cell(result.rabbitmq),
        cpu(result.rabbitmq),
        `≥ ${int(RABBITMQ_GOAL_PER_SECOND)}/s`,
      ],
      ['HTTP webhooks (Standard Webhooks)', cell(result.http), cpu(result.http), ''],
    ],
  );
}

function scaleOutTable(result: ScaleOutResult): string {
  return table(
    ['instances', 'creates/s', 'p50 ms', 'p99 ms', 'failed', '201s / rows stored¹', 'peak RSS MB'],
    result.runs.map((r) => [
      String(r.instances),
      int(r.perSecond),
      ms(r.p50),
      ms(r.p99),
      int(r.failed),
      `${int(r.created)} / ${int(r.paymentsStored)}`,
      r.peakRssMb.join(', '),
    ]),
  );
}

const conditions = (c: Conditions) =>
  `measured ${c.measuredAt}, load average ${c.loadAverage.before} before / ${c.loadAverage.after} after` +
  (c.cpuStolenPercent == null
    ? ''
    : `, ${c.cpuStolenPercent} % of the CPU time taken by the hypervisor (steal)`);

export function renderMarkdown(report: BenchReport): string {
  const parts = [
    `# Benchmark ${report.date}, ${report.database}`,
    '',
    `Machine: ${describeMachine(report.machine)}.`,
    '',
  ];
  if (report.createPayment) {
    const c = report.createPayment;
    parts.push(
      '## Create payment',
      '',
      `${c.seconds} s per phase, production mode, test provider, no notification endpoints; ${conditions(c)}.`,
      '',
      createPaymentTable(c),
      '',
    );
  }
  if (report.webhookIntake) {
    const w = report.webhookIntake;
    parts.push(
      '## Webhook intake',
      '',
      `${int(w.webhooks)} webhooks, each \`paid\` for its own pending payment; ${conditions(w)}.`,
      '',
      webhookTable(w),
      '',
    );
  }
  if (report.notifications) {
    const n = report.notifications;
    parts.push(
      '## Notification delivery',
      '',
      `${int(n.events)} events drained from a full outbox; ${conditions(n)}.`,
      '',
      notificationsTable(n),
      '',
    );
  }
  if (report.scaleOut) {
    const o = report.scaleOut;
    parts.push(
      '## Scale-out',
      '',
      `Create-payment through nginx (deploy/compose/nginx.conf) in front of 1, then 3 instances on one ${o.database} database, ${o.connections} connections, ${o.seconds} s; ${conditions(o)}. Three instances over one: **${o.ratio}×**.`,
      '',
      scaleOutTable(o),
      '',
      '¹ Rows ≥ 201s: nothing answered was lost. Rows exceed 201s by the requests still in flight when a load phase (each 1 s warm-up round included) ended: the server committed them, the generator stopped listening. Duplicates are ruled out by the multi-instance correctness suite, not here.',
      '',
    );
  }
  return parts.join('\n');
}

/** Merges `report` into today's file for its database and writes both forms. */
export function writeReport(dir: string, report: BenchReport): string {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${report.date}-${report.database}`);
  let merged = report;
  if (fs.existsSync(`${base}.json`)) {
    const earlier = JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')) as BenchReport;
    merged = {
      ...earlier,
      ...Object.fromEntries(Object.entries(report).filter(([, v]) => v !== undefined)),
    } as BenchReport;
  }
  fs.writeFileSync(`${base}.json`, JSON.stringify(merged, null, 2) + '\n');
  fs.writeFileSync(`${base}.md`, renderMarkdown(merged));
  return base;
}
