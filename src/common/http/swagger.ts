import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('PaymentServer')
    .setDescription(
      'One payment API in front of many payment service providers. Money is always `{ value, currency }` in integer minor units. Errors are `application/problem+json` (RFC 9457).',
    )
    .setVersion('1')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: "An integration's API key" },
      'api-key',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'OpenID Connect access token',
      },
      'oidc',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('swagger', app, document, { jsonDocumentUrl: 'swagger/json' });
}
