import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  KubeConfig,
  V1MutatingWebhook,
  V1Pod,
} from '@kubernetes/client-node';
import { ClusterPki, loadOrCreatePki } from '../pki/certificates';
import { startTestCluster, TestCluster } from './testing';

/*
 * MutatingAdmissionWebhook on the dev cluster, driven with client-node and
 * kubectl as against kube-apiserver: a webhook served over HTTPS (with the
 * cluster's own serving certificate, so its CA is the caBundle) is called
 * for the creates its configuration matches, and its patches, refusals,
 * failures and timeouts are applied as Kubernetes documents.
 */

jest.setTimeout(120_000);

let cluster: TestCluster;
let stateDir: string;
let pki: ClusterPki;
let core: CoreV1Api;
let registration: AdmissionregistrationV1Api;
let server: Server;
let url: string;
/** What the webhook answers a review with; 'hang' never answers. */
let answer: (request: any, path: string) => object | 'hang';
const received: Array<{ path: string; request: any }> = [];

const allow = (request: any, patch?: object[]) => ({
  uid: request.uid,
  allowed: true,
  ...(patch
    ? {
        patchType: 'JSONPatch',
        patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
      }
    : {}),
});

const webhook = (
  name: string,
  overrides: Partial<V1MutatingWebhook> = {},
): V1MutatingWebhook => ({
  name,
  admissionReviewVersions: ['v1'],
  sideEffects: 'None',
  clientConfig: {
    url: `${url}/${name}`,
    caBundle: Buffer.from(pki.caCertPem).toString('base64'),
  },
  rules: [
    {
      apiGroups: [''],
      apiVersions: ['v1'],
      operations: ['CREATE'],
      resources: ['pods'],
    },
  ],
  namespaceSelector: { matchLabels: { hooked: 'yes' } },
  ...overrides,
});

async function configure(...webhooks: V1MutatingWebhook[]) {
  await registration
    .deleteMutatingWebhookConfiguration({ name: 'test' })
    .catch(() => undefined);
  await registration.createMutatingWebhookConfiguration({
    body: { metadata: { name: 'test' }, webhooks },
  });
}

const pod = (name: string, labels?: Record<string, string>): V1Pod => ({
  metadata: { name, labels },
  spec: {
    containers: [
      { name: 'app', image: 'busybox:1.36', command: ['sleep', '1d'] },
    ],
  },
});

const refusal = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (error) {
    return JSON.parse((error as { body: string }).body);
  }
  throw new Error('the request was admitted');
};

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'dev-cluster-webhooks-'));
  cluster = await startTestCluster({ tekton: false, stateDir });
  pki = await loadOrCreatePki(path.join(stateDir, 'pki'));
  const config = new KubeConfig();
  config.loadFromFile(cluster.kubeconfigPath);
  core = config.makeApiClient(CoreV1Api);
  registration = config.makeApiClient(AdmissionregistrationV1Api);
  server = createServer(
    { cert: pki.serverCertPem, key: pki.serverKeyPem },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        const { request } = JSON.parse(Buffer.concat(chunks).toString());
        received.push({ path: req.url!, request });
        const response = answer(request, req.url!);
        if (response === 'hang') return;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            response,
          }),
        );
      });
    },
  );
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await core.createNamespace({
    body: { metadata: { name: 'hooked', labels: { hooked: 'yes' } } },
  });
  await core.createNamespace({ body: { metadata: { name: 'plain' } } });
});

beforeEach(() => {
  received.length = 0;
  answer = request => allow(request);
});

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await cluster?.dispose();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('MutatingWebhookConfiguration', () => {
  it('is defaulted as kube-apiserver defaults it', async () => {
    await configure(webhook('defaults.example.com'));
    const [stored] = (
      await registration.readMutatingWebhookConfiguration({ name: 'test' })
    ).webhooks!;
    expect(stored).toMatchObject({
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      objectSelector: {},
      timeoutSeconds: 10,
      reinvocationPolicy: 'Never',
      rules: [expect.objectContaining({ scope: '*' })],
    });
  });

  it('is refused with Kubernetes’ field errors', async () => {
    const result = await cluster.kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: 'bad' },
        webhooks: [
          {
            name: 'bad',
            admissionReviewVersions: ['v1'],
            clientConfig: { url: 'http://127.0.0.1:1/x' },
            timeoutSeconds: 40,
          },
        ],
      }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'The MutatingWebhookConfiguration "bad" is invalid:',
    );
    expect(result.stderr).toContain(
      'webhooks[0].name: Invalid value: "bad": should be a domain with at least three segments separated by dots',
    );
    expect(result.stderr).toContain(
      'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun',
    );
    expect(result.stderr).toContain(
      'webhooks[0].clientConfig.url: Invalid value: "http://127.0.0.1:1/x": \'https\' is the only allowed URL scheme',
    );
    expect(result.stderr).toContain(
      'webhooks[0].timeoutSeconds: Invalid value: 40: the timeout value must be between 1 and 30 seconds',
    );
  });
});

