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
  describeJsonOnlyBodies(document);
  return document;
}

/** Every API operation that takes a body answers 415 to a body that is not JSON (json-body.ts). */
function describeJsonOnlyBodies(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const operation of [item.post, item.put, item.patch, item.delete]) {
      if (!operation?.requestBody) continue;
      operation.responses['415'] ??= {
        description:
          '`unsupported_media_type`: the body was not sent as `application/json` (or `application/*+json`) in UTF-8',
        content: {
          'application/json': { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } },
        },
      };
    }
  }
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
