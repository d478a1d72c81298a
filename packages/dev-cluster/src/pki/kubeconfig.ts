import { stringify } from 'yaml';

export const CONTEXT_NAME = 'cairn-dev';

export interface KubeconfigInput {
  server: string;
  caCertPem: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  userName?: string;
  namespace?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A kubeconfig with one cluster, user and context, all named `cairn-dev` (user: its name). */
export function buildKubeconfig(input: KubeconfigInput): string {
  const userName = input.userName ?? 'cairn-dev-admin';
  const user: Record<string, string> = {};
  if (input.clientCertPem && input.clientKeyPem) {
    user['client-certificate-data'] = b64(input.clientCertPem);
    user['client-key-data'] = b64(input.clientKeyPem);
  }
  if (input.token) user.token = input.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: CONTEXT_NAME,
        cluster: {
          server: input.server,
          'certificate-authority-data': b64(input.caCertPem),
        },
      },
    ],
    users: [{ name: userName, user }],
    contexts: [
      {
        name: CONTEXT_NAME,
        context: {
          cluster: CONTEXT_NAME,
          user: userName,
          ...(input.namespace ? { namespace: input.namespace } : {}),
        },
      },
    ],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}
