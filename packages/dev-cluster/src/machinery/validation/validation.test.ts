import { fieldErrorBody, formatFieldError, statusErrors } from '../errors';
import {
  applyDefaults,
  canonicalizeQuantities,
  quantityDecodeError,
  validateCreate,
  validateUpdate,
} from './index';
import {
  podBindingConflict,
  validatePodBinding,
  validatePodEphemeralContainersUpdate,
  validatePodStatusUpdate,
} from './pod';

const messages = (errors: ReturnType<typeof validateCreate>) =>
  errors.map(formatFieldError);

const basePod = (spec: object = {}, metadata: object = {}): any =>
  applyDefaults({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', ...metadata },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], ...spec },
  });

const stored = (obj: any) => ({
  ...obj,
  metadata: {
    ...obj.metadata,
    resourceVersion: '5',
    uid: 'u-1',
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
});

const ns = { namespaced: true };

describe('pod create', () => {
  it('accepts a minimal defaulted pod', () => {
    expect(messages(validateCreate(basePod(), ns))).toEqual([]);
    expect(basePod().spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      containers: [
        { imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' },
      ],
    });
  });

  it('renders the Status kubectl shows for a missing image', () => {
    const pod = basePod({ containers: [{ name: 'app' }] });
    const status = statusErrors.invalid(
      { group: '', kind: 'Pod' },
      'web',
      validateCreate(pod, ns),
    );
    expect(status.message).toBe(
      'Pod "web" is invalid: spec.containers[0].image: Required value',
    );
  });

  it('requires containers and names, rejects duplicates and bad names', () => {
    expect(messages(validateCreate(basePod({ containers: [] }), ns))).toEqual([
      'spec.containers: Required value',
    ]);
    expect(
      messages(
        validateCreate(
          basePod({
            containers: [
              { name: 'app', image: 'a' },
              { name: 'app', image: 'b' },
              { name: 'Bad_Name', image: 'c' },
            ],
          }),
          ns,
        ),
      ),
    ).toEqual([
      'spec.containers[1].name: Duplicate value: "app"',
      `spec.containers[2].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  it('validates object names and the namespace', () => {
    const errors = validateCreate(
      basePod({}, { name: 'Foo', namespace: '' }),
      ns,
    );
    expect(messages(errors)).toEqual([
      `metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      'metadata.namespace: Required value',
    ]);
    expect(messages(validateCreate(basePod({}, { name: '' }), ns))).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ]);
    // A generateName prefix may end with a dash.
    expect(
      messages(
        validateCreate(
          basePod({}, { name: 'web-abcde', generateName: 'web-' }),
          ns,
        ),
      ),
    ).toEqual([]);
  });

  it('rejects unsupported enum values with the supported list', () => {
    expect(
      messages(validateCreate(basePod({ restartPolicy: 'Sometimes' }), ns)),
    ).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    expect(
      messages(
        validateCreate(
          basePod({
            containers: [
              {
                name: 'a',
                image: 'x',
                ports: [{ containerPort: 80, protocol: 'HTTP' }],
              },
            ],
          }),
          ns,
        ),
      ),
    ).toEqual([
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
  });

  it('checks ports, volume mounts and resources', () => {
    const pod = basePod({
      volumes: [{ name: 'cache', emptyDir: {} }],
      containers: [
        {
          name: 'app',
          image: 'x',
          ports: [
            { containerPort: 0 },
            { containerPort: 70000, name: 'http' },
            { containerPort: 81, name: 'http' },
          ],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          resources: {
            requests: { cpu: '2', memory: '64Mi' },
            limits: { cpu: '1' },
          },
        },
      ],
    });
    expect(messages(validateCreate(pod, ns))).toEqual([
      'spec.containers[0].ports[0].containerPort: Required value',
      'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[2].name: Duplicate value: "http"',
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]);
  });

  it('rejects host port clashes between containers, not between init containers', () => {
    const port = { containerPort: 80, hostPort: 8080 };
    const pod = basePod({
      containers: [
        { name: 'a', image: 'x', ports: [port] },
        { name: 'b', image: 'x', ports: [port] },
      ],
      initContainers: [
        { name: 'i1', image: 'x', ports: [port] },
        { name: 'i2', image: 'x', ports: [port] },
      ],
    });
    expect(messages(validateCreate(pod, ns))).toEqual([
      'spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"',
    ]);
  });

  it('validates probes and lifecycle handlers, after defaulting them', () => {
    const pod = basePod({
      containers: [
        {
          name: 'app',
          image: 'x',
          livenessProbe: { httpGet: { port: 'web-http-port-too-long' } },
          readinessProbe: { exec: {}, tcpSocket: { port: 80 } },
          startupProbe: {},
          lifecycle: { preStop: { httpGet: { port: 70000 } } },
        },
      ],
    });
    expect(pod.spec.containers[0].livenessProbe).toEqual({
      httpGet: { path: '/', scheme: 'HTTP', port: 'web-http-port-too-long' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(messages(validateCreate(pod, ns))).toEqual([
      'spec.containers[0].livenessProbe.httpGet.port: Invalid value: "web-http-port-too-long": must be no more than 15 characters',
      'spec.containers[0].readinessProbe.exec.command: Required value',
      'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].startupProbe: Required value: must specify a handler type',
      'spec.containers[0].lifecycle.preStop.httpGet.path: Required value',
      'spec.containers[0].lifecycle.preStop.httpGet.port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
  });

  it('defaults requests to limits for pods', () => {
    const pod = basePod({
      containers: [
        { name: 'a', image: 'x', resources: { limits: { cpu: '1' } } },
      ],
    });
    expect(pod.spec.containers[0].resources.requests).toEqual({ cpu: '1' });
  });

  it('forbids ephemeral containers on create', () => {
    const pod = basePod({
      ephemeralContainers: [{ name: 'debug', image: 'busybox' }],
    });
    expect(messages(validateCreate(pod, ns))).toEqual([
      'spec.ephemeralContainers: Forbidden: cannot be set on create',
    ]);
  });

  it('validates tolerations', () => {
    const pod = basePod({
      tolerations: [
        { operator: 'Equal', value: 'x' },
        { key: 'k', operator: 'Exists', value: 'v' },
        {
          key: 'k',
          operator: 'Equal',
          tolerationSeconds: 5,
          effect: 'NoSchedule',
        },
      ],
    });
    expect(messages(validateCreate(pod, ns))).toEqual([
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      `spec.tolerations[1].operator: Invalid value: {"key":"k","operator":"Exists","value":"v"}: value must be empty when \`operator\` is 'Exists'`,
      'spec.tolerations[2].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
    ]);
  });
});

describe('pod update', () => {
  const old = stored(
    basePod({
      tolerations: [
        {
          key: 'a',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 10,
        },
      ],
    }),
  );
  const update = (change: (pod: any) => void) => {
    const next = structuredClone(old);
    change(next);
    return validateUpdate(next, old, ns);
  };

  it('allows image changes, new tolerations and a first activeDeadlineSeconds', () => {
    expect(
      messages(
        update(pod => {
          pod.spec.containers[0].image = 'nginx:1.26';
          pod.spec.tolerations[0].tolerationSeconds = 20;
          pod.spec.tolerations.push({ key: 'b', operator: 'Exists' });
          pod.spec.activeDeadlineSeconds = 100;
          pod.metadata.labels = { changed: 'yes' };
        }),
      ),
    ).toEqual([]);
  });

  it('forbids any other spec change, with the Kubernetes message and a diff', () => {
    const errors = update(pod => {
      pod.spec.nodeName = 'node-b';
    });
    expect(errors).toHaveLength(1);
    const [first, ...diff] = fieldErrorBody(errors[0]).split('\n');
    expect(first).toBe(
      'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
    expect(diff).toEqual(['+ spec.nodeName: "node-b"']);
    expect(errors[0].field).toBe('spec');
  });

  it('forbids adding containers and changing existing tolerations', () => {
    expect(
      messages(
        update(pod =>
          pod.spec.containers.push({ ...pod.spec.containers[0], name: 'two' }),
        ),
      ),
    ).toEqual([
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    ]);
    expect(
      messages(update(pod => (pod.spec.tolerations[0].key = 'z'))),
    ).toEqual([
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    ]);
  });

  it('allows activeDeadlineSeconds only to decrease', () => {
    const withDeadline = stored({
      ...old,
      spec: { ...old.spec, activeDeadlineSeconds: 50 },
    });
    const raise = structuredClone(withDeadline);
    raise.spec.activeDeadlineSeconds = 60;
    expect(messages(validateUpdate(raise, withDeadline, ns))).toEqual([
      'spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value',
    ]);
    const unset = structuredClone(withDeadline);
    delete unset.spec.activeDeadlineSeconds;
    expect(messages(validateUpdate(unset, withDeadline, ns))).toEqual([
      'spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value',
    ]);
  });

  it('allows terminationGracePeriodSeconds to go from negative to 1', () => {
    const negative = stored({
      ...old,
      spec: { ...old.spec, terminationGracePeriodSeconds: -1 },
    });
    const next = structuredClone(negative);
    next.spec.terminationGracePeriodSeconds = 1;
    expect(validateUpdate(next, negative, ns)).toEqual([]);
  });

  it('keeps identity metadata immutable and needs a resourceVersion', () => {
    expect(
      messages(
        update(pod => {
          pod.metadata.name = 'other';
          delete pod.metadata.resourceVersion;
        }),
      ),
    ).toEqual([
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.name: Invalid value: "other": field is immutable',
    ]);
  });
});

describe('pod status subresource', () => {
  it('checks the metadata rules only: a pod stored before a spec rule tightened still gets its status', () => {
    // A container name today's rules refuse (upper case), as an older
    // server may have stored it; its kubelet must still report status.
    const old = stored(
      basePod({ containers: [{ name: 'App', image: 'nginx:1.25' }] }),
    );
    expect(messages(validateUpdate(structuredClone(old), old, ns))).toEqual([
      expect.stringContaining('spec.containers[0].name'),
    ]);
    const reported = { ...old, status: { phase: 'Running' } };
    expect(validatePodStatusUpdate(reported, old)).toEqual([]);
    expect(
      messages(
        validatePodStatusUpdate(
          { ...reported, metadata: { ...old.metadata, resourceVersion: '' } },
          old,
        ),
      ),
    ).toEqual([
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
    ]);
  });
});

describe('ephemeral containers subresource', () => {
  const old = stored(basePod());
  const withDebug = (container: object) => {
    const next = structuredClone(old);
    next.spec.ephemeralContainers = [
      {
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
        ...container,
      },
    ];
    return next;
  };

  it('allows adding one', () => {
    expect(
      validatePodEphemeralContainersUpdate(
        withDebug({
          name: 'debug',
          image: 'busybox',
          targetContainerName: 'app',
        }),
        old,
      ),
    ).toEqual([]);
  });

  it('requires unique names across all containers and a real target', () => {
    expect(
      messages(
        validatePodEphemeralContainersUpdate(
          withDebug({
            name: 'app',
            image: 'busybox',
            targetContainerName: 'nope',
          }),
          old,
        ),
      ),
    ).toEqual([
      'spec.ephemeralContainers[0].name: Invalid value: "app": must be unique among all containers, init containers and ephemeral containers',
      'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
    ]);
  });

  it('forbids fields ephemeral containers may not set', () => {
    expect(
      messages(
        validatePodEphemeralContainersUpdate(
          withDebug({
            name: 'debug',
            image: 'busybox',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
          }),
          old,
        ),
      ),
    ).toEqual([
      'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
    ]);
  });

  it('forbids removing or changing an existing one', () => {
    const added = withDebug({ name: 'debug', image: 'busybox' });
    const removed = structuredClone(added);
    removed.spec.ephemeralContainers = [];
    expect(
      messages(validatePodEphemeralContainersUpdate(removed, added)),
    ).toEqual([
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debug" may not be removed\n',
    ]);
    const changed = structuredClone(added);
    changed.spec.ephemeralContainers[0].image = 'alpine';
    const [error] = validatePodEphemeralContainersUpdate(changed, added);
    expect(fieldErrorBody(error).split('\n')[0]).toBe(
      'Forbidden: existing ephemeral containers "debug" may not be changed',
    );
  });
});

describe('deployments and replicasets', () => {
  const deployment = (spec: object = {}): any =>
    applyDefaults({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'nginx' }] },
        },
        ...spec,
      },
    });

  it('accepts a defaulted deployment', () => {
    const d = deployment();
    expect(d.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    expect(messages(validateCreate(d, ns))).toEqual([]);
  });

  it('reports a selector that does not match the template labels', () => {
    const d = deployment({ selector: { matchLabels: { app: 'api' } } });
    const status = statusErrors.invalid(
      { group: 'apps', kind: 'Deployment' },
      'web',
      validateCreate(d, ns),
    );
    expect(status.message).toBe(
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    );
  });

  it('requires a non-empty selector and valid strategy', () => {
    expect(
      messages(validateCreate(deployment({ selector: undefined }), ns)),
    ).toEqual(['spec.selector: Required value']);
    expect(messages(validateCreate(deployment({ selector: {} }), ns))).toEqual([
      'spec.selector: Invalid value: {}: empty selector is invalid for deployment',
    ]);
    expect(
      messages(
        validateCreate(
          deployment({
            strategy: {
              type: 'RollingUpdate',
              rollingUpdate: { maxSurge: 0, maxUnavailable: '110%' },
            },
          }),
          ns,
        ),
      ),
    ).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "110%": must not be greater than 100%',
    ]);
    expect(
      messages(
        validateCreate(
          deployment({
            strategy: {
              type: 'RollingUpdate',
              rollingUpdate: { maxSurge: 0, maxUnavailable: 0 },
            },
          }),
          ns,
        ),
      ),
    ).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ]);
  });

  it('only allows restartPolicy Always in templates', () => {
    const d = deployment();
    d.spec.template.spec.restartPolicy = 'Never';
    expect(messages(validateCreate(d, ns))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });

  it('makes the selector immutable in apps/v1', () => {
    const old = stored(deployment());
    const next = structuredClone(old);
    next.spec.selector = { matchLabels: { app: 'web', v: '2' } };
    next.spec.template.metadata.labels.v = '2';
    expect(messages(validateUpdate(next, old, ns))).toEqual([
      'spec.selector: Invalid value: {"matchLabels":{"app":"web","v":"2"}}: field is immutable',
    ]);
  });

  it('validates replicasets the same way', () => {
    const rs = applyDefaults({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-1', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'a', image: 'b' }] },
        },
      },
    });
    expect(messages(validateCreate(rs, ns))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ]);
  });
});

