import { ApiProperty } from '@nestjs/swagger';

/* Response shapes, for the Swagger document. */

export class ApiKeySummaryDto {
  @ApiProperty({ example: 'key_7Qm2xYp0aVb3Nc8dEf1Gh4Jk' }) id: string;
  @ApiProperty({
    example: 'psk_AbCd',
    description: 'The first characters, to tell keys apart; never the key',
  })
  prefix: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
}

export class IntegrationDto {
  @ApiProperty({ example: 'int_5tHq2LmN8pQr1sTu3vWx4yZa' }) id: string;
  @ApiProperty({ example: 'webshop-nl' }) name: string;
  @ApiProperty({ example: 'test', nullable: true, type: String }) defaultProviderAccountId:
    string | null;
  @ApiProperty({ example: 'webshop-backend', nullable: true, type: String }) oidcClientId:
    string | null;
  @ApiProperty({ type: [ApiKeySummaryDto] }) apiKeys: ApiKeySummaryDto[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class IntegrationListDto {
  @ApiProperty({ type: [IntegrationDto] }) data: IntegrationDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ApiKeyCreatedDto {
  @ApiProperty({ example: 'key_7Qm2xYp0aVb3Nc8dEf1Gh4Jk' }) id: string;
  @ApiProperty({
    example: 'psk_…',
    description: 'The API key. Shown only in this response; only its hash is stored.',
  })
  key: string;
}
