import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderKustomization } from './kustomize';

/*
 * The renderer's own rules; that it renders operators/dev-cluster as
 * kubectl does is checked against kubectl in operators.test.ts.
 */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kustomize-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function write(file: string, text: string) {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), text);
}

const deployment = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: ns}
spec:
  template:
    spec:
      initContainers: [{name: init, image: "${image}"}]
      containers: [{name: main, image: "${image}"}, {name: other, image: busybox:1.36}]
`;

it('sets the images kustomize names: new name, new tag or digest, keeping what is not replaced', async () => {
  await write('a.yaml', deployment('registry.example:5000/team/app:1.0'));
  await write(
    'kustomization.yaml',
    `resources: [a.yaml]
images:
  - name: registry.example:5000/team/app
    newName: mirror.example/app
`,
  );
  const [renamed] = await renderKustomization(dir);
  expect(
    (renamed as any).spec.template.spec.containers.map((c: any) => c.image),
  ).toEqual(['mirror.example/app:1.0', 'busybox:1.36']);
  expect((renamed as any).spec.template.spec.initContainers[0].image).toBe(
    'mirror.example/app:1.0',
  );

  await write(
    'kustomization.yaml',
    `resources: [a.yaml]
images:
  - {name: registry.example:5000/team/app, digest: "sha256:abc"}
`,
  );
  const [pinned] = await renderKustomization(dir);
  expect((pinned as any).spec.template.spec.containers[0].image).toBe(
    'registry.example:5000/team/app@sha256:abc',
  );
});

it('applies an overlay on its base, patches before images', async () => {
  await write('base/a.yaml', deployment('app:1.0'));
  await write(
    'base/kustomization.yaml',
    'resources: [a.yaml]\nimages: [{name: app, newTag: "2.0"}]\n',
  );
  await write(
    'overlay/patch.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: ns}
spec:
  template:
    spec:
      containers: [{name: main, args: [--dev]}]
`,
  );
  await write(
    'overlay/kustomization.yaml',
    'resources: [../base]\nimages: [{name: app, newTag: dev}]\npatches: [{path: patch.yaml}]\n',
  );
  const [object] = await renderKustomization(path.join(dir, 'overlay'));
  expect((object as any).spec.template.spec.containers[0]).toEqual({
    name: 'main',
    image: 'app:dev',
    args: ['--dev'],
  });
});

it('refuses what it does not implement, and a patch with nothing to patch', async () => {
  await write('a.yaml', deployment('app:1.0'));
  await write('kustomization.yaml', 'resources: [a.yaml]\nnamePrefix: x-\n');
  await expect(renderKustomization(dir)).rejects.toThrow(
    '"namePrefix" is not supported here (only resources, images and patches); use kubectl apply -k',
  );
  await write(
    'kustomization.yaml',
    'resources: [a.yaml]\npatches:\n  - patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}}"\n',
  );
  await expect(renderKustomization(dir)).rejects.toThrow(
    'patches[0]: no Deployment web to patch among the resources',
  );
});
