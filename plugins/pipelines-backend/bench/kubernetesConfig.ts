// Without imports: the backends under test load it, and their memory is measured.

/**
 * The backend's `kubernetes:` configuration of the dev cluster (`dev`), read
 * with a service account's token through `url` (the counting proxy).
 */
export function devClusterKubernetesConfig(options: {
  url: string;
  serviceAccountToken: string;
  caData: string;
}) {
  return {
    serviceLocatorMethod: { type: 'multiTenant' },
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          {
            name: 'dev',
            url: options.url,
            authProvider: 'serviceAccount',
            serviceAccountToken: options.serviceAccountToken,
            caData: options.caData,
          },
        ],
      },
    ],
  };
}
