import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';

/** The operator's web dashboard at /dashboard (internal listener only). */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}
