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
      placementAdmission: 'webhook',
      webhookBindAddress: ':9443',
      webhookService: 'cairn-operators-webhook',
      webhookFailurePolicy: 'Fail',
      webhookTimeoutSeconds: 10,
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
        '--placement-admission',
        'pod-node-selector',
        '--webhook-bind-address',
        '127.0.0.1:0',
        '--webhook-service',
        'placement',
        '--webhook-url',
        'https://127.0.0.1',
        '--webhook-failure-policy',
        'Ignore',
        '--webhook-timeout-seconds',
        '3',
      ]),
    ).toEqual({
      kubeconfig: '/tmp/kc',
      metricsBindAddress: '127.0.0.1:9090',
      healthProbeBindAddress: '0',
      leaderElect: true,
      leaderElectionId: 'ops',
      namespace: 'ops-system',
      rackLabel: 'example.com/rack',
      placementAdmission: 'pod-node-selector',
      webhookBindAddress: '127.0.0.1:0',
      webhookService: 'placement',
      webhookUrl: 'https://127.0.0.1',
      webhookFailurePolicy: 'Ignore',
      webhookTimeoutSeconds: 3,
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
    expect(() => parseFlags(['--placement-admission', 'annotation'])).toThrow(
      '--placement-admission "annotation" must be webhook or pod-node-selector',
    );
    expect(() => parseFlags(['--webhook-failure-policy', 'fail'])).toThrow(
      '--webhook-failure-policy "fail" must be Fail or Ignore',
    );
    for (const bad of ['0', '31', '1.5', 'ten'])
      expect(() => parseFlags(['--webhook-timeout-seconds', bad])).toThrow(
        `--webhook-timeout-seconds ${JSON.stringify(bad)} must be`,
      );
    expect(() => parseFlags(['--webhook-url', 'http://127.0.0.1'])).toThrow(
      '--webhook-url "http://127.0.0.1" must be an https URL',
    );
    expect(parseFlags(['--rack-label', 'rack_2.x'])).toMatchObject({
      rackLabel: 'rack_2.x',
    });
  });
});
