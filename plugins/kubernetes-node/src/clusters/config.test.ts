import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { readClusters } from './config';
import { ClusterAccess } from './ClusterAccess';

function config(clusters: any[], extra: object = {}) {
  return new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [{ type: 'config', clusters }],
      ...extra,
    },
  });
}

const base = {
  name: 'prod',
  title: 'Production',
  url: 'https://k8s.example.com:6443/',
  authProvider: 'serviceAccount',
  serviceAccountToken: 'secret-token',
  caData: Buffer.from('CA').toString('base64'),
};

describe('readClusters', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'clusters-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a KubeConfig per cluster with token and CA', () => {
    const [cluster] = readClusters(
      config([{ ...base, skipMetricsLookup: true, customResources: [] }]),
    );
    expect(cluster).toMatchObject({
      name: 'prod',
      title: 'Production',
      skipTLSVerify: false,
    });
    const kc = cluster.kubeConfig;
    expect(kc.getCurrentCluster()).toMatchObject({
      name: 'prod',
      server: 'https://k8s.example.com:6443',
      caData: base.caData,
      skipTLSVerify: false,
    });
    expect(kc.getCurrentUser()?.token).toBe('secret-token');
  });

  it('reads several methods and clusters, caFile and skipTLSVerify', () => {
    const caFile = path.join(dir, 'ca.crt');
    writeFileSync(caFile, 'CA');
    const clusters = readClusters(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            { type: 'config', clusters: [base] },
            {
              type: 'config',
              clusters: [
                {
                  ...base,
                  name: 'staging',
                  caData: undefined,
                  caFile,
                  skipTLSVerify: true,
                },
              ],
            },
          ],
        },
      }),
    );
    expect(clusters.map(c => c.name)).toEqual(['prod', 'staging']);
    expect(clusters[1].kubeConfig.getCurrentCluster()).toMatchObject({
      caFile,
      skipTLSVerify: true,
    });
  });

  it('uses the pod service account when no token is configured', () => {
    writeFileSync(path.join(dir, 'token'), 'pod-token');
    writeFileSync(path.join(dir, 'ca.crt'), 'CA');
    const [cluster] = readClusters(
      config([{ ...base, serviceAccountToken: undefined, caData: undefined }]),
      { inClusterServiceAccountDir: dir },
    );
    expect(cluster.kubeConfig.getCurrentUser()?.authProvider).toEqual({
      name: 'tokenFile',
      config: { tokenFile: path.join(dir, 'token') },
    });
    expect(cluster.kubeConfig.getCurrentCluster()?.caFile).toBe(
      path.join(dir, 'ca.crt'),
    );
  });

  it('returns no clusters without a kubernetes block', () => {
    expect(readClusters(new ConfigReader({}))).toEqual([]);
  });

  it.each([
    [
      [{ ...base, name: undefined }],
      'kubernetes.clusterLocatorMethods[0].clusters[0].name is missing',
    ],
    [[{ ...base, url: undefined }], 'url is missing'],
    [[{ ...base, url: 'k8s' }], 'url "k8s" is not a URL'],
    [[{ ...base, authProvider: undefined }], 'authProvider is missing'],
    [
      [{ ...base, authProvider: 'google' }],
      'clusters[0] (cluster "prod"): authProvider "google" is not supported by Cairn',
    ],
    [[{ ...base, assumeRole: 'arn:x' }], 'assumeRole needs authProvider "aws"'],
    [[{ ...base, caFile: '/x/ca.crt' }], 'set caData or caFile, not both'],
    [
      [{ ...base, caData: undefined, caFile: '/nonexistent/ca.crt' }],
      'caFile "/nonexistent/ca.crt" cannot be read',
    ],
    [
      [{ ...base, servicAccountToken: 'x' }],
      'unknown key "servicAccountToken"',
    ],
    [[base, base], 'names the cluster "prod" more than once'],
    [
      [{ ...base, serviceAccountToken: undefined }],
      'serviceAccountToken is missing and the backend does not run in a pod',
    ],
  ])('rejects %j', (clusters, message) => {
    expect(() =>
      readClusters(config(clusters), {
        inClusterServiceAccountDir: '/nonexistent',
      }),
    ).toThrow(message);
  });

  it('rejects locator types it cannot read, naming the key', () => {
    expect(() =>
      readClusters(
        new ConfigReader({
          kubernetes: { clusterLocatorMethods: [{ type: 'gke' }] },
        }),
      ),
    ).toThrow(
      'kubernetes.clusterLocatorMethods[0].type is "gke"; Cairn reads only clusters listed with type "config"',
    );
  });
});

describe('ClusterAccess', () => {
  it('finds clusters by name and names the configured ones otherwise', () => {
    const access = ClusterAccess.fromConfig(config([base]));
    expect(access.get('prod').name).toBe('prod');
    expect(access.list()).toHaveLength(1);
    expect(() => access.get('nope')).toThrow(
      'cluster "nope" is not configured; configured clusters: prod',
    );
  });

  it('makes one client per cluster and API class, so requests share connections', () => {
    const access = ClusterAccess.fromConfig(config([base]));
    const core = access.client('prod', CoreV1Api);
    expect(core).toBeInstanceOf(CoreV1Api);
    expect(access.client('prod', CoreV1Api)).toBe(core);
    expect(access.client('prod', CustomObjectsApi)).toBeInstanceOf(
      CustomObjectsApi,
    );
    expect(() => access.client('nope', CoreV1Api)).toThrow(
      'cluster "nope" is not configured',
    );
  });
});
