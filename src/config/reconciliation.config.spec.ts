import { EnvReader } from './env-reader';
import {
  DEFAULT_OPERATION_RETRY_SCHEDULE,
  loadReconciliationConfig,
} from './reconciliation.config';

const load = (env: Record<string, string>) => loadReconciliationConfig(new EnvReader(env));

describe('reconciliation configuration', () => {
  it('flags open operations after 24 hours and looks again on a growing schedule by default', () => {
    const config = load({});
    expect(config.attentionHours).toBe(24);
    expect(config.retryScheduleSeconds).toEqual(DEFAULT_OPERATION_RETRY_SCHEDULE);
  });

  it('takes fractional hours and a schedule that may start at 0 seconds', () => {
    const config = load({
      PAYMENTSERVER_RECONCILE_ATTENTION_HOURS: '0.5',
      PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: '0, 10,60',
    });
    expect(config.attentionHours).toBe(0.5);
    expect(config.retryScheduleSeconds).toEqual([0, 10, 60]);
  });

  it.each(['0', '-1', 'a day', '1e3', '9000'])(
    'refuses attention hours %s with one line naming the key',
    (value) => {
      expect(() => load({ PAYMENTSERVER_RECONCILE_ATTENTION_HOURS: value })).toThrow(
        /^Invalid configuration: PAYMENTSERVER_RECONCILE_ATTENTION_HOURS /,
      );
    },
  );

  it.each(['30,', '1.5', '-5', '10,x', '90000'])(
    'refuses the retry schedule %s with one line naming the key',
    (value) => {
      expect(() => load({ PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: value })).toThrow(
        /^Invalid configuration: PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE /,
      );
    },
  );
});
