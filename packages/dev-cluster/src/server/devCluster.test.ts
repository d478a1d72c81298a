import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startDevCluster } from './devCluster';

describe('startDevCluster', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dev-cluster-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to listen on anything but loopback', async () => {
    await expect(
      startDevCluster({ stateDir: dir, host: '0.0.0.0' }),
    ).rejects.toThrow(
      'dev-cluster serves on loopback only (127.0.0.0/8, ::1 or localhost); refusing to listen on "0.0.0.0"',
    );
  });

  it('keeps objects across restarts with a persist file, and writes a private kubeconfig', async () => {
    const persistFile = path.join(dir, 'state.json');
    const first = await startDevCluster({
      stateDir: dir,
      persistFile,
      runWorkloads: false,
    });
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(first.kubeconfigPath).mode & 0o777).toBe(0o600);
    const kc = new KubeConfig();
    kc.loadFromString(first.kubeconfig);
    const created = await kc
      .makeApiClient(CoreV1Api)
      .createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'kept' } },
      });
    await first.stop();
    expect(statSync(persistFile).mode & 0o777).toBe(0o600);

    const second = await startDevCluster({
      stateDir: dir,
      persistFile,
      runWorkloads: false,
    });
    try {
      const again = new KubeConfig();
      again.loadFromString(second.kubeconfig);
      const core = again.makeApiClient(CoreV1Api);
      const kept = await core.readNamespacedConfigMap({
        name: 'kept',
        namespace: 'default',
      });
      expect(kept.metadata!.uid).toBe(created.metadata!.uid);
      // Versions continue after the restored ones.
      const next = await core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'next' } },
      });
      expect(Number(next.metadata!.resourceVersion)).toBeGreaterThan(
        Number(kept.metadata!.resourceVersion),
      );
    } finally {
      await second.stop();
    }
  });
});
