import * as fs from 'node:fs';
import * as path from 'node:path';
import { itPassesOnlyWebhooks, templatedExample, useReverseProxy } from '../support/reverse-proxy';

/**
 * The Apache example, run by Debian's apache2. `.ci/run` installs it; locally the suite is
 * skipped without apache2, and in CI a missing apache2 fails it instead.
 */
/** Low, so that the last test can reach it. */
const WEBHOOK_LIMIT = 6;
const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const available = fs.existsSync(APACHE) && fs.existsSync(path.join(MODULES, 'mod_proxy_http.so'));
if (!available && process.env.CI === 'true') {
  throw new Error(
    `${APACHE} with mod_proxy_http is required in CI: the Apache example suite may not be skipped`,
  );
}

(available ? describe : describe.skip)(
  "the Apache example (deploy/apache) with Debian's apache2 in front of the server",
  () => {
    const proxy = useReverseProxy({
      name: 'apache',
      webhookLimit: WEBHOOK_LIMIT,
      stopSignal: 'SIGTERM',
      diagnostics: (dir) =>
        fs.existsSync(path.join(dir, 'error.log'))
          ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8')
          : '',
      configure: ({ dir, cert, key, publicPort, proxyPort }) => {
        fs.writeFileSync(
          path.join(dir, 'paymentserver.conf'),
          templatedExample('deploy/apache/paymentserver.conf', [
            ['<VirtualHost *:443>', `<VirtualHost 127.0.0.1:${proxyPort}>`],
            [/http:\/\/127\.0\.0\.1:28889\//g, `http://127.0.0.1:${publicPort}/`],
            ['/etc/ssl/certs/pay.example.com.pem', cert],
            ['/etc/ssl/private/pay.example.com.key', key],
          ]),
        );
        const modules = [
          'mpm_event',
          'authz_core',
          'socache_shmcb',
          'ssl',
          'proxy',
          'proxy_http',
          'rewrite',
          'headers',
        ];
        fs.writeFileSync(
          path.join(dir, 'httpd.conf'),
          [
            `ServerRoot ${dir}`,
            'ServerName localhost',
            `DefaultRuntimeDir ${dir}`,
            `PidFile ${dir}/apache.pid`,
            `Mutex file:${dir} default`,
            `ErrorLog ${dir}/error.log`,
            'LogLevel warn',
            ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
            ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
            `Listen 127.0.0.1:${proxyPort} https`,
            `Include ${dir}/paymentserver.conf`,
          ].join('\n'),
        );
        return { command: APACHE, args: ['-f', path.join(dir, 'httpd.conf'), '-DFOREGROUND'] };
      },
    });

    // Refused by apache2 itself (the example's rewrite rule, or its own parser). The 413 for a
    // body over 1 MB comes from the server: apache2 streams the proxied body on.
    itPassesOnlyWebhooks(proxy, { refusalStatuses: [400, 403, 404, 405], limitsBodyItself: false });
  },
);
