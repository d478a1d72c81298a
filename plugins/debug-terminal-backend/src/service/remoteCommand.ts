import { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';

/*
 * Kubernetes' remote command streams (`pods/exec`, `pods/attach`) over
 * WebSocket: each binary frame starts with its channel. v5 adds the CLOSE
 * channel (half-close of stdin); v4 has everything else a terminal needs.
 */

/** @see https://github.com/kubernetes/apimachinery/blob/master/pkg/util/remotecommand/constants.go */
export const CHANNEL = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  /** The process's end, as a metav1.Status (JSON). */
  status: 3,
  /** `{"Width":…,"Height":…}` */
  resize: 4,
  /** v5: `[255, channel]` closes that channel. */
  close: 255,
} as const;

export const REMOTE_COMMAND_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
];

/** A frame on `channel`. */
export const frame = (channel: number, payload: Buffer | string) =>
  Buffer.concat([Buffer.from([channel]), Buffer.from(payload)]);

/**
 * Opens `path` (e.g. `/api/v1/namespaces/ns/pods/p/exec?…`) on the
 * KubeConfig's cluster as its user; rejects with the API server's answer
 * when it refuses the upgrade (RBAC, no such pod or container).
 */
export async function connectRemoteCommand(
  kubeConfig: KubeConfig,
  path: string,
): Promise<WebSocket> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the cluster has no server URL');
  const options: WebSocket.ClientOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  const url = `${server.replace(/^http/, 'ws').replace(/\/$/, '')}${path}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, REMOTE_COMMAND_PROTOCOLS, options);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', chunk => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        let message = body;
        try {
          message = JSON.parse(body).message ?? body;
        } catch {
          // not a Status: keep the text
        }
        const error = new Error(
          `${response.statusCode} ${message}`.trim(),
        ) as Error & { statusCode?: number };
        error.statusCode = response.statusCode;
        reject(error);
      });
    });
  });
}
