import type { V1Service } from '@kubernetes/client-node';
import { serviceEnvironment } from './serviceEnv';

const service = (
  namespace: string,
  name: string,
  clusterIP: string | undefined,
  ports: NonNullable<V1Service['spec']>['ports'] = [{ port: 80 }],
): V1Service => ({
  metadata: { name, namespace },
  spec: { clusterIP, ports },
});

describe('serviceEnvironment', () => {
  const services = [
    service('default', 'kubernetes', '10.96.0.1', [
      { name: 'https', port: 443, protocol: 'TCP' },
    ]),
    service('app', 'db-main', '10.96.0.20', [
      { port: 5432 },
      { name: 'metrics', port: 9187, protocol: 'UDP' },
    ]),
    service('app', 'headless', 'None'),
    service('other', 'elsewhere', '10.96.0.30'),
  ];

  it('gives the services of the pod namespace and the kubernetes service', () => {
    expect(serviceEnvironment(services, 'app')).toEqual({
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
      DB_MAIN_SERVICE_HOST: '10.96.0.20',
      DB_MAIN_SERVICE_PORT: '5432',
      DB_MAIN_SERVICE_PORT_METRICS: '9187',
      DB_MAIN_PORT: 'tcp://10.96.0.20:5432',
      DB_MAIN_PORT_5432_TCP: 'tcp://10.96.0.20:5432',
      DB_MAIN_PORT_5432_TCP_PROTO: 'tcp',
      DB_MAIN_PORT_5432_TCP_PORT: '5432',
      DB_MAIN_PORT_5432_TCP_ADDR: '10.96.0.20',
      DB_MAIN_PORT_9187_UDP: 'udp://10.96.0.20:9187',
      DB_MAIN_PORT_9187_UDP_PROTO: 'udp',
      DB_MAIN_PORT_9187_UDP_PORT: '9187',
      DB_MAIN_PORT_9187_UDP_ADDR: '10.96.0.20',
    });
  });

  it('gives only the kubernetes service without service links', () => {
    expect(Object.keys(serviceEnvironment(services, 'app', false))).toEqual(
      expect.not.arrayContaining(['DB_MAIN_SERVICE_HOST']),
    );
    expect(serviceEnvironment(services, 'app', false)).toHaveProperty(
      'KUBERNETES_SERVICE_HOST',
      '10.96.0.1',
    );
  });
});
