import { clusterObjectTemplateYaml } from './clusterTemplate';

describe('clusterObjectTemplateYaml', () => {
  it('keeps the template and drops what the cluster, installs and entities added', () => {
    expect(
      clusterObjectTemplateYaml({
        apiVersion: 'tekton.dev/v1',
        kind: 'Task',
        metadata: {
          name: 'greet',
          namespace: 'shop',
          uid: 'u-1',
          resourceVersion: '42',
          generation: 3,
          creationTimestamp: '2026-12-07T10:00:00Z',
          managedFields: [{ manager: 'kubectl' }],
          labels: {
            'app.kubernetes.io/version': '0.1',
            'backstage.io/kubernetes-id': 'payments-api',
            team: 'payments',
          },
          annotations: {
            'cairn.dev/template': 'Task/greet',
            'cairn.dev/template-version': '0.1',
            'cairn.dev/template-digest': 'sha256:00',
            'kubectl.kubernetes.io/last-applied-configuration': '{}',
            'tekton.dev/tags': 'hello',
          },
        },
        spec: { steps: [{ name: 'greet', image: 'alpine' }] },
        status: {},
      }),
    ).toBe(`apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: greet
  labels:
    team: payments
  annotations:
    tekton.dev/tags: hello
spec:
  steps:
    - name: greet
      image: alpine
`);
  });
});
