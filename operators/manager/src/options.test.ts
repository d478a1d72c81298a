import { parseFlags } from './options';

describe('parseFlags', () => {
  it('has controller-runtime scaffolding defaults', () => {
    expect(parseFlags([])).toEqual({
      kubeconfig: undefined,
      metricsBindAddress: ':8080',
      healthProbeBindAddress: ':8081',
      leaderElect: false,
      leaderElectionId: 'cairn-operators',
      namespace: 'cairn-system',
    });
  });

  it('takes every flag', () => {
    expect(
      parseFlags([
        '--kubeconfig',
        '/tmp/kc',
        '--metrics-bind-address',
        '127.0.0.1:9090',
        '--health-probe-bind-address=0',
        '--leader-elect',
        '--leader-election-id',
        'ops',
        '--namespace',
        'ops-system',
        '--rack-label',
        'example.com/rack',
      ]),
    ).toEqual({
      kubeconfig: '/tmp/kc',
      metricsBindAddress: '127.0.0.1:9090',
      healthProbeBindAddress: '0',
      leaderElect: true,
      leaderElectionId: 'ops',
      namespace: 'ops-system',
      rackLabel: 'example.com/rack',
    });
    expect(parseFlags(['--help'])).toBe('help');
  });

  it('says what is wrong with bad input', () => {
    expect(() => parseFlags(['--leader-elect=yes'])).toThrow(/leader-elect/);
    expect(() => parseFlags(['--bogus'])).toThrow(/Unknown option '--bogus'/);
    expect(() => parseFlags(['extra'])).toThrow('unexpected argument "extra"');
    expect(() => parseFlags(['--namespace', 'Cairn_System'])).toThrow(
      '--namespace "Cairn_System" is not a valid Kubernetes name',
    );
    for (const bad of ['rack/', 'Example.com/rack', 'a/b/c', 'rack-', ''])
      expect(() => parseFlags(['--rack-label', bad])).toThrow(
        `--rack-label ${JSON.stringify(bad)} is not a valid label key`,
      );
    expect(parseFlags(['--rack-label', 'rack_2.x'])).toMatchObject({
      rackLabel: 'rack_2.x',
    });
  });
});
