import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageCatalog, parseImageCatalog } from './imageCatalog';

const catalog = ImageCatalog.load();

function pulled(image: string) {
  const pull = catalog.pull(image);
  if (!pull.ok) throw new Error(`expected ${image} to pull: ${pull.message}`);
  return pull;
}

describe('the shipped image catalog', () => {
  it.each([
    'busybox:1.35',
    'busybox:1.36',
    'busybox:1.37',
    'busybox',
    'docker.io/library/busybox:1.36',
    'alpine:3.18',
    'alpine:3.21',
    'alpine:3',
    'nginx:1.25',
    'nginx:1.27',
    'nginx:1.28',
    'nicolaka/netshoot:latest',
    'mirror.gcr.io/ubuntu',
  ])('pulls %s', image => {
    expect(pulled(image).imageID).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  it('reports the digest of the reference that runs, the same for a tag and for latest when latest is that tag', () => {
    expect(pulled('busybox:1.36').imageID).toMatch(
      /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/,
    );
    expect(pulled('busybox:1.36').imageID).toBe(
      pulled('docker.io/library/busybox:1.36').imageID,
    );
    expect(pulled('busybox:1.36').imageID).not.toBe(
      pulled('busybox:1.37').imageID,
    );
    expect(pulled('busybox').imageID).toBe(pulled('busybox:1.37.0').imageID);
    // A mirror serves the same digests under its own name.
    expect(pulled('mirror.gcr.io/busybox:1.36').imageID).toBe(
      pulled('busybox:1.36').imageID.replace(
        'docker.io/library/busybox',
        'mirror.gcr.io/busybox',
      ),
    );
  });

  it('takes a digest reference as given', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect(pulled(`busybox@${digest}`).imageID).toBe(
      `docker.io/library/busybox@${digest}`,
    );
  });

  it('fails an unknown tag of a known image as a registry says not found', () => {
    expect(catalog.pull('busybox:9.99')).toEqual({
      ok: false,
      message:
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/busybox:9.99": failed to resolve reference "docker.io/library/busybox:9.99": docker.io/library/busybox:9.99: not found',
    });
  });

  it('fails any image of a registry in the reserved .invalid domain', () => {
    expect(catalog.pull('registry.invalid/app:1')).toEqual({
      ok: false,
      message:
        'rpc error: code = Unknown desc = failed to pull and unpack image "registry.invalid/app:1": failed to resolve reference "registry.invalid/app:1": failed to do request: Head "https://registry.invalid/v2/app/manifests/1": dial tcp: lookup registry.invalid: no such host',
    });
  });

  it('pulls images of unknown repositories at once, with a digest of their reference and no known config', () => {
    const pull = pulled('registry.acme.example/shop/payments-api:1.4.2');
    expect(pull.imageID).toMatch(
      /^registry\.acme\.example\/shop\/payments-api@sha256:[0-9a-f]{64}$/,
    );
    expect(pull.pullMs).toBe(0);
    expect(
      catalog.config('registry.acme.example/shop/payments-api:1.4.2'),
    ).toBe(undefined);
  });

  it('knows the entrypoint and cmd of base images', () => {
    expect(catalog.config('busybox:1.36')).toEqual({
      entrypoint: [],
      cmd: ['sh'],
    });
    expect(catalog.config('alpine')).toEqual({
      entrypoint: [],
      cmd: ['/bin/sh'],
    });
    expect(catalog.config('nginx:1.27')?.entrypoint).toEqual([
      '/docker-entrypoint.sh',
    ]);
  });
});

describe('a cluster catalog file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'image-catalog-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds repositories and replaces those it names, keeping the rest', () => {
    const file = join(dir, 'images.yaml');
    writeFileSync(
      file,
      [
        'images:',
        '  - repository: busybox',
        "    tags: ['2.0']",
        '    cmd: [sh]',
        '  - repository: registry.example/team/app',
        "    tags: ['1', '2']",
        '    pullMs: 5',
      ].join('\n'),
    );
    const custom = ImageCatalog.load(file);
    expect(custom.pull('busybox:2.0').ok).toBe(true);
    expect(custom.pull('busybox:1.36').ok).toBe(false);
    expect(custom.pull('registry.example/team/app:2')).toMatchObject({
      ok: true,
      pullMs: 5,
    });
    expect(custom.pull('registry.example/team/app:3').ok).toBe(false);
    expect(custom.pull('alpine:3.20').ok).toBe(true);
  });

  it('marks an image whose entrypoint is a program of this host', () => {
    const [image] = parseImageCatalog(
      [
        'images:',
        '  - repository: cairn/operators',
        "    tags: ['dev']",
        '    entrypoint: [/usr/bin/node, /src/manager.ts]',
        '    entrypointOnHost: true',
      ].join('\n'),
      'x.yaml',
    );
    expect(new ImageCatalog([image]).config('cairn/operators:dev')).toEqual({
      entrypoint: ['/usr/bin/node', '/src/manager.ts'],
      cmd: [],
      entrypointOnHost: true,
    });
    expect(() =>
      parseImageCatalog(
        "images:\n  - repository: a\n    tags: ['1']\n    entrypointOnHost: yes please\n",
        'x.yaml',
      ),
    ).toThrow('x.yaml: images[0].entrypointOnHost: expected true or false');
  });

  it('names the file and the entry that is wrong', () => {
    expect(() => parseImageCatalog('images: {}', 'x.yaml')).toThrow(
      'x.yaml: expected a list under "images"',
    );
    expect(() =>
      parseImageCatalog('images:\n  - repository: a\n', 'x.yaml'),
    ).toThrow('x.yaml: images[0].tags: at least one tag required');
    expect(() =>
      parseImageCatalog(
        "images:\n  - repository: a\n    tags: ['1']\n    latest: '2'\n",
        'x.yaml',
      ),
    ).toThrow('x.yaml: images[0].latest: "2" is not one of its tags');
  });
});
