import { serverSideApply } from './apply';
import { humanDuration } from './humanDuration';
import { loopbackAddress } from './loopback';
import { parseRequestInfo } from './requestInfo';
import { mergePatch } from './patch';
import { podTemplateHash, resolveRollingUpdate } from './replication';
import { ResourceRegistry } from './registry';
import { buildTable, encodeTable, podStatusReason } from './table';
import { ServiceAccountTokens } from './tokens';
import { generateKeyPairSync } from 'node:crypto';

describe('parseRequestInfo', () => {
  const info = (method: string, path: string, query = '') =>
    parseRequestInfo(method, path, new URLSearchParams(query));

  it('parses resource requests as kube-apiserver does', () => {
    expect(info('GET', '/api/v1/namespaces/ns/pods/p/log')).toMatchObject({
      isResourceRequest: true,
      verb: 'get',
      apiGroup: '',
      apiVersion: 'v1',
      namespace: 'ns',
      resource: 'pods',
      name: 'p',
      subresource: 'log',
    });
    expect(
      info('GET', '/apis/apps/v1/deployments', 'watch=true'),
    ).toMatchObject({
      verb: 'watch',
      apiGroup: 'apps',
      resource: 'deployments',
      namespace: '',
    });
    expect(info('GET', '/api/v1/watch/namespaces/ns/pods')).toMatchObject({
      verb: 'watch',
      namespace: 'ns',
      resource: 'pods',
    });
    expect(info('DELETE', '/api/v1/namespaces/ns/pods')).toMatchObject({
      verb: 'deletecollection',
    });
    expect(info('PUT', '/api/v1/namespaces/ns/finalize')).toMatchObject({
      resource: 'namespaces',
      name: 'ns',
      subresource: 'finalize',
      namespace: '',
    });
    expect(info('GET', '/api/v1/namespaces/ns')).toMatchObject({
      verb: 'get',
      resource: 'namespaces',
      name: 'ns',
      namespace: '',
    });
    expect(info('GET', '/apis/apps/v1')).toMatchObject({
      isResourceRequest: false,
      verb: 'get',
    });
  });
});

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [150_000, '2m30s'],
    [3_600_000, '60m'],
    [4 * 3_600_000, '4h'],
    [4.5 * 3_600_000, '4h30m'],
    [30 * 3_600_000, '30h'],
    [50 * 3_600_000, '2d2h'],
    [10 * 86_400_000, '10d'],
    [800 * 86_400_000, '2y70d'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('loopbackAddress', () => {
  it('accepts loopback addresses only', () => {
    expect(loopbackAddress('localhost')).toBe('127.0.0.1');
    expect(loopbackAddress('127.0.0.2')).toBe('127.0.0.2');
    expect(loopbackAddress('::1')).toBe('::1');
    expect(() => loopbackAddress('0.0.0.0')).toThrow(
      'refusing to listen on "0.0.0.0"',
    );
    expect(() => loopbackAddress('192.168.1.10')).toThrow();
  });
});

describe('mergePatch', () => {
  it('follows RFC 7386', () => {
    expect(
      mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } }),
    ).toEqual({ a: 'z', c: { d: 'e' } });
    expect(mergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
  });
});

describe('podStatusReason', () => {
  const pod = (status: object, extra: object = {}) => ({
    metadata: {},
    spec: { containers: [{ name: 'c' }] },
    status,
    ...extra,
  });
  it('shows waiting reasons, exit codes and Terminating as kubectl get pods does', () => {
    expect(podStatusReason(pod({ phase: 'Pending' }))).toBe('Pending');
    expect(
      podStatusReason(
        pod({
          phase: 'Pending',
          containerStatuses: [
            { state: { waiting: { reason: 'ErrImagePull' } } },
          ],
        }),
      ),
    ).toBe('ErrImagePull');
    expect(
      podStatusReason(
        pod({
          phase: 'Failed',
          containerStatuses: [{ state: { terminated: { exitCode: 3 } } }],
        }),
      ),
    ).toBe('ExitCode:3');
    expect(
      podStatusReason({
        ...pod({ phase: 'Running' }),
        metadata: { deletionTimestamp: 'x' },
      }),
    ).toBe('Terminating');
  });
});

