import semver from 'semver';

/*
 * Template versions as the Tekton catalog writes them: `0.9`, `1.0` (its
 * directories) or full semver (`1.2.3`, `2.0.0-rc.1`). A two-part version is
 * read as its `.0` patch release, so `0.9` < `0.10` < `1.0.0`.
 */

/** The version as semver, or `undefined` if it is not one. @public */
export function toSemver(version: string): string | undefined {
  const full = /^\d+\.\d+$/.test(version) ? `${version}.0` : version;
  return semver.valid(full) ?? undefined;
}

/** Why a version string is refused, or `undefined` if it is a version. @public */
export function versionError(version: string): string | undefined {
  return toSemver(version)
    ? undefined
    : `invalid value: ${JSON.stringify(
        version,
      )}: a version is MAJOR.MINOR or MAJOR.MINOR.PATCH (semver), e.g. 0.9 or 1.2.0`;
}

/** Orders two versions (both must be valid), for `Array.prototype.sort`. @public */
export function compareVersions(a: string, b: string): number {
  return semver.compare(toSemver(a)!, toSemver(b)!);
}

/** The highest of the versions, ignoring what is not a version. @public */
export function latestVersion(versions: string[]): string | undefined {
  const valid = versions.filter(v => toSemver(v));
  return valid.sort(compareVersions).at(-1);
}

/**
 * Why a newly published version is refused: it must be a version and above
 * every existing one (`0.10` after `0.9`; not `0.9.1` once `1.0` exists).
 * @public
 */
export function newVersionError(
  version: string,
  existing: string[],
): string | undefined {
  const invalid = versionError(version);
  if (invalid) return invalid;
  const latest = latestVersion(existing);
  if (latest !== undefined && compareVersions(version, latest) <= 0) {
    return `version ${version} must be greater than the latest version ${latest}`;
  }
  return undefined;
}

/**
 * The version to suggest for the next publish: the patch release after the
 * latest (`0.9` → `0.9.1`, `1.2.3` → `1.2.4`), or `0.1.0` for a new template.
 * @public
 */
export function nextPatchVersion(existing: string[]): string {
  const latest = latestVersion(existing);
  if (latest === undefined) return '0.1.0';
  return semver.inc(toSemver(latest)!, 'patch')!;
}
