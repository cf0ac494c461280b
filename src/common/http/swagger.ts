import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document of the app's routes (also written at build time for the dashboard's typed client). */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
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
  return SwaggerModule.createDocument(app, config);
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('swagger', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'swagger/json',
  });
}