describe('serverSideApply', () => {
  const gr = { group: '', resource: 'configmaps' };
  const cm = (data: Record<string, string>, managedFields?: any[]) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', ...(managedFields ? { managedFields } : {}) },
    data,
  });

  it('removes the fields a manager stops applying and keeps others', () => {
    const first = serverSideApply(
      {
        live: undefined,
        applied: cm({ a: '1', b: '2' }),
        manager: 'm',
        force: false,
        apiVersion: 'v1',
      },
      gr,
    );
    const second = serverSideApply(
      {
        live: first,
        applied: cm({ a: '1' }),
        manager: 'm',
        force: false,
        apiVersion: 'v1',
      },
      gr,
    );
    expect(second.data).toEqual({ a: '1' });
    expect(second.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'm',
        operation: 'Apply',
        fieldsV1: { 'f:data': { 'f:a': {} } },
      }),
    ]);
  });

  it('merges lists of named items and reports conflicts between managers', () => {
    const pod = (containers: object[]) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers },
    });
    const mine = serverSideApply(
      {
        live: undefined,
        applied: pod([{ name: 'a', image: 'a:1' }]),
        manager: 'me',
        force: false,
        apiVersion: 'v1',
      },
      gr,
    );
    const both = serverSideApply(
      {
        live: mine,
        applied: pod([{ name: 'b', image: 'b:1' }]),
        manager: 'you',
        force: false,
        apiVersion: 'v1',
      },
      gr,
    );
    expect((both as any).spec.containers.map((c: any) => c.name)).toEqual([
      'a',
      'b',
    ]);
    expect(() =>
      serverSideApply(
        {
          live: both,
          applied: pod([{ name: 'a', image: 'a:2' }]),
          manager: 'you',
          force: false,
          apiVersion: 'v1',
        },
        gr,
      ),
    ).toThrow(
      'Apply failed with 1 conflict: conflict with "me" using v1: .spec.containers[name="a"].image',
    );
  });
});

describe('ServiceAccountTokens', () => {
  it('verifies its own tokens for their audiences until they expire', () => {
    const key = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const tokens = new ServiceAccountTokens(key.privateKey);
    const now = new Date('2030-01-01T00:00:00Z');
    const { token } = tokens.issue(
      { namespace: 'ns', name: 'sa', uid: 'u' },
      { expirationSeconds: 600, now },
    );
    expect(tokens.verify(token, undefined, now)?.sub).toBe(
      'system:serviceaccount:ns:sa',
    );
    expect(tokens.verify(token, ['other'], now)).toBeUndefined();
    expect(
      tokens.verify(token, undefined, new Date('2030-01-01T00:11:00Z')),
    ).toBeUndefined();
    expect(
      tokens.verify(`${token.slice(0, -2)}xx`, undefined, now),
    ).toBeUndefined();
  });
});

describe('rolling update arithmetic', () => {
  it('resolves percentages as the deployment controller does', () => {
    expect(resolveRollingUpdate(10, '25%', '25%')).toEqual({
      surge: 3,
      unavailable: 2,
    });
    expect(resolveRollingUpdate(3, 1, 0)).toEqual({ surge: 1, unavailable: 0 });
    // Both zero would never make progress: one pod may be unavailable.
    expect(resolveRollingUpdate(3, 0, '0%')).toEqual({
      surge: 0,
      unavailable: 1,
    });
  });

  it('names replica sets by a stable, safe-encoded template hash', () => {
    const template = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'a' }] },
    };
    expect(podTemplateHash(template)).toBe(
      podTemplateHash(structuredClone(template)),
    );
    expect(podTemplateHash(template)).toMatch(
      /^[bcdfghjklmnpqrstvwxz2456789]+$/,
    );
    expect(podTemplateHash(template, 1)).not.toBe(podTemplateHash(template));
  });
});

describe('encodeTable', () => {
  it('writes the same text as JSON.stringify(buildTable(…)), whatever the row objects', () => {
    const registry = new ResourceRegistry();
    const pods = registry.find('', 'v1', 'pods')!;
    const pod = (name: string): any => ({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        name,
        namespace: 'default',
        creationTimestamp: '2026-01-01T00:00:00Z',
        labels: { app: 'x' },
        managedFields: [{ manager: 'kubectl', operation: 'Update' }],
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName: 'n1' },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        containerStatuses: [
          { name: 'c', ready: true, restartCount: 2, state: { running: {} } },
        ],
      },
    });
    const items = [pod('a'), pod('b'), pod('c')];
    const now = Date.parse('2026-01-02T03:04:05Z');
    for (const includeObject of ['None', 'Metadata', 'Object'] as const) {
      for (const withColumns of [true, false]) {
        const options = {
          includeObject,
          listMeta: { resourceVersion: '42', continue: 'x' },
          withColumns,
          now,
        };
        // Twice: the second time from the cached row objects.
        for (let i = 0; i < 2; i++) {
          expect(encodeTable(pods, items, options)).toBe(
            JSON.stringify(buildTable(pods, items, options)),
          );
        }
      }
    }
    expect(
      encodeTable(pods, [], { includeObject: 'Metadata', listMeta: {}, now }),
    ).toBe(
      JSON.stringify(
        buildTable(pods, [], { includeObject: 'Metadata', listMeta: {}, now }),
      ),
    );
  });
});
