import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Passport, PassportStatic } from 'passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { decode } from 'jsonwebtoken';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { OidcKeyResolver } from './oidc-key.resolver';
import { TokenPrincipal, toTokenPrincipal } from './token-principal';

/**
 * Each application gets its own passport instance: the global one is keyed by strategy name
 * only, so two servers in one process (tests, or a future multi-tenant host) would share it.
 */
const passports = new WeakMap<object, PassportStatic>();

export class BearerTokenError extends Error {}

/**
 * Validates OIDC access tokens (JWT): signature by a key of the configured issuer's JWKS, an
 * asymmetric algorithm from the allow-list, exact `iss`, our `aud`, `exp` present and not
 * passed, `nbf` reached (both with a small clock skew).
 */
@Injectable()
export class OidcStrategy extends PassportStrategy(Strategy, 'oidc') {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    keys: OidcKeyResolver,
  ) {
    const oidc = config.security.oidc;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (
        _req: Request,
        rawJwt: string,
        done: (err: unknown, key?: string) => void,
      ) => {
        const header = decode(rawJwt, { complete: true })?.header;
        // Checked before any key lookup so that `none`/HS* tokens cost nothing.
        if (!header || !oidc.algorithms.includes(header.alg)) {
          done(new BearerTokenError('algorithm not allowed'));
          return;
        }
        keys.publicKey(header.kid).then(
          (key) => done(null, key.export({ type: 'spki', format: 'pem' }) as string),
          () => done(new BearerTokenError('no matching signing key at the issuer')),
        );
      },
      // With no issuer configured every token fails the issuer check (an empty list matches nothing).
      issuer: config.security.oidcIssuer ?? [],
      audience: config.security.oidcAudience,
      algorithms: oidc.algorithms as any,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: oidc.clockSkewSeconds },
    });
  }

  getPassportInstance(): PassportStatic {
    let instance = passports.get(this);
    if (!instance) {
      instance = new Passport() as unknown as PassportStatic;
      passports.set(this, instance);
    }
    return instance;
  }

  validate(payload: Record<string, unknown>): TokenPrincipal {
    // jsonwebtoken accepts tokens without `exp`; an access token must expire.
    if (typeof payload.exp !== 'number') throw new BearerTokenError('token has no exp');
    return toTokenPrincipal(payload, this.config.security.oidc);
  }

  /** Runs the strategy on a request; rejects with the reason when the token is not accepted. */
  verify(request: Request, response: Response): Promise<TokenPrincipal> {
    return new Promise((resolve, reject) => {
      const handler = this.getPassportInstance().authenticate(
        'oidc',
        { session: false },
        (error: unknown, principal: TokenPrincipal | false, info: unknown) => {
          if (principal) {
            resolve(principal);
            return;
          }
          const reason = error ?? info;
          reject(
            new BearerTokenError(reason instanceof Error ? reason.message : 'invalid bearer token'),
          );
        },
      );
      handler(request, response, (error: unknown) => reject(error));
    });
  }
}
