import {
  debugSessionConfigFromEnv,
  DEFAULT_DEBUG_TOOLKITS,
  parseDebugToolkits,
} from './toolkits';

describe('the default toolkits', () => {
  it('are netshoot, busybox, arthas, py-spy and delve, and pass their own check', () => {
    expect(DEFAULT_DEBUG_TOOLKITS.map(t => t.name)).toEqual([
      'netshoot',
      'busybox',
      'arthas',
      'py-spy',
      'delve',
    ]);
    expect(parseDebugToolkits(DEFAULT_DEBUG_TOOLKITS)).toEqual(
      DEFAULT_DEBUG_TOOLKITS,
    );
  });

  it('give netshoot the netadmin profile and the tracers SYS_PTRACE (general)', () => {
    const profile = Object.fromEntries(
      DEFAULT_DEBUG_TOOLKITS.map(t => [t.name, t.profile]),
    );
    expect(profile).toEqual({
      netshoot: 'netadmin',
      busybox: 'general',
      arthas: 'general',
      'py-spy': 'general',
      delve: 'general',
    });
  });
});

describe('parseDebugToolkits', () => {
  const valid = {
    name: 'jdk',
    image: 'eclipse-temurin:21',
    profile: 'general',
  };

  it('fills a missing description with an empty one', () => {
    expect(parseDebugToolkits([valid])).toEqual([
      { ...valid, description: '' },
    ]);
  });

  it.each([
    [{}, 'toolkits must be a list'],
    [[null], 'toolkits[0] must be an object'],
    [[{ ...valid, name: 'JDK' }], 'toolkits[0].name must be a DNS label'],
    [[valid, valid], 'toolkits[1].name "jdk" is listed twice'],
    [[{ ...valid, image: '' }], 'toolkits[0].image must be an image reference'],
    [
      [{ ...valid, image: 'a b' }],
      'toolkits[0].image must be an image reference',
    ],
    [
      [{ ...valid, profile: 'legacy' }],
      'toolkits[0].profile must be one of general, baseline, restricted, netadmin, sysadmin, got "legacy"',
    ],
    [
      [{ ...valid, command: [] }],
      'toolkits[0].command must be a non-empty list of strings',
    ],
    [
      [{ ...valid, command: ['sh', 1] }],
      'toolkits[0].command must be a non-empty list of strings',
    ],
  ])('refuses %j: %s', (value, message) => {
    expect(() => parseDebugToolkits(value)).toThrow(message);
  });
});

describe('debugSessionConfigFromEnv', () => {
  it('defaults to the default toolkits and an 8 hour cap', () => {
    expect(debugSessionConfigFromEnv({})).toEqual({
      toolkits: DEFAULT_DEBUG_TOOLKITS,
      maxTtlSeconds: 28800,
    });
  });

  it('reads the cap and a JSON catalog', () => {
    expect(
      debugSessionConfigFromEnv({
        CAIRN_DEBUG_MAX_TTL_SECONDS: '600',
        CAIRN_DEBUG_TOOLKITS: JSON.stringify([
          {
            name: 'jdk',
            image: 'eclipse-temurin:21',
            profile: 'general',
            description: 'JDK tools',
          },
        ]),
      }),
    ).toEqual({
      maxTtlSeconds: 600,
      toolkits: [
        {
          name: 'jdk',
          image: 'eclipse-temurin:21',
          profile: 'general',
          description: 'JDK tools',
        },
      ],
    });
  });

  it.each([
    [
      { CAIRN_DEBUG_MAX_TTL_SECONDS: '0' },
      'CAIRN_DEBUG_MAX_TTL_SECONDS must be a positive whole number of seconds, got "0"',
    ],
    [{ CAIRN_DEBUG_MAX_TTL_SECONDS: '1h' }, 'got "1h"'],
    [{ CAIRN_DEBUG_TOOLKITS: '[{' }, 'CAIRN_DEBUG_TOOLKITS is not JSON'],
    [
      { CAIRN_DEBUG_TOOLKITS: '[{"name":"x"}]' },
      'CAIRN_DEBUG_TOOLKITS: toolkits[0].image must be an image reference',
    ],
  ])('refuses %j', (env, message) => {
    expect(() => debugSessionConfigFromEnv(env)).toThrow(message);
  });
});
