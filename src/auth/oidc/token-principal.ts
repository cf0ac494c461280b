import type { OidcConfig } from '../../config/security.config';

/** What a validated access token says about its bearer. */
export interface TokenPrincipal {
  subject: string | undefined;
  clientId: string | undefined;
  scopes: string[];
  roles: string[];
}

function claimAt(claims: Record<string, unknown>, path: string): unknown {
  // An exact claim name wins (URLs as claim names contain dots); then a dotted path.
  if (path in claims) return claims[path];
  return path
    .split('.')
    .reduce<unknown>(
      (value, part) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined,
      claims,
    );
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

export function toTokenPrincipal(
  claims: Record<string, unknown>,
  config: OidcConfig,
): TokenPrincipal {
  const clientId = config.clientIdClaims
    .map((name) => claims[name])
    .find((value): value is string => typeof value === 'string' && value.length > 0);
  return {
    subject: typeof claims.sub === 'string' ? claims.sub : undefined,
    clientId,
    scopes: stringList(claimAt(claims, config.scopeClaim)),
    roles: stringList(claimAt(claims, config.rolesClaim)),
  };
}

export function isAdmin(principal: TokenPrincipal, config: OidcConfig): boolean {
  return principal.scopes.includes(config.adminScope) || principal.roles.includes(config.adminRole);
}

/** What a token may do in the admin API: everything, read only, or nothing. */
export type AdminAccess = 'write' | 'read' | 'none';

export function adminAccess(principal: TokenPrincipal, config: OidcConfig): AdminAccess {
  if (isAdmin(principal, config)) return 'write';
  if (principal.scopes.includes(config.readScope) || principal.roles.includes(config.viewerRole))
    return 'read';
  return 'none';
}
