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
  /**
   * How Environments keep their pods on their nodes: the manager's own
   * mutating webhook (the default: it works on any cluster), or the
   * PodNodeSelector admission plugin's namespace annotation, for API servers
   * that enable it (the API does not say which plugins are on).
   */
  placementAdmission: 'webhook' | 'pod-node-selector';
  /** Where the webhook listens (webhook placement only). */
  webhookBindAddress: string;
  /** The Service in --namespace the API server calls the webhook through. */
  webhookService: string;
  /** An https URL the API server calls instead of the Service (a manager run outside the cluster). */
  webhookUrl?: string;
  webhookFailurePolicy: 'Fail' | 'Ignore';
  webhookTimeoutSeconds: number;
}

export const USAGE = `Usage: cairn-operators [flags]

  --kubeconfig PATH                   kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
  --metrics-bind-address ADDR         where /metrics is served: host:port, :port, or 0 for off (default :8080)
  --health-probe-bind-address ADDR    where /healthz and /readyz are served (default :8081)
  --leader-elect                      run controllers only while holding the Lease (default off)
  --leader-election-id NAME           the Lease's name (default cairn-operators)
  --namespace NAME                    the Lease's namespace (default cairn-system)
  --rack-label KEY                    the node label naming racks, for Stone placement (default topology.cairn.dev/rack)
  --placement-admission MODE          how Environments keep pods on their nodes: webhook (the manager's mutating
                                      webhook) or pod-node-selector (the PodNodeSelector admission plugin, where
                                      the API server enables it) (default webhook)
  --webhook-bind-address ADDR         where the webhook is served over HTTPS (default :9443)
  --webhook-service NAME              the Service in --namespace the API server calls it through (default cairn-operators-webhook)
  --webhook-url URL                   an https URL the API server calls instead (without a port: the bound one)
  --webhook-failure-policy POLICY     Fail or Ignore, when the webhook cannot be called (default Fail)
  --webhook-timeout-seconds N         1 to 30 (default 10)
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
      'placement-admission': { type: 'string', default: 'webhook' },
      'webhook-bind-address': { type: 'string', default: ':9443' },
      'webhook-service': { type: 'string', default: 'cairn-operators-webhook' },
      'webhook-url': { type: 'string' },
      'webhook-failure-policy': { type: 'string', default: 'Fail' },
      'webhook-timeout-seconds': { type: 'string', default: '10' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return 'help';
  if (positionals.length)
    throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}`);
  for (const flag of [
    'leader-election-id',
    'namespace',
    'webhook-service',
  ] as const) {
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
  const placementAdmission = values['placement-admission'];
  if (
    placementAdmission !== 'webhook' &&
    placementAdmission !== 'pod-node-selector'
  )
    throw new Error(
      `--placement-admission ${JSON.stringify(
        placementAdmission,
      )} must be webhook or pod-node-selector`,
    );
  const failurePolicy = values['webhook-failure-policy'];
  if (failurePolicy !== 'Fail' && failurePolicy !== 'Ignore')
    throw new Error(
      `--webhook-failure-policy ${JSON.stringify(
        failurePolicy,
      )} must be Fail or Ignore`,
    );
  const timeout = Number(values['webhook-timeout-seconds']);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 30)
    throw new Error(
      `--webhook-timeout-seconds ${JSON.stringify(
        values['webhook-timeout-seconds'],
      )} must be a whole number of seconds from 1 to 30`,
    );
  const webhookUrl = values['webhook-url'];
  if (webhookUrl !== undefined) {
    let protocol: string | undefined;
    try {
      protocol = new URL(webhookUrl).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'https:')
      throw new Error(
        `--webhook-url ${JSON.stringify(webhookUrl)} must be an https URL`,
      );
  }
  return {
    kubeconfig: values.kubeconfig,
    metricsBindAddress: values['metrics-bind-address'],
    healthProbeBindAddress: values['health-probe-bind-address'],
    leaderElect: values['leader-elect'],
    leaderElectionId: values['leader-election-id'],
    namespace: values.namespace,
    ...(rackLabel !== undefined ? { rackLabel } : {}),
    placementAdmission,
    webhookBindAddress: values['webhook-bind-address'],
    webhookService: values['webhook-service'],
    ...(webhookUrl !== undefined ? { webhookUrl } : {}),
    webhookFailurePolicy: failurePolicy,
    webhookTimeoutSeconds: timeout,
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
