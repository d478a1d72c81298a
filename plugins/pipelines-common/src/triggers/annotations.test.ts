import {
  normalizeRepositoryUrl,
  parseTriggerAnnotations,
  readPipelineTrigger,
  TRIGGER_ANNOTATIONS as A,
  TriggerAnnotationError,
} from './annotations';

const repo = { [A.repository]: 'https://github.com/Acme/Shop' };

describe('normalizeRepositoryUrl', () => {
  it('ignores case, .git and trailing slashes', () => {
    for (const url of [
      'https://github.com/acme/shop',
      'https://GitHub.com/Acme/Shop/',
      'https://github.com/acme/shop.git',
      'https://github.com/acme/shop.git/',
      ' https://github.com/acme/shop// ',
    ]) {
      expect(normalizeRepositoryUrl(url)).toBe('https://github.com/acme/shop');
    }
  });
});

describe('parseTriggerAnnotations', () => {
  it('is undefined for a Pipeline without a repository', () => {
    expect(parseTriggerAnnotations(undefined)).toBeUndefined();
    expect(parseTriggerAnnotations({ [A.onEvent]: '[push]' })).toBeUndefined();
  });

  it('defaults to pushes and pull requests of every branch', () => {
    expect(parseTriggerAnnotations(repo)).toEqual({
      repository: 'https://github.com/acme/shop',
      onEvent: ['push', 'pull_request'],
      onTargetBranch: undefined,
      onPathChange: undefined,
      cancelInProgress: false,
      maxKeepRuns: undefined,
    });
  });

  it("reads PaC's list forms, quoted or not", () => {
    expect(
      parseTriggerAnnotations({
        ...repo,
        [A.onEvent]: '[pull_request]',
        [A.onTargetBranch]: '[main, "release/*", refs/tags/*]',
        [A.onPathChange]: "'src/**', docs/*.md",
        [A.cancelInProgress]: 'True',
        [A.maxKeepRuns]: '5',
      }),
    ).toEqual({
      repository: 'https://github.com/acme/shop',
      onEvent: ['pull_request'],
      onTargetBranch: ['main', 'release/*', 'refs/tags/*'],
      onPathChange: ['src/**', 'docs/*.md'],
      cancelInProgress: true,
      maxKeepRuns: 5,
    });
    expect(
      parseTriggerAnnotations({ ...repo, [A.onEvent]: 'push' })?.onEvent,
    ).toEqual(['push']);
  });

  it('names every malformed annotation', () => {
    let error: unknown;
    try {
      parseTriggerAnnotations({
        [A.repository]: 'shop',
        [A.onEvent]: '[push, merge_request]',
        [A.onTargetBranch]: '[main,',
        [A.onPathChange]: '[]',
        [A.cancelInProgress]: 'yes',
        [A.maxKeepRuns]: '0',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TriggerAnnotationError);
    expect((error as TriggerAnnotationError).problems).toEqual([
      'triggers.cairn.dev/repository: "shop" is not the web URL of a repository (https://host/owner/name)',
      'triggers.cairn.dev/on-event: "[push, merge_request]" must list push and/or pull_request, e.g. [push, pull_request]',
      'triggers.cairn.dev/on-target-branch: "[main," must be a list of patterns, e.g. [main, release/*]',
      'triggers.cairn.dev/on-path-change: "[]" must be a list of patterns, e.g. [main, release/*]',
      'triggers.cairn.dev/cancel-in-progress: "yes" must be true or false',
      'triggers.cairn.dev/max-keep-runs: "0" must be a positive whole number',
    ]);
  });

  it('refuses max-keep-runs that are not whole numbers', () => {
    for (const value of ['-1', '2.5', 'three', '']) {
      expect(() =>
        parseTriggerAnnotations({ ...repo, [A.maxKeepRuns]: value }),
      ).toThrow(TriggerAnnotationError);
    }
  });
});

describe('readPipelineTrigger', () => {
  it('gives the declared trigger, why it is not one, or nothing', () => {
    expect(readPipelineTrigger({ other: 'x' })).toBeUndefined();
    expect(
      readPipelineTrigger({
        'triggers.cairn.dev/repository': 'https://github.com/Acme/Shop.git',
        'triggers.cairn.dev/on-event': '[push]',
      }),
    ).toEqual({
      valid: true,
      repository: 'https://github.com/acme/shop',
      onEvent: ['push'],
      cancelInProgress: false,
    });
    expect(
      readPipelineTrigger({
        'triggers.cairn.dev/repository': 'shop',
        'triggers.cairn.dev/on-event': '[tag]',
      }),
    ).toEqual({
      valid: false,
      problems: [
        expect.stringMatching(/^triggers.cairn.dev\/repository: "shop" is not/),
        expect.stringMatching(/^triggers.cairn.dev\/on-event: /),
      ],
    });
  });
});
