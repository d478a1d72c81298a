import { ClusterDetails, keepAliveAgent } from '@cairn/plugin-kubernetes-node';
import http, { IncomingMessage } from 'node:http';
import https from 'node:https';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';

/** The options of a pod log read that the archive uses. */
export interface PodLogOptions {
  container: string;
  follow: boolean;
  timestamps: boolean;
  /** RFC 3339: lines at or after it (Kubernetes rounds it to the second). */
  sinceTime?: string;
}

/** A failed log request, shaped as the client's API errors (code, body). */
export class PodLogError extends Error {
  constructor(readonly code: number, readonly body: string) {
    super(`HTTP-Code: ${code} Message: ${body}`);
  }
}

/**
 * A pod's log as a byte stream straight from the API server, over the
 * cluster's keep-alive connection pool: the client's own `Log` neither
 * shares connections nor ends its stream when the connection fails.
 */
export async function openPodLog(
  cluster: ClusterDetails,
  namespace: string,
  pod: string,
  options: PodLogOptions,
): Promise<IncomingMessage> {
  const { kubeConfig } = cluster;
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  const url = new URL(
    `${server.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(
      namespace,
    )}/pods/${encodeURIComponent(pod)}/log`,
  );
  url.searchParams.set('container', options.container);
  if (options.follow) url.searchParams.set('follow', 'true');
  if (options.timestamps) url.searchParams.set('timestamps', 'true');
  if (options.sinceTime) url.searchParams.set('sinceTime', options.sinceTime);
  const context = new RequestContext(url.toString(), HttpMethod.GET);
  await kubeConfig.applySecurityAuthentication(context);
  const shared = keepAliveAgent(kubeConfig);
  let agent: http.Agent | undefined = shared ? await shared : undefined;
  if (!agent) {
    const fallback: https.RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(fallback);
    agent = fallback.agent as http.Agent | undefined;
  }
  const request = (url.protocol === 'https:' ? https : http).request;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      agent,
      headers: context.getHeaders(),
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
  if (response.statusCode === 200) return response;
  let body = '';
  response.setEncoding('utf8');
  for await (const text of response) body += text;
  throw new PodLogError(response.statusCode ?? 500, body);
}
