import { TextField } from '@material-ui/core';

/** A quota key a request offers, and what its quantity counts. */
interface QuotaKey {
  resource: string;
  /** What the quantity counts, in the help text. */
  unit: string;
  example: string;
}

/** The resources a request's quota form offers; others ops set by editing. */
export const REQUESTABLE_QUOTA: QuotaKey[] = [
  { resource: 'pods', unit: 'pods', example: '10' },
  {
    resource: 'requests.cpu',
    unit: 'CPU cores all pods request',
    example: '2 or 500m',
  },
  {
    resource: 'requests.memory',
    unit: 'memory all pods request',
    example: '4Gi',
  },
  {
    resource: 'requests.storage',
    unit: 'storage all volume claims request',
    example: '100Gi',
  },
  { resource: 'limits.cpu', unit: 'CPU cores all pods may use', example: '4' },
  {
    resource: 'limits.memory',
    unit: 'memory all pods may use',
    example: '8Gi',
  },
];

const HELP = new Map(
  REQUESTABLE_QUOTA.map(key => [
    key.resource,
    `${key.unit}, e.g. ${key.example}`,
  ]),
);

/**
 * A request's quota rows, one quantity field a resource. Quantities are
 * checked on sending with the request schema (as Kubernetes parses them);
 * `errors` are its messages by resource, shown at the field they are about.
 */
export function QuotaFields(props: {
  /** Prefix of the fields' ids, which label them for assistive technology. */
  idPrefix: string;
  resources: string[];
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  /** The quota now, shown beside each field when given. */
  current?: Record<string, string>;
  errors?: Record<string, string>;
}) {
  const { current, errors, values } = props;
  const helpOf = (resource: string) => {
    const parts = [HELP.get(resource)];
    if (current) {
      parts.unshift(
        current[resource] ? `now ${current[resource]}` : 'no limit now',
      );
    }
    return parts.filter(Boolean).join('; ');
  };
  return (
    <>
      {props.resources.map(resource => (
        <TextField
          id={`${props.idPrefix}-${resource}`}
          key={resource}
          margin="dense"
          label={`Quota ${resource}`}
          error={Boolean(errors?.[resource])}
          helperText={errors?.[resource] ?? helpOf(resource)}
          value={values[resource] ?? ''}
          onChange={e =>
            props.onChange({ ...values, [resource]: e.target.value })
          }
          style={{ marginRight: 8 }}
        />
      ))}
    </>
  );
}

/**
 * The messages of a request's issues about its quota, by resource: an issue
 * at `…quota.<resource>` (the request schema's paths).
 */
export function quotaErrors(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): Record<string, string> {
  return Object.fromEntries(
    issues
      .filter(issue => issue.path[issue.path.length - 2] === 'quota')
      .map(issue => [String(issue.path[issue.path.length - 1]), issue.message]),
  );
}
