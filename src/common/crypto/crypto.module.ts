import { Module } from '@nestjs/common';
import { SecretRotationService } from './secret-rotation.service';

/** Secrets at rest: finishes encryption key rotations (SecretBox itself comes from ProvidersModule). */
@Module({ providers: [SecretRotationService] })
export class CryptoModule {}
