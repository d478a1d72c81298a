import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditEvent } from './audit';
import { startTestCluster, TestCluster } from './testing';

describe('the audit log', () => {
  let cluster: TestCluster;
  let dir: string;
  let auditLogPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dev-cluster-audit-'));
    auditLogPath = path.join(dir, 'audit.log');
    cluster = await startTestCluster({
      tekton: false,
      runWorkloads: false,
      auditLogPath,
    });
  });

  afterAll(async () => {
    await cluster?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records who did what and the answer, allowed or refused, a line an event, as kube-apiserver at level Metadata', async () => {
    const seen: AuditEvent[] = [];
    const stopListening = cluster.server.onAudit(event => seen.push(event));
    const created = await cluster.kubectl([
      'create',
      'secret',
      'generic',
      'db',
      '--from-literal=password=hunter2',
    ]);
    expect(created.code).toBe(0);
    const refused = await cluster.kubectl([
      'get',
      'secret',
      'db',
      '--as=mallory',
    ]);
    expect(refused.code).not.toBe(0);
    stopListening();
    await cluster.stop();

    const logged = readFileSync(auditLogPath, 'utf8')
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as AuditEvent);
    expect(logged.length).toBeGreaterThanOrEqual(seen.length);

    const create = logged.find(
      e => e.verb === 'create' && e.objectRef?.resource === 'secrets',
    );
    expect(create).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      stage: 'ResponseComplete',
      user: {
        username: 'kubernetes-admin',
        groups: ['system:masters', 'system:authenticated'],
      },
      objectRef: {
        resource: 'secrets',
        namespace: 'default',
        apiVersion: 'v1',
      },
      responseStatus: { code: 201 },
    });
    expect(create!.userAgent).toMatch(/^kubectl/);
    expect(create!.sourceIPs[0]).toMatch(/^(127\.|::1|::ffff:127\.)/);

    expect(
      logged.find(
        e =>
          e.impersonatedUser?.username === 'mallory' &&
          e.objectRef?.resource === 'secrets',
      ),
    ).toMatchObject({
      verb: 'get',
      user: { username: 'kubernetes-admin' },
      objectRef: { resource: 'secrets', name: 'db', namespace: 'default' },
      responseStatus: { code: 403 },
    });
    // Metadata only: no request or response body, so no Secret data.
    expect(readFileSync(auditLogPath, 'utf8')).not.toContain('hunter2');
    expect(
      readFileSync(auditLogPath, 'utf8').includes(
        Buffer.from('hunter2').toString('base64'),
      ),
    ).toBe(false);
  });
});
