import { PartialType } from '@nestjs/swagger';
import { CreateIntegrationDto } from './create-integration.dto';

/**
 * Every field optional; `null` clears `defaultProviderAccountId` or `oidcClientId` and is refused
 * for `name` (only what the create itself takes as null may be null).
 */
export class UpdateIntegrationDto extends PartialType(CreateIntegrationDto, {
  skipNullProperties: false,
}) {}
