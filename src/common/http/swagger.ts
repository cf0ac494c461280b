import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { describeCredentials } from '../../providers/connector/credential-schema';
import { ProviderRegistry } from '../../providers/provider.registry';

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
  const document = SwaggerModule.createDocument(app, config);
  describeProviderCredentials(document, app);
  return document;
}

/** The `credentials` of an account, described from the connectors' declared credential schemas. */
function describeProviderCredentials(document: OpenAPIObject, app: INestApplication): void {
  const registry = app.get(ProviderRegistry, { strict: false });
  const connectors = registry
    .names()
    .map((name) => ({ name, description: registry.get(name)!.description }));
  const text = `Write-only; encrypted at rest and never returned. Fields per provider (GET /api/v1/admin/providers has them in full): ${describeCredentials(connectors)}.`;
  for (const schema of ['CreateProviderAccountDto', 'UpdateProviderAccountDto']) {
    const property = (document.components?.schemas?.[schema] as SchemaObject | undefined)
      ?.properties?.credentials as SchemaObject | undefined;
    if (property) property.description = text;
  }
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('swagger', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'swagger/json',
  });
}
