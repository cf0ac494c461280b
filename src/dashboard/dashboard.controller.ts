import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import * as path from 'node:path';
import { Public } from '../auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../config/app.config';

/** The dashboard's files: plain HTML, CSS and one ES module, no build step. */
const PUBLIC_DIR = path.join(__dirname, 'public');
const FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export interface DashboardSettings {
  issuer: string;
  clientId: string;
  scope: string;
  audience: string;
}

/**
 * Serves the admin dashboard, a single page that signs the operator in at the OpenID Connect
 * provider (authorization code + PKCE, public client) and then only calls the Admin API with
 * the access token it got. The page itself is public; every piece of data behind it is not.
 */
@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardController {
  private readonly csp: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // The page talks to this server and to the identity provider's token endpoint, nothing else.
    const issuerOrigin = new URL(this.config.security.oidcIssuer!).origin;
    this.csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      `connect-src 'self' ${issuerOrigin}`,
      "img-src 'self' data:",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      `form-action 'self' ${issuerOrigin}`,
    ].join('; ');
  }

  @Get(['', 'callback'])
  page(@Res() res: Response): void {
    res.setHeader('Content-Security-Policy', this.csp);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').sendFile(path.join(PUBLIC_DIR, 'index.html'));
  }

  @Get('config.json')
  @Header('Cache-Control', 'no-store')
  settings(): DashboardSettings {
    const security = this.config.security;
    return {
      issuer: security.oidcIssuer!,
      clientId: security.oidc.dashboardClientId,
      scope: `openid ${security.oidc.adminScope}`,
      audience: security.oidcAudience,
    };
  }

  @Get(['app.js', 'app.css'])
  asset(@Res() res: Response): void {
    const name = path.basename(res.req.path);
    res.setHeader('Content-Type', FILES[name]);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(PUBLIC_DIR, name));
  }
}
