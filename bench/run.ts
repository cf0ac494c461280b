/**
 * The one bench runner. `npm run bench` builds, then runs every scenario (or those named) and
 * prints and stores the results; see bench/README.md.
 *
 *   npm run bench                                  # all scenarios, SQLite
 *   npm run bench -- create-payment                # one scenario
 *   BENCH_DB=postgres npm run bench -- create-payment
 *   BENCH_DB=postgres npm run bench -- scale-out   # 1 vs 3 instances behind nginx
 *   npm run bench -- --smoke                       # a few requests each: does the harness work?
 */
import 'reflect-metadata';
import { parseOptions } from './support/options';
import { BenchReport, Conditions, renderMarkdown, writeReport } from './support/report';
import { cpuTimes, loadAverage, machine, stolenPercent } from './support/machine';
import { runCreatePayment } from './scenarios/create-payment.scenario';
import { runWebhookIntake } from './scenarios/webhook-intake.scenario';
import { runNotifications } from './scenarios/notifications.scenario';
import { runScaleOut } from './scenarios/scale-out.scenario';

async function timed<T>(run: () => Promise<T>): Promise<T & Conditions> {
  const before = loadAverage();
  const cpuBefore = cpuTimes();
  const measuredAt = new Date().toISOString();
  const result = await run();
  return {
    ...result,
    measuredAt,
    loadAverage: { before, after: loadAverage() },
    cpuStolenPercent: stolenPercent(cpuBefore, cpuTimes()),
  };
}

/** Runs the scenarios of `argv` and returns the report (written to bench/results unless a smoke run). */
export async function runBench(
  argv: string[],
  log: (line: string) => void = console.log,
): Promise<BenchReport> {
  const options = parseOptions(argv);
  const report: BenchReport = {
    date: new Date().toISOString().slice(0, 10),
    database: options.dialect,
    machine: machine(),
  };
  if (options.scenarios.includes('create-payment'))
    report.createPayment = await timed(() => runCreatePayment(options, log));
  if (options.scenarios.includes('webhook-intake'))
    report.webhookIntake = await timed(() => runWebhookIntake(options, log));
  if (options.scenarios.includes('notifications'))
    report.notifications = await timed(() => runNotifications(options, log));
  if (options.scenarios.includes('scale-out'))
    report.scaleOut = await timed(() => runScaleOut(options, log));
  log('');
  log(renderMarkdown(report));
  if (options.resultsDir) log(`results: ${writeReport(options.resultsDir, report)}.{json,md}`);
  return report;
}

if (require.main === module) {
  runBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
