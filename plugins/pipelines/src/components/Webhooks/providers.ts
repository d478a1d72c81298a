import type {
  GitProvider,
  WebhookDeliverySummary,
} from '@cairn/plugin-pipelines-common';

/** How to set up one Git server's webhook for the portal. */
export interface ProviderSetup {
  provider: GitProvider;
  title: string;
  /** Where the webhook form is, in the server's words. */
  where: string;
  /** The form's field for the URL, and the content type to pick, if it asks. */
  urlField: string;
  contentType?: string;
  /** The form's field for the secret, and the portal's config key that holds it. */
  secretField: string;
  secretConfig: string;
  /** The environment variable the shipped app-config.yaml reads it from. */
  secretEnv: string;
  /** The header the portal checks the delivery with. */
  checkedHeader: string;
  /** The events to tick, in the server's words. */
  events: string[];
}

/** The three Git servers the portal receives webhooks from. */
export const PROVIDER_SETUPS: ProviderSetup[] = [
  {
    provider: 'github',
    title: 'GitHub',
    where: 'Repository → Settings → Webhooks → Add webhook',
    urlField: 'Payload URL',
    contentType: 'application/json',
    secretField: 'Secret',
    secretConfig: 'events.modules.github.webhookSecret',
    secretEnv: 'CAIRN_GITHUB_WEBHOOK_SECRET',
    checkedHeader: 'X-Hub-Signature-256 (HMAC-SHA256 of the body)',
    events: ['Pushes', 'Pull requests'],
  },
  {
    provider: 'gitlab',
    title: 'GitLab',
    where: 'Project → Settings → Webhooks → Add new webhook',
    urlField: 'URL',
    secretField: 'Secret token',
    secretConfig: 'events.modules.gitlab.webhookSecret',
    secretEnv: 'CAIRN_GITLAB_WEBHOOK_SECRET',
    checkedHeader: 'X-Gitlab-Token (the token itself)',
    events: ['Push events', 'Merge request events'],
  },
  {
    provider: 'gitea',
    title: 'Gitea / Forgejo',
    where:
      'Repository → Settings → Webhooks → Add webhook → Gitea (or Forgejo)',
    urlField: 'Target URL',
    contentType: 'application/json',
    secretField: 'Secret',
    secretConfig: 'events.modules.gitea.webhookSecret',
    secretEnv: 'CAIRN_GITEA_WEBHOOK_SECRET',
    checkedHeader: 'X-Gitea-Signature (HMAC-SHA256 of the body)',
    events: ['Custom events: Push', 'Pull Request'],
  },
];

/**
 * The Git server a repository URL is most likely on, by its host; undefined
 * for a host of its own (a self-hosted GitLab or Gitea looks the same).
 */
export function providerOfRepository(url: string): GitProvider | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host === 'github.com' || host.startsWith('github.')) return 'github';
  if (host === 'gitlab.com' || host.startsWith('gitlab.')) return 'gitlab';
  if (
    host === 'gitea.com' ||
    host === 'codeberg.org' ||
    host.startsWith('gitea.') ||
    host.startsWith('forgejo.')
  ) {
    return 'gitea';
  }
  return undefined;
}

/** The newest delivery of each provider (the list is newest first). */
export function lastDeliveries(
  deliveries: WebhookDeliverySummary[],
): Partial<Record<GitProvider, WebhookDeliverySummary>> {
  const last: Partial<Record<GitProvider, WebhookDeliverySummary>> = {};
  for (const delivery of deliveries) {
    last[delivery.provider] ??= delivery;
  }
  return last;
}
