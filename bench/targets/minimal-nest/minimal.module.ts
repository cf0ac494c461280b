import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BenchDialect, openLimitStore } from '../limit-store';
import { ApiKeyGuard, LIMIT_STORE } from './api-key.guard';
import { PaymentsController } from './payments.controller';

@Module({
  controllers: [PaymentsController],
  providers: [
    {
      provide: LIMIT_STORE,
      useFactory: () =>
        openLimitStore(process.env.BENCH_DB as BenchDialect, process.env.BENCH_DB_URL!),
    },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
})
export class MinimalModule {}