describe('other core kinds', () => {
  it('validates namespace names as DNS labels', () => {
    const errors = validateCreate(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } },
      { namespaced: false },
    );
    expect(messages(errors)[0]).toMatch(
      /^metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label/,
    );
    expect(
      messages(
        validateCreate(
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: 'ok', namespace: 'x' },
          },
          { namespaced: false },
        ),
      ),
    ).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
  });

  it('validates services and keeps the cluster IP', () => {
    const service = applyDefaults({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: '1web', namespace: 'default' },
      spec: { ports: [{ port: 80 }, { port: 81 }] },
    });
    expect(messages(validateCreate(service, ns))).toEqual([
      `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      'spec.ports[0].name: Required value',
      'spec.ports[1].name: Required value',
    ]);
    const old = stored(
      applyDefaults({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'd' },
        spec: {
          clusterIP: '10.0.0.1',
          clusterIPs: ['10.0.0.1'],
          ports: [{ port: 80 }],
        },
      }),
    );
    const next = structuredClone(old);
    next.spec.clusterIP = '10.0.0.2';
    next.spec.clusterIPs = ['10.0.0.2'];
    expect(messages(validateUpdate(next, old, ns))).toEqual([
      'spec.clusterIPs[0]: Invalid value: "10.0.0.2": may not change once set',
    ]);
  });

  it('validates configmap keys and immutability', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'd' },
      data: { 'bad key': 'x' },
    };
    expect(messages(validateCreate(cm, ns))).toEqual([
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
    const old = stored({ ...cm, data: { a: '1' }, immutable: true });
    const next = { ...structuredClone(old), data: { a: '2' } };
    expect(messages(validateUpdate(next, old, ns))).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });

  it('folds stringData into data as the API server does', () => {
    const secret = applyDefaults({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'd' },
      data: { a: 'b2xk', b: 'Yg==' },
      stringData: { a: 'new', c: 'ünï' },
    });
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'd' },
      type: 'Opaque',
      data: { a: 'bmV3', b: 'Yg==', c: 'w7xuw68=' },
    });
  });

  it('validates secrets by type and keeps the type immutable', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'd' },
      type: 'kubernetes.io/tls',
      data: {},
    };
    expect(messages(validateCreate(secret, ns))).toEqual([
      'data[tls.crt]: Required value',
      'data[tls.key]: Required value',
    ]);
    const old = stored({ ...secret, type: 'Opaque' });
    const next = {
      ...structuredClone(old),
      type: 'kubernetes.io/basic-auth',
      data: { username: 'YQ==' },
    };
    expect(messages(validateUpdate(next, old, ns))).toEqual([
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
    ]);
  });

  it('validates node taints', () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: {
        taints: [
          { key: 'a', effect: 'NoSchedule' },
          { key: 'a', effect: 'NoSchedule' },
          { key: 'b' },
        ],
      },
    };
    expect(messages(validateCreate(node, { namespaced: false }))).toEqual([
      'spec.taints[1]: Duplicate value: {"key":"a","effect":"NoSchedule"}: taints must be unique by key and effect pair',
      'spec.taints[2].effect: Required value',
    ]);
  });

  it('keeps a PVC spec immutable except a bound claim growing', () => {
    const old = stored({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'd' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
        storageClassName: 'standard',
      },
      status: { phase: 'Bound', capacity: { storage: '1Gi' } },
    });
    const grow = structuredClone(old);
    grow.spec.resources.requests.storage = '2Gi';
    expect(validateUpdate(grow, old, ns)).toEqual([]);
    const change = structuredClone(old);
    change.spec.storageClassName = 'fast';
    expect(
      fieldErrorBody(validateUpdate(change, old, ns)[0]).split('\n')[0],
    ).toBe(
      'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
  });

  it('limits annotation size and validates names of other kinds as subdomains', () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'Any:Name', namespace: 'd' },
    };
    expect(validateCreate(role, ns)).toEqual([]);
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'l',
        namespace: 'd',
        annotations: { a: 'x'.repeat(256 * 1024) },
      },
    };
    expect(messages(validateCreate(lease, ns))).toEqual([
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
  });
});

describe('quantities in objects', () => {
  it('stores resource quantities in canonical form', () => {
    const pod = applyDefaults({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'd' },
      spec: {
        containers: [
          {
            name: 'a',
            image: 'x',
            resources: { requests: { cpu: 0.5, memory: '1024Mi' } },
          },
        ],
      },
    });
    expect(pod.spec.containers[0].resources.requests).toEqual({
      cpu: '500m',
      memory: '1Gi',
    });
    const deployment = applyDefaults({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'd' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'a',
                image: 'x',
                resources: { limits: { cpu: '1000m' } },
              },
            ],
          },
        },
      },
    });
    expect(
      deployment.spec.template.spec.containers[0].resources.limits,
    ).toEqual({ cpu: '1' });
  });

  it('copies only what it rewrites and never modifies its argument', () => {
    const input = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'd', labels: { a: 'b' } },
      spec: {
        containers: [
          { name: 'a', image: 'x', resources: { requests: { cpu: '1' } } },
          { name: 'b', image: 'x', resources: { limits: { cpu: '2000m' } } },
        ],
        tolerations: [{ key: 'k', operator: 'Exists' }],
      },
      status: { phase: 'Pending' },
    };
    const before = structuredClone(input);
    const out = canonicalizeQuantities(input);
    expect(input).toEqual(before);
    expect(out).toEqual({
      ...before,
      spec: {
        ...before.spec,
        containers: [
          before.spec.containers[0],
          { name: 'b', image: 'x', resources: { limits: { cpu: '2' } } },
        ],
      },
    });
    // A new object with its own metadata; unchanged parts are shared.
    expect(out).not.toBe(input);
    expect(out.metadata).not.toBe(input.metadata);
    expect(out.status).toBe(input.status);
    expect(out.spec.tolerations).toBe(input.spec.tolerations);
    expect(out.spec.containers[0]).toBe(input.spec.containers[0]);
    // Already canonical: only the top level and metadata are new.
    const again = canonicalizeQuantities(out);
    expect(again).toEqual(out);
    expect(again.spec).toBe(out.spec);
  });

  it('reports a value that is not a quantity as the decoder does', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: {
        containers: [{ name: 'a', resources: { limits: { cpu: 'lots' } } }],
      },
    };
    expect(quantityDecodeError(pod)).toBe(
      'Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
    );
    expect(quantityDecodeError(basePod())).toBeUndefined();
  });
});

describe('rbac objects', () => {
  const binding = (roleRef: object, subjects: object[]): any =>
    applyDefaults({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'ns', resourceVersion: '1' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
      subjects,
    });

  it('validates rules', () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r', namespace: 'ns' },
      rules: [
        { resources: ['pods'] },
        { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      ],
    };
    expect(messages(validateCreate(role, ns))).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
    ]);
  });

  it('defaults and validates subjects and role references', () => {
    expect(
      binding({ kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'bob' }])
        .subjects[0].apiGroup,
    ).toBe('rbac.authorization.k8s.io');
    expect(
      messages(
        validateCreate(
          binding({ kind: 'Secret', name: 'r' }, [
            { kind: 'Robot', name: 'x' },
          ]),
          ns,
        ),
      ),
    ).toEqual([
      'roleRef.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole"',
      'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
    const clusterBinding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'c' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'r',
      },
      subjects: [{ kind: 'ServiceAccount', name: 'sa' }],
    };
    expect(
      messages(validateCreate(clusterBinding, { namespaced: false })),
    ).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
    ]);
  });

  it('never lets a binding change its roleRef', () => {
    const old = binding({ kind: 'ClusterRole', name: 'view' }, []);
    const next = binding({ kind: 'ClusterRole', name: 'edit' }, []);
    expect(messages(validateUpdate(next, old, ns))).toEqual([
      'roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"}: cannot change roleRef',
    ]);
  });
});

describe('custom resource definitions', () => {
  const crd = (spec: object = {}, name = 'stones.rollouts.cairn.dev'): any =>
    applyDefaults({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
      spec: {
        group: 'rollouts.cairn.dev',
        scope: 'Namespaced',
        names: { plural: 'stones', kind: 'Stone' },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object' } },
              },
            },
          },
        ],
        ...spec,
      },
    });
  const cluster = { namespaced: false };

  it('accepts a well-formed CRD and defaults its names', () => {
    expect(messages(validateCreate(crd(), cluster))).toEqual([]);
    expect(crd().spec.names).toEqual({
      plural: 'stones',
      kind: 'Stone',
      singular: 'stone',
      listKind: 'StoneList',
    });
  });

  it('requires the <plural>.<group> name, a dotted group and a scope', () => {
    expect(
      messages(
        validateCreate(
          crd({ group: 'cairn', scope: 'Global' }, 'stones.cairn'),
          cluster,
        ),
      ),
    ).toEqual([
      'spec.group: Invalid value: "cairn": should be a domain with at least one dot',
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ]);
    expect(
      messages(validateCreate(crd({}, 'stone.rollouts.cairn.dev'), cluster)),
    ).toEqual([
      'metadata.name: Invalid value: "stone.rollouts.cairn.dev": must be spec.names.plural+"."+spec.group',
    ]);
  });

  it('requires structural schemas and exactly one storage version', () => {
    const errors = validateCreate(
      crd({
        versions: [
          { name: 'v1', served: true, storage: false },
          {
            name: 'v2',
            served: true,
            storage: false,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: { properties: { tags: { type: 'array' } } },
                },
              },
            },
          },
        ],
      }),
      cluster,
    ).map(formatFieldError);
    expect(errors).toEqual([
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
      'spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
      'spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[tags].items: Required value: must be specified',
      expect.stringMatching(
        /^spec.versions: Invalid value: .*: must have exactly one version marked as storage version$/,
      ),
    ]);
  });

  it('keeps the group and plural immutable', () => {
    const old = stored(crd());
    const next = structuredClone(old);
    next.spec.names.plural = 'rocks';
    next.metadata.name = 'rocks.rollouts.cairn.dev';
    expect(messages(validateUpdate(next, old, cluster))).toEqual([
      'metadata.name: Invalid value: "rocks.rollouts.cairn.dev": field is immutable',
      'spec.names.plural: Invalid value: "rocks": field is immutable',
    ]);
  });
});

describe('storage', () => {
  const cluster = { namespaced: false };
  const storageClass = (extra: object = {}): any =>
    applyDefaults({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard' },
      provisioner: 'rancher.io/local-path',
      ...extra,
    });

  it('defaults and validates storage classes', () => {
    expect(storageClass()).toMatchObject({
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    });
    expect(messages(validateCreate(storageClass(), cluster))).toEqual([]);
    expect(
      messages(
        validateCreate(
          storageClass({
            reclaimPolicy: 'Recycle',
            volumeBindingMode: 'Later',
          }),
          cluster,
        ),
      ),
    ).toEqual([
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ]);
  });

  it('forbids changing parameters and the provisioner', () => {
    const old = stored(storageClass({ parameters: { type: 'ssd' } }));
    const next = {
      ...structuredClone(old),
      parameters: { type: 'hdd' },
      provisioner: 'other.io/p',
    };
    expect(messages(validateUpdate(next, old, cluster))).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
    ]);
  });

  it('validates persistent volumes', () => {
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: '1Gi' },
        hostPath: { path: '/data' },
      },
    };
    expect(validateCreate(pv, cluster)).toEqual([]);
    expect(
      messages(
        validateCreate(
          { ...pv, spec: { capacity: { storage: '1Gi' } } },
          cluster,
        ),
      ),
    ).toEqual([
      'spec.accessModes: Required value',
      'spec: Required value: must specify a volume type',
    ]);
  });
});

describe('quota and limit objects', () => {
  it('validates quota resource names and values', () => {
    const quota = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: 'd' },
      spec: {
        hard: {
          'count/deployments.apps': '2',
          gpus: '1',
          pods: '1.5',
          'requests.cpu': '-1',
        },
      },
    };
    expect(messages(validateCreate(quota, ns))).toEqual([
      'spec.hard[gpus]: Invalid value: "gpus": must be a standard resource for quota',
      'spec.hard[pods]: Invalid value: "1500m": must be an integer',
      'spec.hard[requests.cpu]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
  });

  it('orders min, defaults and max in a LimitRange', () => {
    const range = applyDefaults({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'l', namespace: 'd' },
      spec: {
        limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }],
      },
    });
    expect(messages(validateCreate(range, ns))).toEqual([
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
      'spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
    ]);
  });
});

describe('pod binding', () => {
  it('validates the binding target', () => {
    expect(messages(validatePodBinding({ target: { kind: 'Pod' } }))).toEqual([
      'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
      'target.name: Required value',
    ]);
  });

  it('refuses to bind a pod twice with a 409 on pods/binding', () => {
    expect(podBindingConflict(basePod({ nodeName: 'n1' }))).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "n1"',
      details: { name: 'web', kind: 'pods/binding' },
    });
    expect(podBindingConflict(basePod())).toBeUndefined();
  });
});

describe('events', () => {
  const event = (extra: object) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.1', namespace: 'shop' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'shop' },
    reason: 'Scheduled',
    ...extra,
  });

  it('requires the involved object in the event namespace', () => {
    expect(validateCreate(event({}), ns)).toEqual([]);
    expect(
      messages(
        validateCreate(
          event({
            involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' },
          }),
          ns,
        ),
      ),
    ).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });

  it('requires the reporting fields of new-style events', () => {
    expect(
      messages(
        validateCreate(event({ eventTime: '2026-11-25T00:00:00.000000Z' }), ns),
      ),
    ).toEqual([
      'reportingComponent: Required value',
      'reportingInstance: Required value',
      'action: Required value',
    ]);
  });
});
