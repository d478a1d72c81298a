import { endpointSliceContents, endpointSubsets } from './endpoints';

/*
 * The pure part of the endpoints and EndpointSlice controllers: which pods
 * back a service, with which conditions, grouped how.
 */

const service = (spec: Record<string, unknown> = {}) => ({
  metadata: { name: 'web', namespace: 'ns' },
  spec: {
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    ...spec,
  },
});

function pod(
  name: string,
  ip: string,
  options: {
    ready?: boolean;
    deleting?: boolean;
    phase?: string;
    port?: number;
  } = {},
) {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      ...(options.deleting
        ? { deletionTimestamp: '2025-01-01T00:00:00Z' }
        : {}),
    },
    spec: {
      nodeName: 'node-a',
      containers: [
        {
          name: 'c',
          ports:
            options.port === undefined
              ? [{ name: 'http', containerPort: 8080 }]
              : [{ name: 'http', containerPort: options.port }],
        },
      ],
    },
    status: {
      phase: options.phase ?? 'Running',
      podIP: ip,
      conditions: [
        { type: 'Ready', status: options.ready === false ? 'False' : 'True' },
      ],
    },
  };
}

const zoneOf = () => 'zone-a';

describe('endpointSliceContents', () => {
  it('keeps terminating pods as not ready, serving while they pass readiness', () => {
    const [slice] = endpointSliceContents(
      service(),
      [
        pod('b', '10.0.0.2', { deleting: true }),
        pod('a', '10.0.0.1'),
        pod('c', '10.0.0.3', { ready: false }),
        pod('done', '10.0.0.4', { phase: 'Succeeded' }),
      ],
      zoneOf,
    );
    expect(slice.ports).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP' },
    ]);
    expect(
      slice.endpoints.map((e: any) => [e.addresses[0], e.conditions, e.zone]),
    ).toEqual([
      [
        '10.0.0.1',
        { ready: true, serving: true, terminating: false },
        'zone-a',
      ],
      [
        '10.0.0.2',
        { ready: false, serving: true, terminating: true },
        'zone-a',
      ],
      [
        '10.0.0.3',
        { ready: false, serving: false, terminating: false },
        'zone-a',
      ],
    ]);
  });

  it('marks every endpoint ready for publishNotReadyAddresses', () => {
    const [slice] = endpointSliceContents(
      service({ publishNotReadyAddresses: true }),
      [pod('c', '10.0.0.3', { ready: false })],
      zoneOf,
    );
    expect((slice.endpoints[0] as any).conditions.ready).toBe(true);
  });

  it('splits by port set and at 100 endpoints, with a placeholder when nothing backs the service', () => {
    const pods = Array.from({ length: 101 }, (_, i) =>
      pod(`p${i}`, `10.0.${Math.floor(i / 200)}.${i + 1}`),
    );
    pods.push(pod('other', '10.0.9.9', { port: 9090 }));
    const slices = endpointSliceContents(service(), pods, zoneOf);
    expect(slices.map(s => [s.ports[0].port, s.endpoints.length])).toEqual([
      [8080, 100],
      [8080, 1],
      [9090, 1],
    ]);
    expect(endpointSliceContents(service(), [], zoneOf)).toEqual([
      { ports: [], endpoints: [] },
    ]);
  });
});

describe('endpointSubsets', () => {
  it('leaves out terminating and finished pods', () => {
    expect(
      endpointSubsets(service(), [
        pod('a', '10.0.0.1'),
        pod('b', '10.0.0.2', { deleting: true }),
        pod('done', '10.0.0.4', { phase: 'Failed' }),
      ]),
    ).toEqual([
      {
        addresses: [
          {
            ip: '10.0.0.1',
            nodeName: 'node-a',
            targetRef: {
              kind: 'Pod',
              namespace: 'ns',
              name: 'a',
              uid: 'uid-a',
            },
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });
});
