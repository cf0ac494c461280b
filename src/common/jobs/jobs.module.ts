import { Global, Module } from '@nestjs/common';
import { JobLockService } from './job-lock.service';

/** The database leases that keep single-instance jobs to one instance per tick. */
@Global()
@Module({ providers: [JobLockService], exports: [JobLockService] })
export class JobsModule {}
