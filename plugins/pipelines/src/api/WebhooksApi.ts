import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  GitProvider,
  WebhookDeliveriesQuery,
  WebhookDeliverySummary,
} from '@cairn/plugin-pipelines-common';

/**
 * The Git webhook side of the Pipelines backend: the delivery log, ops'
 * redelivery, and where Git servers send their deliveries.
 * @public
 */
export interface WebhooksApi {
  /** The log, newest first; with `entityRef`, the deliveries that met its Pipelines. */
  listDeliveries(
    query: Partial<WebhookDeliveriesQuery>,
  ): Promise<WebhookDeliverySummary[]>;
  /** Processes a delivery's stored payload again, as a new delivery (ops). */
  redeliver(id: string): Promise<WebhookDeliverySummary>;
  /** The URL a Git server's webhook posts to: the events backend's ingress of the provider. */
  webhookUrl(provider: GitProvider): Promise<string>;
}

/** @public */
export const webhooksApiRef = createApiRef<WebhooksApi>({
  id: 'plugin.pipelines.webhooks',
});

/** {@link WebhooksApi} over the backend's HTTP API. @public */
export class WebhooksClient implements WebhooksApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  private async call<T>(path: string, init?: { method: string }): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('pipelines');
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}${path}`,
      init,
    );
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      // The server's words (which permission, which entity) first.
      if (error.cause.message) error.message = error.cause.message;
      throw error;
    }
    return (await response.json()) as T;
  }

  async listDeliveries(
    query: Partial<WebhookDeliveriesQuery>,
  ): Promise<WebhookDeliverySummary[]> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const { items } = await this.call<{ items: WebhookDeliverySummary[] }>(
      `/webhooks/deliveries?${params}`,
    );
    return items;
  }

  async redeliver(id: string): Promise<WebhookDeliverySummary> {
    return this.call<WebhookDeliverySummary>(
      `/webhooks/deliveries/${encodeURIComponent(id)}/redeliver`,
      { method: 'POST' },
    );
  }

  async webhookUrl(provider: GitProvider): Promise<string> {
    return `${await this.options.discoveryApi.getBaseUrl(
      'events',
    )}/http/${provider}`;
  }
}
