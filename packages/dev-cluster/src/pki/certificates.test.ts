import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadOrCreatePki } from './certificates';
import { buildKubeconfig } from './kubeconfig';

describe('cluster PKI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pki-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues a CA, a loopback serving certificate and the admin client certificate, kept private and reused', async () => {
    const pki = await loadOrCreatePki(dir);
    const ca = new X509Certificate(pki.caCertPem);
    const server = new X509Certificate(pki.serverCertPem);
    const admin = new X509Certificate(pki.adminCertPem);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(admin.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(admin.subject).toBe('O=system:masters\nCN=kubernetes-admin');
    for (const file of ['ca.key', 'apiserver.key', 'admin.key', 'sa.key']) {
      expect(statSync(path.join(dir, file)).mode & 0o777).toBe(0o600);
    }
    expect((await loadOrCreatePki(dir)).caCertPem).toBe(pki.caCertPem);
  });

  it('writes a kubeconfig with the cairn-dev context', () => {
    const config = parse(
      buildKubeconfig({
        server: 'https://127.0.0.1:1234',
        caCertPem: 'CA',
        clientCertPem: 'CERT',
        clientKeyPem: 'KEY',
        userName: 'kubernetes-admin',
      }),
    );
    expect(config['current-context']).toBe('cairn-dev');
    expect(config.clusters[0].cluster).toEqual({
      server: 'https://127.0.0.1:1234',
      'certificate-authority-data': Buffer.from('CA').toString('base64'),
    });
    expect(config.users[0]).toEqual({
      name: 'kubernetes-admin',
      user: {
        'client-certificate-data': Buffer.from('CERT').toString('base64'),
        'client-key-data': Buffer.from('KEY').toString('base64'),
      },
    });
  });
});
