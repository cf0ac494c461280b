import { ApiProperty } from '@nestjs/swagger';

export class AdminMeDto {
  @ApiProperty({ nullable: true, type: String, example: 'paymentserver-viewer' })
  sub: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'paymentserver-viewer' })
  clientId: string | null;
  @ApiProperty({ type: [String], example: ['paymentserver:read'] })
  scopes: string[];
  @ApiProperty({ type: [String], example: [] })
  roles: string[];
  @ApiProperty({
    example: false,
    description:
      'True with scope paymentserver:admin or role admin; false for a read-only token (scope paymentserver:read or role viewer), which gets 403 on every write',
  })
  canWrite: boolean;
}
