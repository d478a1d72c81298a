import { startTestCluster, TestCluster } from './testing';

/*
 * networking.k8s.io/v1 Ingresses and NetworkPolicies: stored, validated and
 * printed as kube-apiserver does, and said to be not enforced.
 */

jest.setTimeout(60_000);

const NS = 'net';

describe('Ingresses and NetworkPolicies on the dev cluster', () => {
  let cluster: TestCluster;
  const kubectl = (...args: string[]) => cluster.kubectl(['-n', NS, ...args]);
  const apply = (yaml: string) => cluster.kubectl(['apply', '-f', '-'], yaml);

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false, runWorkloads: false });
    await cluster.kubectl(['create', 'namespace', NS]);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('stores an Ingress, prints it, and says in its events that nothing routes it', async () => {
    const applied = await apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: ${NS}}
spec:
  ingressClassName: nginx
  tls:
  - hosts: [web.example.com]
    secretName: web-tls
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80}}
`);
    expect(applied.stdout).toBe('ingress.networking.k8s.io/web created\n');
    expect((await kubectl('get', 'ingress')).stdout).toMatch(
      /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nweb\s+nginx\s+web\.example\.com\s+80, 443\s+\d+s\n$/,
    );
    const created = await kubectl(
      'create',
      'ingress',
      'simple',
      '--rule=foo.example.com/bar=svc1:8080',
    );
    expect(created.stdout).toBe('ingress.networking.k8s.io/simple created\n');
    const simple = JSON.parse(
      (await kubectl('get', 'ingress', 'simple', '-o', 'json')).stdout,
    );
    expect(simple.spec.rules[0].http.paths[0]).toEqual({
      path: '/bar',
      pathType: 'Exact',
      backend: { service: { name: 'svc1', port: { number: 8080 } } },
    });
    await kubectl(
      'wait',
      '--for=jsonpath={.items[0].reason}=NotEnforced',
      'events',
      '--field-selector',
      'involvedObject.name=web,involvedObject.kind=Ingress',
      '--timeout=10s',
    );
    const described = (await kubectl('describe', 'ingress', 'web')).stdout;
    expect(described).toMatch(
      /Warning\s+NotEnforced\s+.*The dev cluster stores Ingresses but runs no ingress controller: no traffic is routed by this Ingress/,
    );
  });

  it('rejects an Ingress Kubernetes rejects', async () => {
    const bad = await apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bad, namespace: ${NS}}
spec:
  rules:
  - host: Bad_Host
    http:
      paths:
      - path: relative
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80, name: http}}
      - path: /
        backend:
          service: {name: web, port: {number: 80}}
`);
    expect(bad.stderr).toContain(
      'spec.rules[0].host: Invalid value: "Bad_Host"',
    );
    expect(bad.stderr).toContain(
      'spec.rules[0].http.paths[0].path: Invalid value: "relative": must be an absolute path',
    );
    expect(bad.stderr).toContain(
      'spec.rules[0].http.paths[0].backend.service.port: Invalid value',
    );
    expect(bad.stderr).toContain(
      'spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified',
    );
  });

  it('stores a NetworkPolicy with its defaults and says it is not enforced', async () => {
    const applied = await apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: ${NS}}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: api}}
    ports:
    - port: 5432
`);
    expect(applied.stdout).toBe('networkpolicy.networking.k8s.io/db created\n');
    const policy = JSON.parse(
      (await kubectl('get', 'netpol', 'db', '-o', 'json')).stdout,
    );
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress[0].ports).toEqual([
      { port: 5432, protocol: 'TCP' },
    ]);
    expect((await kubectl('get', 'netpol')).stdout).toMatch(
      /^NAME\s+POD-SELECTOR\s+AGE\ndb\s+app=db\s+\d+s\n$/,
    );
    // kubectl describe networkpolicy prints no events; kubectl get events does.
    const events = await kubectl(
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=db,involvedObject.kind=NetworkPolicy',
      '-o',
      'jsonpath={.items[*].message}',
    );
    expect(events.stdout).toBe(
      'The dev cluster stores NetworkPolicies but does not enforce them: pods can reach each other regardless of this policy',
    );
    const bad = await apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: ${NS}}
spec:
  podSelector: {}
  policyTypes: [Sideways]
  egress:
  - to:
    - ipBlock: {cidr: nonsense}
`);
    expect(bad.stderr).toContain(
      'spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    );
    expect(bad.stderr).toContain(
      'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "nonsense"',
    );
  });
});
