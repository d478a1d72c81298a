import { stoneCrd } from '@cairn/operators-api';
import { startTestCluster, TestCluster } from './testing';

/*
 * Conformance with kubectl: each expectation is what kubectl prints against
 * a real v1.33 cluster.
 */

jest.setTimeout(60_000);

describe('kubectl against the dev cluster', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ runWorkloads: false });
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('reports the server version and serves discovery for api-resources', async () => {
    const version = await cluster.kubectl(['version', '-o', 'json']);
    expect(JSON.parse(version.stdout).serverVersion.gitVersion).toMatch(
      /^v1\.33\./,
    );

    const resources = await cluster.kubectl(['api-resources', '--no-headers']);
    expect(resources.code).toBe(0);
    const rows = resources.stdout.split('\n').map(l => l.trim().split(/\s+/));
    expect(rows).toContainEqual(['pods', 'po', 'v1', 'true', 'Pod']);
    expect(rows).toContainEqual([
      'deployments',
      'deploy',
      'apps/v1',
      'true',
      'Deployment',
    ]);
    expect(rows).toContainEqual([
      'customresourcedefinitions',
      'crd,crds',
      'apiextensions.k8s.io/v1',
      'false',
      'CustomResourceDefinition',
    ]);

    const all = await cluster.kubectl([
      'api-resources',
      '--categories=all',
      '-o',
      'name',
    ]);
    expect(all.stdout.trim().split('\n').sort()).toEqual([
      'cronjobs.batch',
      'daemonsets.apps',
      'deployments.apps',
      'horizontalpodautoscalers.autoscaling',
      'jobs.batch',
      'pods',
      'replicasets.apps',
      'services',
      'statefulsets.apps',
    ]);
  });

  it('has the system namespaces and the default service account', async () => {
    const ns = await cluster.kubectl(['get', 'namespaces', '-o', 'name']);
    expect(ns.stdout.trim().split('\n')).toEqual([
      'namespace/default',
      'namespace/kube-node-lease',
      'namespace/kube-public',
      'namespace/kube-system',
    ]);
    const sa = await cluster.kubectl([
      'get',
      'serviceaccount',
      'default',
      '-n',
      'default',
      '-o',
      'name',
    ]);
    expect(sa.stdout.trim()).toBe('serviceaccount/default');
  });

  it('creates, reads, labels, scales and deletes like a real cluster', async () => {
    expect(
      (await cluster.kubectl(['create', 'namespace', 'crud'])).stdout,
    ).toBe('namespace/crud created\n');
    expect(
      (
        await cluster.kubectl([
          '-n',
          'crud',
          'create',
          'configmap',
          'settings',
          '--from-literal=color=blue',
        ])
      ).stdout,
    ).toBe('configmap/settings created\n');

    const again = await cluster.kubectl([
      '-n',
      'crud',
      'create',
      'configmap',
      'settings',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      'error: failed to create configmap: configmaps "settings" already exists\n',
    );

    const cm = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'crud',
          'get',
          'cm',
          'settings',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(cm).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: { color: 'blue' },
      metadata: { name: 'settings', namespace: 'crud' },
    });
    expect(cm.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata.creationTimestamp).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );

    expect(
      (
        await cluster.kubectl([
          '-n',
          'crud',
          'label',
          'cm',
          'settings',
          'tier=web',
        ])
      ).stdout,
    ).toBe('configmap/settings labeled\n');
    const selected = await cluster.kubectl([
      '-n',
      'crud',
      'get',
      'cm',
      '-l',
      'tier=web',
      '-o',
      'name',
    ]);
    expect(selected.stdout).toBe('configmap/settings\n');
    const notSelected = await cluster.kubectl([
      '-n',
      'crud',
      'get',
      'cm',
      '-l',
      'tier!=web',
      '-o',
      'name',
    ]);
    expect(notSelected.stdout).toBe('configmap/kube-root-ca.crt\n');

    expect(
      (
        await cluster.kubectl([
          '-n',
          'crud',
          'create',
          'deployment',
          'web',
          '--image=nginx:1.27',
          '--replicas=2',
        ])
      ).stdout,
    ).toBe('deployment.apps/web created\n');
    expect(
      (
        await cluster.kubectl([
          '-n',
          'crud',
          'scale',
          'deployment',
          'web',
          '--replicas=5',
        ])
      ).stdout,
    ).toBe('deployment.apps/web scaled\n');
    expect(
      (
        await cluster.kubectl([
          '-n',
          'crud',
          'set',
          'image',
          'deployment/web',
          'nginx=nginx:1.28',
        ])
      ).stdout,
    ).toBe('deployment.apps/web image updated\n');
    const deployment = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'crud',
          'get',
          'deploy',
          'web',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(deployment.spec.replicas).toBe(5);
    expect(deployment.spec.template.spec.containers).toEqual([
      expect.objectContaining({ name: 'nginx', image: 'nginx:1.28' }),
    ]);
    // Two spec changes after creation.
    expect(deployment.metadata.generation).toBe(3);

    expect(
      (await cluster.kubectl(['-n', 'crud', 'delete', 'cm', 'settings']))
        .stdout,
    ).toBe('configmap "settings" deleted\n');
    const gone = await cluster.kubectl(['-n', 'crud', 'get', 'cm', 'settings']);
    expect(gone.stderr).toBe(
      'Error from server (NotFound): configmaps "settings" not found\n',
    );
  });

  it('prints server-side tables with the columns of a real cluster', async () => {
    await cluster.kubectl(['create', 'namespace', 'tables']);
    await cluster.kubectl([
      '-n',
      'tables',
      'create',
      'deployment',
      'api',
      '--image=busybox',
    ]);
    // The deployment controller creates its replica set and pod (no nodes here: it stays Pending).
    await cluster.kubectl([
      '-n',
      'tables',
      'wait',
      '--for=jsonpath={.status.updatedReplicas}=1',
      'deployment/api',
      '--timeout=20s',
    ]);
    const deployments = await cluster.kubectl([
      '-n',
      'tables',
      'get',
      'deployments',
      '-o',
      'wide',
    ]);
    expect(deployments.stdout.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    expect(deployments.stdout.split('\n')[1].split(/\s+/)).toEqual([
      'api',
      '0/1',
      '1',
      '0',
      expect.stringMatching(/^\d+s$/),
      'busybox',
      'busybox',
      'app=api',
    ]);

    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'tables' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    expect(
      (await cluster.kubectl(['create', '-f', '-'], JSON.stringify(pod)))
        .stdout,
    ).toBe('pod/p created\n');
    const pods = await cluster.kubectl([
      '-n',
      'tables',
      'get',
      'pod',
      'p',
      '-o',
      'wide',
    ]);
    const [header, row] = pods.stdout.split('\n');
    expect(header.split(/\s{2,}/)).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(row.split(/\s+/)).toEqual([
      'p',
      '0/1',
      'Pending',
      '0',
      expect.stringMatching(/^\d+s$/),
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);

    const namespaces = await cluster.kubectl(['get', 'ns', 'tables']);
    expect(namespaces.stdout.split('\n')[0].split(/\s+/)).toEqual([
      'NAME',
      'STATUS',
      'AGE',
    ]);
    expect(namespaces.stdout.split('\n')[1].split(/\s+/)).toEqual([
      'tables',
      'Active',
      expect.stringMatching(/^\d+s$/),
    ]);

    // Kinds without a printer of their own get NAME and CREATED AT.
    const roles = await cluster.kubectl([
      'get',
      'clusterrole',
      'cluster-admin',
    ]);
    expect(roles.stdout.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'CREATED AT',
    ]);
    expect(roles.stdout.split('\n')[1]).toMatch(
      /^cluster-admin\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
  });

  it('answers errors with the status, reason and message kube-apiserver uses', async () => {
    const missingNs = await cluster.kubectl([
      '-n',
      'nowhere',
      'create',
      'configmap',
      'x',
    ]);
    expect(missingNs.stderr).toBe(
      'error: failed to create configmap: namespaces "nowhere" not found\n',
    );

    const badName = await cluster.kubectl(['get', 'pods', '-l', 'a in (b']);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain('Error from server (BadRequest)');

    const invalidName = await cluster.kubectl([
      'create',
      'namespace',
      'Not_Valid',
    ]);
    expect(invalidName.stderr).toBe(
      "The Namespace \"Not_Valid\" is invalid: metadata.name: Invalid value: \"Not_Valid\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n",
    );

    const unknown = await cluster.kubectl(['get', 'widgets']);
    expect(unknown.stderr).toBe(
      `error: the server doesn't have a resource type "widgets"\n`,
    );
  });

  it('terminates namespaces: no new content, contents deleted, finalizers honoured', async () => {
    await cluster.kubectl(['create', 'namespace', 'ending']);
    const held = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'held',
        namespace: 'ending',
        finalizers: ['example.com/hold'],
      },
    };
    await cluster.kubectl(['create', '-f', '-'], JSON.stringify(held));
    await cluster.kubectl([
      '-n',
      'ending',
      'create',
      'secret',
      'generic',
      'plain',
    ]);
    expect(
      (await cluster.kubectl(['delete', 'namespace', 'ending', '--wait=false']))
        .stdout,
    ).toBe('namespace "ending" deleted\n');
    const phase = await cluster.kubectl([
      'get',
      'ns',
      'ending',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    expect(phase.stdout).toBe('Terminating');
    const refused = await cluster.kubectl([
      '-n',
      'ending',
      'create',
      'configmap',
      'late',
    ]);
    expect(refused.stderr).toBe(
      'error: failed to create configmap: configmaps "late" is forbidden: unable to create new content in namespace ending because it is being terminated\n',
    );
    const deleting = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'ending',
          'get',
          'cm',
          'held',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    await cluster.kubectl([
      '-n',
      'ending',
      'patch',
      'cm',
      'held',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    const wait = await cluster.kubectl([
      'wait',
      '--for=delete',
      'namespace/ending',
      '--timeout=20s',
    ]);
    expect(wait.code).toBe(0);
  });

  it('admits pods as kube-apiserver does: service account, tolerations, quota', async () => {
    await cluster.kubectl(['create', 'namespace', 'admit']);
    await cluster.kubectl([
      '-n',
      'admit',
      'create',
      'quota',
      'small',
      '--hard=pods=1',
    ]);
    expect(
      (
        await cluster.kubectl([
          '-n',
          'admit',
          'run',
          'first',
          '--image=busybox',
        ])
      ).stdout,
    ).toBe('pod/first created\n');
    const pod = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'admit',
          'get',
          'pod',
          'first',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(pod.spec.serviceAccountName).toBe('default');
    expect(pod.spec.tolerations).toEqual([
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ]);
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const second = await cluster.kubectl([
      '-n',
      'admit',
      'run',
      'second',
      '--image=busybox',
    ]);
    expect(second.stderr).toBe(
      'Error from server (Forbidden): pods "second" is forbidden: exceeded quota: small, requested: pods=1, used: pods=1, limited: pods=1\n',
    );
  });

  it('collects garbage through ownerReferences: background, foreground and orphan', async () => {
    await cluster.kubectl(['create', 'namespace', 'gc']);
    const withDependent = async (owner: string, dependent: string) => {
      const uid = (
        await cluster.kubectl([
          '-n',
          'gc',
          'create',
          'cm',
          owner,
          '-o',
          'jsonpath={.metadata.uid}',
        ])
      ).stdout;
      const object = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: dependent,
          namespace: 'gc',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: owner,
              uid,
              blockOwnerDeletion: true,
            },
          ],
        },
      };
      await cluster.kubectl(['create', '-f', '-'], JSON.stringify(object));
    };
    const gone = (name: string) =>
      cluster.kubectl([
        '-n',
        'gc',
        'wait',
        '--for=delete',
        `cm/${name}`,
        '--timeout=20s',
      ]);

    await withDependent('bg-owner', 'bg-dependent');
    await cluster.kubectl(['-n', 'gc', 'delete', 'cm', 'bg-owner']);
    expect((await gone('bg-dependent')).code).toBe(0);

    await withDependent('fg-owner', 'fg-dependent');
    // kubectl waits until the owner is gone, which needs its dependent gone first.
    expect(
      (
        await cluster.kubectl([
          '-n',
          'gc',
          'delete',
          'cm',
          'fg-owner',
          '--cascade=foreground',
        ])
      ).code,
    ).toBe(0);
    expect(
      (await cluster.kubectl(['-n', 'gc', 'get', 'cm', 'fg-dependent'])).stderr,
    ).toBe(
      'Error from server (NotFound): configmaps "fg-dependent" not found\n',
    );

    await withDependent('orphan-owner', 'orphan');
    await cluster.kubectl([
      '-n',
      'gc',
      'delete',
      'cm',
      'orphan-owner',
      '--cascade=orphan',
    ]);
    await gone('orphan-owner');
    const orphan = JSON.parse(
      (await cluster.kubectl(['-n', 'gc', 'get', 'cm', 'orphan', '-o', 'json']))
        .stdout,
    );
    expect(orphan.metadata.ownerReferences).toBeUndefined();
  });

  it('applies client-side and server-side, recording field managers', async () => {
    await cluster.kubectl(['create', 'namespace', 'apply']);
    const manifest = (value: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: apply\ndata:\n  key: ${value}\n`;
    expect(
      (await cluster.kubectl(['apply', '-f', '-'], manifest('one'))).stdout,
    ).toBe('configmap/app created\n');
    expect(
      (await cluster.kubectl(['apply', '-f', '-'], manifest('one'))).stdout,
    ).toBe('configmap/app unchanged\n');
    expect(
      (await cluster.kubectl(['apply', '-f', '-'], manifest('two'))).stdout,
    ).toBe('configmap/app configured\n');
    expect(
      (
        await cluster.kubectl(
          ['apply', '--server-side', '-f', '-'],
          manifest('three'),
        )
      ).stdout,
    ).toBe('configmap/app serverside-applied\n');
    const cm = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'apply',
          'get',
          'cm',
          'app',
          '-o',
          'json',
          '--show-managed-fields',
        ])
      ).stdout,
    );
    expect(cm.data).toEqual({ key: 'three' });
    expect(cm.metadata.managedFields).toContainEqual(
      expect.objectContaining({
        manager: 'kubectl',
        operation: 'Apply',
        fieldsV1: { 'f:data': { 'f:key': {} } },
      }),
    );

    const conflict = await cluster.kubectl(
      ['apply', '--server-side', '--field-manager=other', '-f', '-'],
      manifest('four'),
    );
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl" using v1: .data.key',
    );

    const forced = await cluster.kubectl(
      [
        'apply',
        '--server-side',
        '--field-manager=other',
        '--force-conflicts',
        '-f',
        '-',
      ],
      manifest('four'),
    );
    expect(forced.stdout).toBe('configmap/app serverside-applied\n');
  });

  it('records managers of every write, so server-side apply conflicts with them', async () => {
    await cluster.kubectl(['create', 'namespace', 'managers']);
    await cluster.kubectl([
      '-n',
      'managers',
      'create',
      'configmap',
      'owned',
      '--from-literal=a=1',
    ]);
    await cluster.kubectl([
      '-n',
      'managers',
      'patch',
      'configmap',
      'owned',
      '--field-manager=patcher',
      '-p',
      '{"data":{"b":"2"}}',
    ]);
    const cm = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          'managers',
          'get',
          'cm',
          'owned',
          '-o',
          'json',
          '--show-managed-fields',
        ])
      ).stdout,
    );
    expect(
      cm.metadata.managedFields.map((m: any) => [
        m.manager,
        m.operation,
        m.fieldsV1,
      ]),
    ).toEqual([
      ['kubectl-create', 'Update', { 'f:data': { 'f:a': {} } }],
      ['patcher', 'Update', { 'f:data': { 'f:b': {} } }],
    ]);
    const applied = await cluster.kubectl(
      ['apply', '--server-side', '-f', '-'],
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  namespace: managers\ndata:\n  a: "9"\n',
    );
    expect(applied.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.a',
    );
  });

  it('rejects unknown fields with --validate=strict and drops them otherwise', async () => {
    await cluster.kubectl(['create', 'namespace', 'strict']);
    const manifest =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: strict\nbogus: 1\n';
    const strict = await cluster.kubectl(['create', '-f', '-'], manifest);
    expect(strict.stderr).toContain(
      'strict decoding error: unknown field "bogus"',
    );
    const lax = await cluster.kubectl(
      ['create', '--validate=false', '-f', '-'],
      manifest,
    );
    expect(lax.stdout).toBe('configmap/x created\n');
    const stored = JSON.parse(
      (await cluster.kubectl(['-n', 'strict', 'get', 'cm', 'x', '-o', 'json']))
        .stdout,
    );
    expect(stored.bogus).toBeUndefined();
  });

  it('authenticates, authorizes and issues ServiceAccount tokens', async () => {
    expect(
      (await cluster.kubectl(['auth', 'can-i', 'create', 'pods'])).stdout,
    ).toBe('yes\n');
    const whoami = await cluster.kubectl(['auth', 'whoami', '-o', 'json']);
    expect(JSON.parse(whoami.stdout).status.userInfo).toEqual({
      username: 'kubernetes-admin',
      groups: ['system:masters', 'system:authenticated'],
    });

    const token = (
      await cluster.kubectl(['-n', 'default', 'create', 'token', 'default'])
    ).stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const asDefault = [
      '--token',
      token,
      '--client-certificate=',
      '--client-key=',
    ];
    const who = await cluster.kubectl([
      ...asDefault,
      'auth',
      'whoami',
      '-o',
      'json',
    ]);
    expect(JSON.parse(who.stdout).status.userInfo).toMatchObject({
      username: 'system:serviceaccount:default:default',
      groups: [
        'system:serviceaccounts',
        'system:serviceaccounts:default',
        'system:authenticated',
      ],
    });
    const denied = await cluster.kubectl([
      ...asDefault,
      '-n',
      'default',
      'get',
      'pods',
    ]);
    expect(denied.stderr).toBe(
      'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"\n',
    );
    expect(
      (await cluster.kubectl([...asDefault, 'auth', 'can-i', 'list', 'pods']))
        .stdout,
    ).toBe('no\n');

    const bad = await cluster.kubectl([
      '--token',
      'not-a-token',
      '--client-certificate=',
      '--client-key=',
      'get',
      'pods',
    ]);
    expect(bad.stderr).toContain(
      'error: You must be logged in to the server (Unauthorized)',
    );
  });

  it('serves custom resources with printer columns once their CRD is created', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.cairn.dev' },
      spec: {
        group: 'example.cairn.dev',
        scope: 'Namespaced',
        names: {
          plural: 'widgets',
          singular: 'widget',
          kind: 'Widget',
          shortNames: ['wd'],
        },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: { size: { type: 'integer' } },
                  },
                  status: {
                    type: 'object',
                    properties: { phase: { type: 'string' } },
                  },
                },
              },
            },
            subresources: { status: {} },
            additionalPrinterColumns: [
              { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
              { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
              {
                name: 'Age',
                type: 'date',
                jsonPath: '.metadata.creationTimestamp',
              },
            ],
          },
        ],
      },
    };
    expect(
      (await cluster.kubectl(['create', '-f', '-'], JSON.stringify(crd)))
        .stdout,
    ).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.cairn.dev created\n',
    );
    const established = await cluster.kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=20s',
      'crd/widgets.example.cairn.dev',
    ]);
    expect(established.stdout).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.cairn.dev condition met\n',
    );

    const widget =
      'apiVersion: example.cairn.dev/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: default\nspec:\n  size: 3\n';
    expect((await cluster.kubectl(['apply', '-f', '-'], widget)).stdout).toBe(
      'widget.example.cairn.dev/w1 created\n',
    );
    const table = await cluster.kubectl(['get', 'wd', '-n', 'default']);
    expect(table.stdout.split('\n')[0].split(/\s+/)).toEqual([
      'NAME',
      'SIZE',
      'PHASE',
      'AGE',
    ]);
    // A column whose JSONPath finds nothing is a null cell, which kubectl prints blank.
    expect(table.stdout.split('\n')[1]).toMatch(/^w1\s+3\s+\d+s$/);

    const explain = await cluster.kubectl(['explain', 'widgets.spec']);
    expect(explain.stdout).toContain('size\t<integer>');

    expect(
      (await cluster.kubectl(['delete', 'crd', 'widgets.example.cairn.dev']))
        .code,
    ).toBe(0);
    const after = await cluster.kubectl([
      'get',
      '--raw',
      '/apis/example.cairn.dev/v1/namespaces/default/widgets',
    ]);
    expect(after.stderr).toContain('NotFound');
  });

  it("explains fields with Kubernetes' descriptions and a CRD's own", async () => {
    const containers = await cluster.kubectl([
      'explain',
      'pod.spec.containers',
    ]);
    expect(containers.stdout).toContain(
      'DESCRIPTION:\n    List of containers belonging to the pod. Containers cannot currently be\n',
    );
    expect(containers.stdout).toContain('  name\t<string> -required-\n');
    expect(containers.stdout).toContain(
      '  imagePullPolicy\t<string>\n    Image pull policy. One of Always, Never, IfNotPresent.',
    );

    const strategy = await cluster.kubectl([
      'explain',
      'deployment.spec.strategy',
    ]);
    expect(strategy.stdout).toContain('FIELD: strategy <DeploymentStrategy>');
    // The field's own description is not in the client-node models; kubectl
    // prints the type's, as it does beneath the field's on a cluster.
    expect(strategy.stdout).toContain(
      'DeploymentStrategy describes how to replace existing pods with new ones.',
    );
    expect(strategy.stdout).toContain(
      '  type\t<string>\n    Type of deployment. Can be "Recreate" or "RollingUpdate". Default is\n    RollingUpdate.\n',
    );

    expect(
      (await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(stoneCrd)))
        .code,
    ).toBe(0);
    const coordinates = await cluster.kubectl([
      'explain',
      'stones.spec.coordinates',
    ]);
    expect(coordinates.stdout).toContain('FIELD: coordinates <[]Object>\n');
    expect(coordinates.stdout).toContain(
      'The groups of pods and the machines each group runs on.',
    );
    const apiVersion = await cluster.kubectl(['explain', 'stones.apiVersion']);
    expect(apiVersion.stdout).toContain(
      'APIVersion defines the versioned schema of this representation of an',
    );

    // OpenAPI v2, which kubectl reads in its protobuf form.
    const v2 = await cluster.kubectl([
      'explain',
      'pod.spec.containers.name',
      '--output=plaintext-openapiv2',
    ]);
    expect(v2.stdout).toContain(
      'FIELD:    name <string>\n\nDESCRIPTION:\n     Name of the container specified as a DNS_LABEL.',
    );
    const v2Crd = await cluster.kubectl([
      'explain',
      'stones.spec.coordinates',
      '--output=plaintext-openapiv2',
    ]);
    expect(v2Crd.stdout).toContain(
      'The groups of pods and the machines each group runs on.',
    );

    const swagger = JSON.parse(
      (await cluster.kubectl(['get', '--raw', '/openapi/v2'])).stdout,
    );
    expect(swagger.swagger).toBe('2.0');
    expect(
      swagger.definitions['io.k8s.api.v1.PodSpec'].properties.containers,
    ).toMatchObject({
      type: 'array',
      description: expect.stringMatching(/^List of containers belonging/),
      items: { $ref: '#/definitions/io.k8s.api.v1.Container' },
    });
    expect(
      swagger.definitions['io.k8s.api.v1.Deployment'][
        'x-kubernetes-group-version-kind'
      ],
    ).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  });

  it('autoscales with autoscaling/v1, converted to and from the stored v2', async () => {
    await cluster.kubectl(['create', 'namespace', 'hpa']);
    await cluster.kubectl([
      '-n',
      'hpa',
      'create',
      'deployment',
      'web',
      '--image=nginx',
    ]);
    const autoscale = await cluster.kubectl([
      '-n',
      'hpa',
      'autoscale',
      'deployment',
      'web',
      '--min=1',
      '--max=3',
      '--cpu-percent=80',
    ]);
    expect(autoscale.stdout).toBe(
      'horizontalpodautoscaler.autoscaling/web autoscaled\n',
    );
    const getAt = async (resource: string) =>
      JSON.parse(
        (
          await cluster.kubectl([
            '-n',
            'hpa',
            'get',
            resource,
            'web',
            '-o',
            'json',
          ])
        ).stdout,
      );
    const v2 = await getAt('horizontalpodautoscalers.v2.autoscaling');
    expect(v2.apiVersion).toBe('autoscaling/v2');
    expect(v2.spec).toEqual({
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
      },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: 80 },
          },
        },
      ],
    });

    // A metric v1 cannot express travels in its round-trip annotation …
    await cluster.kubectl([
      '-n',
      'hpa',
      'patch',
      'horizontalpodautoscalers.v2.autoscaling',
      'web',
      '--type=json',
      '-p',
      JSON.stringify([
        {
          op: 'add',
          path: '/spec/metrics/-',
          value: {
            type: 'Resource',
            resource: {
              name: 'memory',
              target: { type: 'AverageValue', averageValue: '100Mi' },
            },
          },
        },
      ]),
    ]);
    const v1 = await getAt('horizontalpodautoscalers.v1.autoscaling');
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({
      scaleTargetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
      },
      minReplicas: 1,
      maxReplicas: 3,
      targetCPUUtilizationPercentage: 80,
    });
    expect(
      JSON.parse(
        v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'],
      ),
    ).toEqual([
      {
        type: 'Resource',
        resource: { name: 'memory', targetAverageValue: '100Mi' },
      },
    ]);

    // … so a v1 client's write keeps it.
    await cluster.kubectl([
      '-n',
      'hpa',
      'patch',
      'horizontalpodautoscalers.v1.autoscaling',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"maxReplicas":5}}',
    ]);
    const after = await getAt('horizontalpodautoscalers.v2.autoscaling');
    expect(after.spec.maxReplicas).toBe(5);
    expect(after.spec.metrics.map((m: any) => m.resource.name)).toEqual([
      'cpu',
      'memory',
    ]);
    expect(after.metadata.annotations ?? {}).not.toHaveProperty(
      'autoscaling.alpha.kubernetes.io/metrics',
    );
  });
});
