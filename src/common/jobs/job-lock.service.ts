import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { IsNull, LessThanOrEqual, Repository } from 'typeorm';
import { isUniqueViolation, TransactionService } from '../../database/transaction.service';
import { JobLock } from './job-lock.entity';

/**
 * Database leases for periodic jobs that should run on one instance per tick. Taking one is a
 * conditional UPDATE (free, or expired), so of several instances exactly one wins; a pass that
 * dies keeps the lease only until its timeout.
 */
@Injectable()
export class JobLockService {
  /** This process, as a lock holder. */
  readonly holder = randomBytes(8).toString('hex');

  constructor(
    @InjectRepository(JobLock) private readonly locks: Repository<JobLock>,
    private readonly tx: TransactionService,
  ) {}

  /** Takes `name` until `until` unless another instance holds it; true when this one got it. */
  async acquire(name: string, now: Date, until: Date): Promise<boolean> {
    await this.ensureRow(name);
    const lease = { holder: this.holder, lockedUntil: until, lastStartedAt: now };
    return this.tx.write(async (m) => {
      const free = await m.update(JobLock, { name, lockedUntil: IsNull() }, lease);
      if (free.affected === 1) return true;
      const expired = await m.update(JobLock, { name, lockedUntil: LessThanOrEqual(now) }, lease);
      return expired.affected === 1;
    });
  }

  /**
   * Records how the pass ended and leaves the job to nobody until `until` (about the next tick),
   * so the other instances do not run it again at once.
   */
  async release(name: string, now: Date, until: Date, error?: string): Promise<void> {
    await this.tx.write((m) =>
      m.update(
        JobLock,
        { name, holder: this.holder },
        {
          holder: null,
          lockedUntil: until,
          lastFinishedAt: now,
          lastResult: error === undefined ? 'succeeded' : 'failed',
          lastError: error === undefined ? null : error.slice(0, 500),
        },
      ),
    );
  }

  find(name: string): Promise<JobLock | null> {
    return this.locks.findOneBy({ name });
  }

  private async ensureRow(name: string): Promise<void> {
    if (await this.locks.existsBy({ name })) return;
    try {
      await this.tx.write((m) => m.insert(JobLock, { name }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // another instance inserted it first
    }
  }
}
