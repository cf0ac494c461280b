import { ApiProperty } from '@nestjs/swagger';

export class ConnectionCheckDto {
  @ApiProperty({ description: 'The PSP accepted the credentials' })
  ok: boolean;
  @ApiProperty({ enum: ['ok', 'unauthorized', 'unreachable', 'error'] })
  outcome: 'ok' | 'unauthorized' | 'unreachable' | 'error';
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "The PSP's HTTP status, if it answered",
  })
  httpStatus: number | null;
  @ApiProperty({ example: 'Mollie accepted the credentials' })
  message: string;
  @ApiProperty({ example: 84 })
  durationMs: number;
}
