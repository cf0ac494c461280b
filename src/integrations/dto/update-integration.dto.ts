import { PartialType } from '@nestjs/swagger';
import { CreateIntegrationDto } from './create-integration.dto';

/** Every field optional; `null` clears `defaultProviderAccountId` or `oidcClientId`. */
export class UpdateIntegrationDto extends PartialType(CreateIntegrationDto) {}
