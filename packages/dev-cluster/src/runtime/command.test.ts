import { expandVariables, resolveProgram } from './command';

const busybox = { entrypoint: [], cmd: ['sh'] };
const nginx = {
  entrypoint: ['/docker-entrypoint.sh'],
  cmd: ['nginx', '-g', 'daemon off;'],
};

describe('resolveProgram', () => {
  const env = { NAME: 'world' };

  it('runs command followed by args', () => {
    expect(
      resolveProgram({
        imageConfig: nginx,
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
        imageConfig: busybox,
        args: ['sleep', '1'],
        env,
      }),
    ).toEqual({
      kind: 'process',
      argv: ['sleep', '1'],
    });
    expect(
      resolveProgram({ imageConfig: nginx, args: ['-g', 'daemon off;'], env }),
    ).toEqual({ kind: 'idle' });
    expect(resolveProgram({ args: ['sleep', '1'], env })).toEqual({
      kind: 'idle',
    });
  });

  it('runs an entrypoint the catalog says is a host program, with args or else CMD after it', () => {
    const local = {
      entrypoint: ['/usr/bin/node', 'manager.js'],
      cmd: ['--help'],
      entrypointOnHost: true,
    };
    expect(
      resolveProgram({ imageConfig: local, args: ['--name=$(NAME)'], env }),
    ).toEqual({
      kind: 'process',
      argv: ['/usr/bin/node', 'manager.js', '--name=world'],
    });
    expect(resolveProgram({ imageConfig: local, env })).toEqual({
      kind: 'process',
      argv: ['/usr/bin/node', 'manager.js', '--help'],
    });
    expect(
      resolveProgram({
        imageConfig: local,
        command: ['sleep'],
        args: ['1'],
        env,
      }),
    ).toEqual({ kind: 'process', argv: ['sleep', '1'] });
  });

  it('is idle without command and args, unless an interactive shell image', () => {
    expect(resolveProgram({ imageConfig: busybox, env })).toEqual({
      kind: 'idle',
    });
    expect(resolveProgram({ stdin: true, env })).toEqual({ kind: 'idle' });
    expect(resolveProgram({ imageConfig: busybox, stdin: true, env })).toEqual({
      kind: 'process',
      argv: ['sh'],
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
