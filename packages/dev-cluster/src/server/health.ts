/*
 * kube-apiserver's health endpoints: /livez, /readyz and /healthz answer
 * `ok`, or with `?verbose` one `[+]<check> ok` line per check and
 * `<endpoint> check passed`; `?exclude=<check>` skips one, and
 * /<endpoint>/<check> asks for one. A failed check is `[-]<check> failed:
 * reason withheld` and status 500.
 */

export type HealthEndpoint = 'livez' | 'readyz' | 'healthz';

/** The checks of each endpoint, named as kube-apiserver names them; `true` when passing. */
export type HealthChecks = Array<[name: string, passing: () => boolean]>;

export function healthChecks(
  shuttingDown: () => boolean,
): Record<HealthEndpoint, HealthChecks> {
  const ok = () => true;
  // Post-start hooks of the parts the dev cluster has: CRDs, RBAC and
  // priority-class bootstrap, the bootstrap controller (default namespaces).
  const started: HealthChecks = [
    ['ping', ok],
    ['log', ok],
    // The object store stands where kube-apiserver has etcd.
    ['etcd', ok],
    ['poststarthook/start-apiserver-admission-initializer', ok],
    ['poststarthook/generic-apiserver-start-informers', ok],
    ['poststarthook/start-apiextensions-informers', ok],
    ['poststarthook/start-apiextensions-controllers', ok],
    ['poststarthook/crd-informer-synced', ok],
    ['poststarthook/start-system-namespaces-controller', ok],
    ['poststarthook/bootstrap-controller', ok],
    ['poststarthook/rbac/bootstrap-roles', ok],
    ['poststarthook/scheduling/bootstrap-system-priority-classes', ok],
    ['poststarthook/start-service-ip-repair-controllers', ok],
  ];
  return {
    livez: started,
    healthz: started,
    readyz: [
      ...started.slice(0, 3),
      ['etcd-readiness', ok],
      ['informer-sync', ok],
      ...started.slice(3),
      ['shutdown', () => !shuttingDown()],
    ],
  };
}

/** The answer to GET /<endpoint>[/<check>] with its query. */
export function healthReport(
  endpoint: HealthEndpoint,
  checks: HealthChecks,
  check: string | undefined,
  query: URLSearchParams,
): { status: number; body: string } | undefined {
  if (check) {
    const found = checks.find(([name]) => name === check);
    if (!found) return undefined;
    return found[1]()
      ? { status: 200, body: 'ok' }
      : { status: 500, body: 'internal server error: reason withheld\n' };
  }
  const excluded = new Set(query.getAll('exclude'));
  const lines: string[] = [];
  let failed = false;
  for (const [name, passing] of checks) {
    if (excluded.has(name)) {
      lines.push(`[+]${name} excluded: ok`);
      continue;
    }
    if (passing()) lines.push(`[+]${name} ok`);
    else {
      failed = true;
      lines.push(`[-]${name} failed: reason withheld`);
    }
  }
  const verbose = query.has('verbose');
  if (failed) {
    return {
      status: 500,
      body: `${lines.join('\n')}\n${endpoint} check failed\n`,
    };
  }
  return {
    status: 200,
    body: verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok',
  };
}
