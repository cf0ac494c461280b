import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  findProgram,
  itPassesOnlyWebhooks,
  templatedExample,
  useReverseProxy,
} from '../support/reverse-proxy';

/** Low, so that the last test can reach it; the tests before it send two webhooks. */
const WEBHOOK_LIMIT = 6;

const nginx = findProgram('nginx', ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']);
if (!nginx && process.env.CI === 'true') {
  throw new Error(
    'nginx must be installed in CI (apt-get install nginx-light): the reverse-proxy example may not go untested',
  );
}

(nginx ? describe : describe.skip)(
  'the nginx example (deploy/nginx) with the real nginx in front of the server',
  () => {
    const proxy = useReverseProxy({
      name: 'nginx',
      webhookLimit: WEBHOOK_LIMIT,
      stopSignal: 'SIGQUIT',
      configure: ({ dir, cert, key, publicPort, proxyPort }) => {
        fs.writeFileSync(
          path.join(dir, 'paymentserver.conf'),
          templatedExample('deploy/nginx/paymentserver.conf', [
            ['server 127.0.0.1:28889;', `server 127.0.0.1:${publicPort};`],
            ['listen 443 ssl;', `listen 127.0.0.1:${proxyPort} ssl;`],
            [/^\s*listen \[::\]:443 ssl;\n/m, ''],
            ['/etc/ssl/certs/pay.example.com.pem', cert],
            ['/etc/ssl/private/pay.example.com.key', key],
          ]),
        );
        // A minimal main configuration around the example, everything inside the temp folder.
        fs.writeFileSync(
          path.join(dir, 'nginx.conf'),
          [
            'worker_processes 1;',
            `pid ${dir}/nginx.pid;`,
            'error_log stderr warn;',
            'events { worker_connections 64; }',
            'http {',
            '  access_log off;',
            ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
              (t) => `  ${t}_temp_path ${dir}/${t};`,
            ),
            `  include ${dir}/paymentserver.conf;`,
            '}',
          ].join('\n'),
        );
        // In the foreground, one process (no switch to another user): the test owns its lifetime.
        return {
          command: nginx!,
          args: [
            '-p',
            dir,
            '-c',
            path.join(dir, 'nginx.conf'),
            '-g',
            'daemon off; master_process off;',
          ],
        };
      },
    });

    // Refused by nginx itself: its own error page, not the server's problem+json.
    itPassesOnlyWebhooks(proxy, { refusalStatuses: [400, 403, 404], limitsBodyItself: true });
  },
);
