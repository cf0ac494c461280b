import { Module } from '@nestjs/common';
import { RetentionService } from './retention.service';

/** Housekeeping of settled records past the retention period. */
@Module({ providers: [RetentionService], exports: [RetentionService] })
export class RetentionModule {}
