import { parseArgs } from 'node:util';

/*
 * The manager's command line, with the flags and defaults of a
 * kubebuilder-scaffolded controller-runtime manager, so operators of Go
 * operators find the same knobs.
 */

export interface ManagerFlags {
  /** A kubeconfig file; otherwise $KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  kubeconfig?: string;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  leaderElect: boolean;
  /** The Lease's name. */
  leaderElectionId: string;
  /** The namespace of the Lease. */
  namespace: string;
  /** The node label naming racks, for the Stone controller's placement (its default when absent). */
  rackLabel?: string;
}

export const USAGE = `Usage: cairn-operators [flags]

  --kubeconfig PATH                   kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
  --metrics-bind-address ADDR         where /metrics is served: host:port, :port, or 0 for off (default :8080)
  --health-probe-bind-address ADDR    where /healthz and /readyz are served (default :8081)
  --leader-elect                      run controllers only while holding the Lease (default off)
  --leader-election-id NAME           the Lease's name (default cairn-operators)
  --namespace NAME                    the Lease's namespace (default cairn-system)
  --rack-label KEY                    the node label naming racks, for Stone placement (default topology.cairn.dev/rack)
  --help                              this text
`;

/** Parses the flags; throws an Error whose message says what is wrong. */
export function parseFlags(args: string[]): ManagerFlags | 'help' {
  const { values, positionals } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      'metrics-bind-address': { type: 'string', default: ':8080' },
      'health-probe-bind-address': { type: 'string', default: ':8081' },
      'leader-elect': { type: 'boolean', default: false },
      'leader-election-id': { type: 'string', default: 'cairn-operators' },
      namespace: { type: 'string', default: 'cairn-system' },
      'rack-label': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return 'help';
  if (positionals.length)
    throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}`);
  for (const flag of ['leader-election-id', 'namespace'] as const) {
    const value = values[flag];
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value) || value.length > 253)
      throw new Error(
        `--${flag} ${JSON.stringify(
          value,
        )} is not a valid Kubernetes name (lower case letters, digits, '-' and '.')`,
      );
  }
  const rackLabel = values['rack-label'];
  if (rackLabel !== undefined && !isLabelKey(rackLabel))
    throw new Error(
      `--rack-label ${JSON.stringify(
        rackLabel,
      )} is not a valid label key (an optional DNS subdomain prefix and '/', then up to 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit)`,
    );
  return {
    kubeconfig: values.kubeconfig,
    metricsBindAddress: values['metrics-bind-address'],
    healthProbeBindAddress: values['health-probe-bind-address'],
    leaderElect: values['leader-elect'],
    leaderElectionId: values['leader-election-id'],
    namespace: values.namespace,
    ...(rackLabel !== undefined ? { rackLabel } : {}),
  };
}

/** A label key as Kubernetes validates it (IsQualifiedName). */
function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = key.slice(slash + 1);
  return (
    /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name) &&
    (prefix === undefined ||
      (prefix.length <= 253 &&
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(
          prefix,
        )))
  );
}
