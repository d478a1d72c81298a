import {
  expandVariables,
  imageRepositoryName,
  resolveProgram,
} from './command';

describe('resolveProgram', () => {
  const env = { NAME: 'world' };

  it('runs command followed by args', () => {
    expect(
      resolveProgram({
        image: 'nginx',
        command: ['echo'],
        args: ['hello', '$(NAME)'],
        env,
      }),
    ).toEqual({
      kind: 'process',
      argv: ['echo', 'hello', 'world'],
    });
  });

  it('runs args alone only on images whose entrypoint is known to be empty', () => {
    expect(
      resolveProgram({
        image: 'docker.io/library/busybox:1.36',
        args: ['sleep', '1'],
        env,
      }),
    ).toEqual({
      kind: 'process',
      argv: ['sleep', '1'],
    });
    expect(
      resolveProgram({ image: 'nginx:1.27', args: ['-g', 'daemon off;'], env }),
    ).toEqual({ kind: 'idle' });
  });

  it('is idle without command and args, unless an interactive shell image', () => {
    expect(resolveProgram({ image: 'busybox', env })).toEqual({ kind: 'idle' });
    expect(
      resolveProgram({ image: 'registry.invalid/app:1', stdin: true, env }),
    ).toEqual({ kind: 'idle' });
    expect(resolveProgram({ image: 'alpine:3', stdin: true, env })).toEqual({
      kind: 'process',
      argv: ['/bin/sh'],
    });
  });
});

describe('expandVariables', () => {
  it('expands defined references, keeps undefined ones and unescapes $$', () => {
    expect(expandVariables('$(A)-$(B)-$$(A)-$$-$-$(', { A: 'x' })).toBe(
      'x-$(B)-$(A)-$-$-$(',
    );
  });
});

describe('imageRepositoryName', () => {
  it('drops registry, library/, tag and digest', () => {
    expect(imageRepositoryName('busybox')).toBe('busybox');
    expect(
      imageRepositoryName('docker.io/library/busybox:1.36@sha256:abc'),
    ).toBe('busybox');
    expect(imageRepositoryName('localhost:5000/team/app:2')).toBe('team/app');
  });
});
