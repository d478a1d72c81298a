import https from 'node:https';
import {
  ApiType,
  Configuration,
  createConfiguration,
  KubeConfig,
  RequestContext,
  SecurityAuthentication,
  ServerConfiguration,
} from '@kubernetes/client-node';

const agents = new WeakMap<KubeConfig, Promise<https.Agent>>();

/**
 * The keep-alive HTTPS agent of a cluster's KubeConfig, made once: its API
 * clients and streamed requests (pod logs) share its connection pool.
 * Undefined for a cluster behind a proxy or over plain HTTP.
 * @public
 */
export function keepAliveAgent(
  kubeConfig: KubeConfig,
): Promise<https.Agent> | undefined {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster || cluster.proxyUrl || !cluster.server.startsWith('https:')) {
    return undefined;
  }
  let agent = agents.get(kubeConfig);
  if (!agent) {
    agent = (async () => {
      const options: https.RequestOptions = {};
      await kubeConfig.applyToHTTPSOptions(options);
      return new https.Agent({
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        pfx: options.pfx,
        passphrase: options.passphrase,
        servername: cluster.tlsServerName,
        ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
        keepAlive: true,
      });
    })();
    agents.set(kubeConfig, agent);
  }
  return agent;
}

/**
 * An API client whose requests share one keep-alive HTTPS agent.
 * `KubeConfig.makeApiClient` gives every request an agent of its own, so
 * each one opens (and closes) a TLS connection: for the log archiver's
 * thousands of pod-log reads that is most of their time, and native memory
 * the process keeps (and every API call pays a TLS handshake). Headers (the
 * bearer token, refreshed as before) still
 * come from the KubeConfig on each request; only the connection is reused.
 * A cluster behind a proxy, or over plain HTTP, keeps the default client.
 */
export function makeKeepAliveApiClient<T extends ApiType>(
  kubeConfig: KubeConfig,
  ApiClient: new (config: Configuration) => T,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  const agent = keepAliveAgent(kubeConfig);
  if (!cluster || !agent) return kubeConfig.makeApiClient(ApiClient);
  const auth: SecurityAuthentication = {
    getName: () => 'keepAlive',
    async applySecurityAuthentication(context: RequestContext) {
      await kubeConfig.applySecurityAuthentication(context);
      context.setAgent(await agent);
    },
  };
  return new ApiClient(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: auth },
    }),
  );
}
