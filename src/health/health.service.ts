import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

/** Other modules (e.g. the broker) add their own checks through this token. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@Injectable()
export class HealthService {
  private shuttingDown = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(READINESS_CHECKS) private readonly extraChecks: ReadinessCheck[] = [],
  ) {}

  /** Called on SIGTERM so load balancers stop sending traffic before the listener closes. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<{
    status: 'ok' | 'unavailable';
    checks: Record<string, 'ok' | 'failing'>;
  }> {
    const checks: Record<string, 'ok' | 'failing'> = {};
    const run = async (name: string, check: () => Promise<boolean>) => {
      try {
        checks[name] = (await check()) ? 'ok' : 'failing';
      } catch {
        checks[name] = 'failing';
      }
    };
    await run('database', async () => {
      await this.dataSource.query('SELECT 1');
      return true;
    });
    await run('migrations', async () => !(await this.dataSource.showMigrations()));
    for (const extra of this.extraChecks ?? []) await run(extra.name, () => extra.check());
    if (this.shuttingDown) checks.shutdown = 'failing';
    const ok = Object.values(checks).every((value) => value === 'ok');
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}
