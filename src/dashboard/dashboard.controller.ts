import { Controller, Get, Header, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Public } from '../auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../config/app.config';

/**
 * The dashboard's build (`dashboard/dist`, made by `npm run build`), found from the compiled
 * server (dist/src/dashboard) and from the sources (src/dashboard, ts-node and the tests).
 */
function findBuild(): string | undefined {
  return [
    path.resolve(__dirname, '../../../dashboard/dist'),
    path.resolve(__dirname, '../../dashboard/dist'),
  ].find((dir) => fs.existsSync(path.join(dir, 'index.html')));
}

/** Hashed file names of Vite's output: letters, digits, dots, dashes and underscores only. */
const ASSET_NAME = /^[\w.-]+\.(js|css|svg|woff2?)$/;
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  woff: 'font/woff',
  woff2: 'font/woff2',
};

export interface DashboardSettings {
  issuer: string;
  clientId: string;
  scope: string;
  audience: string;
  prompt: string;
}

/**
 * Serves the operator's console (React, built by Vite) at /dashboard. The page signs the operator
 * in at the OpenID Connect provider (authorization code + PKCE, public client) and only calls the
 * Admin API with the access token it got. The page itself is public; every piece of data behind
 * it is not. Every path under /dashboard that is not a file is the app (client-side routes).
 */
@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardController {
  private readonly csp: string;
  private readonly build = findBuild();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const issuerOrigin = new URL(this.config.security.oidcIssuer!).origin;
    this.csp = [
      "default-src 'self'",
      "script-src 'self'",
      // Mantine sets its theme variables in a <style> element and positions popovers inline.
      "style-src 'self' 'unsafe-inline'",
      // The API on this server; the token endpoint of the identity provider.
      `connect-src 'self' ${issuerOrigin}`,
      "img-src 'self' data:",
      "font-src 'self'",
      // Token renewal without a refresh token runs in a hidden frame at the identity provider,
      // which returns to /dashboard/callback in that frame.
      `frame-src ${issuerOrigin}`,
      "frame-ancestors 'self'",
      "base-uri 'none'",
      "object-src 'none'",
      `form-action 'self' ${issuerOrigin}`,
    ].join('; ');
  }

  @Get('config.json')
  @Header('Cache-Control', 'no-store')
  settings(): DashboardSettings {
    const security = this.config.security;
    return {
      issuer: security.oidcIssuer!,
      clientId: security.oidc.dashboardClientId,
      // offline_access: a refresh token renews the session silently; OpenID Connect asks for
      // prompt=consent with it.
      scope: `openid offline_access ${security.oidc.adminScope}`,
      prompt: 'consent',
      audience: security.oidcAudience,
    };
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    const file =
      this.build && ASSET_NAME.test(name) ? path.join(this.build, 'assets', name) : undefined;
    if (!file || !fs.existsSync(file)) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.setHeader('Content-Type', TYPES[path.extname(name).slice(1)]);
    // Names carry a content hash: a changed file gets a new name.
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.sendFile(file);
  }

  @Get(['', '*path'])
  page(@Req() req: Request, @Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    if (!this.build) {
      res
        .status(503)
        .type('text/plain')
        .send('The dashboard is not built: run `npm run build` (npm start does it).');
      return;
    }
    res.setHeader('Content-Security-Policy', this.csp);
    // Signing in again in a popup (the page keeps what is typed) needs the popup, back from the
    // identity provider at /dashboard/callback, to reach the page that opened it: helmet's
    // `same-origin` would cut that tie. The app's pages let their popups keep it; the callback,
    // coming from the provider's pages (no policy), must not ask for isolation itself.
    res.setHeader(
      'Cross-Origin-Opener-Policy',
      req.path === '/dashboard/callback' ? 'unsafe-none' : 'same-origin-allow-popups',
    );
    res.type('html').sendFile(path.join(this.build, 'index.html'));
  }
}
