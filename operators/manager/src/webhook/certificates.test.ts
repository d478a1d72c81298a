import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { request } from 'node:https';
import { certificatesServe, generateWebhookCertificates } from './certificates';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOSTS = [
  'cairn-operators-webhook.cairn-system.svc',
  'cairn-operators-webhook.cairn-system.svc.cluster.local',
];

describe('generateWebhookCertificates', () => {
  const made = generateWebhookCertificates([...HOSTS, '127.0.0.1']);

  it('makes a CA and a serving certificate for the names and addresses', () => {
    const ca = new X509Certificate(made.caPem);
    const cert = new X509Certificate(made.certPem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost(HOSTS[0])).toBe(HOSTS[0]);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('other.cairn-system.svc')).toBeUndefined();
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
  });

  it('serves TLS a client trusting only the CA accepts', async () => {
    const server = createServer(
      { cert: made.certPem, key: made.keyPem },
      (_req, res) => res.end('ok'),
    );
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, ca: made.caPem, path: '/' }, res => {
          let text = '';
          res.on('data', chunk => {
            text += chunk;
          });
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(body).toBe('ok');
    } finally {
      server.close();
    }
  });
});

describe('certificatesServe', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const made = generateWebhookCertificates(HOSTS, now);

  it('keeps certificates that name every host and have time left', () => {
    expect(certificatesServe(made, HOSTS, now)).toBe(true);
    expect(
      certificatesServe(made, HOSTS, new Date(now.getTime() + 300 * DAY_MS)),
    ).toBe(true);
  });

  it('renews them within a month of their end, for other names, or another CA', () => {
    expect(
      certificatesServe(made, HOSTS, new Date(now.getTime() + 340 * DAY_MS)),
    ).toBe(false);
    expect(certificatesServe(made, ['webhook.other.svc'], now)).toBe(false);
    const other = generateWebhookCertificates(HOSTS, now);
    expect(certificatesServe({ ...made, caPem: other.caPem }, HOSTS, now)).toBe(
      false,
    );
    expect(certificatesServe({ ...made, certPem: 'garbage' }, HOSTS, now)).toBe(
      false,
    );
  });
});
