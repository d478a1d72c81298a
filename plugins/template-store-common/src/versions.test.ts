import {
  compareVersions,
  latestVersion,
  newVersionError,
  nextPatchVersion,
  toSemver,
  versionError,
} from './versions';

describe('template versions', () => {
  it('reads the catalog’s two-part versions as their .0 release', () => {
    expect(toSemver('0.9')).toBe('0.9.0');
    expect(toSemver('1.2.3')).toBe('1.2.3');
    expect(toSemver('2.0.0-rc.1')).toBe('2.0.0-rc.1');
    expect(toSemver('1')).toBeUndefined();
    expect(toSemver('v1.0')).toBeUndefined();
    expect(toSemver('latest')).toBeUndefined();
  });

  it('orders numerically, not as text', () => {
    expect(
      ['0.10', '0.9', '1.0.0-rc.1', '1.0', '0.2'].sort(compareVersions),
    ).toEqual(['0.2', '0.9', '0.10', '1.0.0-rc.1', '1.0']);
    expect(latestVersion(['0.9', 'junk', '0.10'])).toBe('0.10');
    expect(latestVersion([])).toBeUndefined();
  });

  it('says what a version must look like', () => {
    expect(versionError('0.9')).toBeUndefined();
    expect(versionError('nine')).toBe(
      'invalid value: "nine": a version is MAJOR.MINOR or MAJOR.MINOR.PATCH (semver), e.g. 0.9 or 1.2.0',
    );
  });

  it('requires a new version to be above every existing one', () => {
    expect(newVersionError('0.10', ['0.9', '0.8'])).toBeUndefined();
    expect(newVersionError('0.1', [])).toBeUndefined();
    expect(newVersionError('0.9', ['0.9'])).toBe(
      'version 0.9 must be greater than the latest version 0.9',
    );
    expect(newVersionError('0.9.1', ['1.0', '0.9'])).toBe(
      'version 0.9.1 must be greater than the latest version 1.0',
    );
    // 0.9 and 0.9.0 are the same release.
    expect(newVersionError('0.9.0', ['0.9'])).toMatch(/must be greater/);
    expect(newVersionError('x', ['0.9'])).toMatch(/^invalid value: "x"/);
  });
});

describe('nextPatchVersion', () => {
  it('suggests the patch release after the latest version', () => {
    expect(nextPatchVersion(['0.9', '0.10', '0.2'])).toBe('0.10.1');
    expect(nextPatchVersion(['1.2.3', 'latest'])).toBe('1.2.4');
    expect(newVersionError(nextPatchVersion(['1.0', '0.9']), ['1.0'])).toBe(
      undefined,
    );
  });

  it('suggests 0.1.0 for a template with no versions yet', () => {
    expect(nextPatchVersion([])).toBe('0.1.0');
  });
});
