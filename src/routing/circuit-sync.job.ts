import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from '../common/jobs/periodic-job';
import { SharedCircuits } from './shared-circuits.service';

/** How stale one instance's view of another instance's circuit transitions may get. */
export const CIRCUIT_SYNC_MS = 1000;

/** Every second, on every instance: reload the shared circuit breaker state. */
@Injectable()
export class CircuitSyncJob extends PeriodicJob {
  constructor(
    scheduler: SchedulerRegistry,
    private readonly circuits: SharedCircuits,
  ) {
    super('CircuitSyncJob', scheduler);
  }

  intervalMs(): number {
    return CIRCUIT_SYNC_MS;
  }

  protected run(): Promise<unknown> {
    return this.circuits.reload();
  }
}
