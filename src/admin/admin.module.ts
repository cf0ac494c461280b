import { Module } from '@nestjs/common';
import { ProviderAccountsController } from './provider-accounts.controller';

/** Admin API controllers; they reuse the services of the feature modules. */
@Module({ controllers: [ProviderAccountsController] })
export class AdminModule {}