describe('a create through the API', () => {
  it('is reviewed after defaulting and built-in admission, and its JSONPatch applied', async () => {
    await configure(webhook('label.example.com'));
    answer = request =>
      allow(request, [
        {
          op: 'add',
          path: '/metadata/labels',
          value: { placed: 'by-webhook' },
        },
      ]);
    const created = await core.createNamespacedPod({
      namespace: 'hooked',
      body: pod('patched'),
    });
    expect(created.metadata!.labels).toEqual({ placed: 'by-webhook' });
    expect(received).toHaveLength(1);
    const [{ path: called, request }] = received;
    expect(called).toBe('/label.example.com?timeout=10s');
    expect(request).toMatchObject({
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'patched',
      namespace: 'hooked',
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin' },
      dryRun: false,
      oldObject: null,
      options: { kind: 'CreateOptions' },
    });
    // The ServiceAccount plugin ran first, as in kube-apiserver.
    expect(request.object.spec.serviceAccountName).toBe('default');
    // The object stored is the one reviewed, patched: one token volume, not two.
    expect(
      created.spec!.volumes!.filter(v => v.name.startsWith('kube-api-access-')),
    ).toHaveLength(1);
  });

  it('is reviewed before validation: a webhook may fill in a required field', async () => {
    await configure(webhook('image.example.com'));
    answer = request =>
      allow(request, [
        {
          op: 'add',
          path: '/spec/containers/0/image',
          value: 'busybox:1.36',
        },
      ]);
    const body = pod('imageless');
    delete body.spec!.containers[0].image;
    const created = await core.createNamespacedPod({
      namespace: 'hooked',
      body,
    });
    expect(created.spec!.containers[0].image).toBe('busybox:1.36');
  });

  it('is reviewed when kubectl creates, and on a server dry run (sideEffects None)', async () => {
    await configure(webhook('kubectl.example.com'));
    const applied = await cluster.kubectl(
      ['create', '-n', 'hooked', '-f', '-', '--dry-run=server'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...pod('dry') }),
    );
    expect(applied).toMatchObject({ code: 0 });
    expect(received.map(r => r.request.dryRun)).toEqual([true]);
  });

  it('is not sent where namespaceSelector, objectSelector or rules do not match', async () => {
    await configure(
      webhook('selected.example.com', {
        objectSelector: { matchLabels: { app: 'web' } },
      }),
    );
    await core.createNamespacedPod({
      namespace: 'plain',
      body: pod('ns-not', { app: 'web' }),
    });
    await core.createNamespacedPod({
      namespace: 'hooked',
      body: pod('obj-not', { app: 'db' }),
    });
    await core.createNamespacedConfigMap({
      namespace: 'hooked',
      body: { metadata: { name: 'not-a-pod', labels: { app: 'web' } } },
    });
    expect(received).toEqual([]);
    await core.createNamespacedPod({
      namespace: 'hooked',
      body: pod('matched', { app: 'web' }),
    });
    expect(received.map(r => r.request.name)).toEqual(['matched']);
  });

  it("is refused with the webhook's message", async () => {
    await configure(webhook('deny.example.com'));
    answer = request => ({
      uid: request.uid,
      allowed: false,
      status: { code: 403, message: 'pods here need an owner label' },
    });
    const status = await refusal(
      core.createNamespacedPod({ namespace: 'hooked', body: pod('denied') }),
    );
    expect(status).toMatchObject({
      code: 403,
      message:
        'admission webhook "deny.example.com" denied the request: pods here need an owner label',
    });
  });

  it('waits timeoutSeconds, then refuses (Fail) or admits unchanged (Ignore)', async () => {
    answer = () => 'hang';
    await configure(webhook('slow.example.com', { timeoutSeconds: 1 }));
    const status = await refusal(
      core.createNamespacedPod({ namespace: 'hooked', body: pod('slow') }),
    );
    expect(status).toMatchObject({ code: 500, reason: 'InternalError' });
    expect(status.message).toBe(
      `Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "${url}/slow.example.com?timeout=1s": context deadline exceeded`,
    );
    await configure(
      webhook('slow.example.com', {
        timeoutSeconds: 1,
        failurePolicy: 'Ignore',
      }),
    );
    const admitted = await core.createNamespacedPod({
      namespace: 'hooked',
      body: pod('slow'),
    });
    expect(admitted.metadata!.name).toBe('slow');
  });

  it('verifies the server against caBundle', async () => {
    await configure(
      webhook('untrusted.example.com', {
        clientConfig: { url: `${url}/untrusted.example.com` },
      }),
    );
    const status = await refusal(
      core.createNamespacedPod({ namespace: 'hooked', body: pod('untrusted') }),
    );
    expect(status.message).toBe(
      `Internal error occurred: failed calling webhook "untrusted.example.com": failed to call webhook: Post "${url}/untrusted.example.com?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    );
    expect(received).toEqual([]);
  });

  it('reinvokes an IfNeeded webhook once when a later one changed the object', async () => {
    answer = (request, called) => {
      const labels = request.object.metadata.labels ?? {};
      if (called.startsWith('/first.example.com'))
        return allow(
          request,
          labels.first
            ? []
            : [
                {
                  op: 'add',
                  path: '/metadata/labels',
                  value: { ...labels, first: 'yes' },
                },
              ],
        );
      return allow(request, [
        { op: 'add', path: '/metadata/labels/second', value: 'yes' },
      ]);
    };
    await configure(
      webhook('first.example.com', { reinvocationPolicy: 'IfNeeded' }),
      webhook('second.example.com'),
    );
    const created = await core.createNamespacedPod({
      namespace: 'hooked',
      body: pod('reinvoked'),
    });
    expect(created.metadata!.labels).toEqual({ first: 'yes', second: 'yes' });
    expect(received.map(r => r.path.split('?')[0])).toEqual([
      '/first.example.com',
      '/second.example.com',
      '/first.example.com',
    ]);
  });
});
