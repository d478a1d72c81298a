import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ForkRequest,
  InstallRequest,
  ListTemplatesQuery,
  PublishRequest,
  TemplateKind,
} from '@cairn/plugin-template-store-common';
import { TemplateStoreApi } from './TemplateStoreApi';

const templatePath = (kind: TemplateKind, name: string) =>
  `/templates/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;

/** Calls the template store backend (`/api/template-store`). @public */
export class TemplateStoreClient implements TemplateStoreApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  listTemplates(query: ListTemplatesQuery) {
    const params = new URLSearchParams(
      Object.entries(query).flatMap(([key, value]) =>
        value === undefined || value === '' ? [] : [[key, String(value)]],
      ),
    );
    return this.request(`/templates?${params}`);
  }

  getFacets() {
    return this.request('/facets');
  }

  getTemplate(kind: TemplateKind, name: string) {
    return this.request(templatePath(kind, name));
  }

  getVersion(kind: TemplateKind, name: string, version: string) {
    return this.request(
      `${templatePath(kind, name)}/versions/${encodeURIComponent(version)}`,
    );
  }

  diff(kind: TemplateKind, name: string, from: string, to: string) {
    const params = new URLSearchParams({ from, to });
    return this.request(`${templatePath(kind, name)}/diff?${params}`);
  }

  async setStar(kind: TemplateKind, name: string, starred: boolean) {
    await this.request(`${templatePath(kind, name)}/star`, {
      method: starred ? 'PUT' : 'DELETE',
    });
  }

  publish(request: PublishRequest) {
    return this.request('/templates', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  fork(kind: TemplateKind, name: string, request: ForkRequest) {
    return this.request(`${templatePath(kind, name)}/forks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  listUsage(kind: TemplateKind, name: string) {
    return this.request(`${templatePath(kind, name)}/usage`);
  }

  clusterTemplate(
    entityRef: string,
    where: {
      cluster: string;
      namespace: string;
      kind: 'Task' | 'Pipeline';
      name: string;
    },
  ) {
    const path = [where.cluster, where.namespace, where.kind, where.name]
      .map(encodeURIComponent)
      .join('/');
    const params = new URLSearchParams({ entityRef });
    return this.request(`/cluster-templates/${path}?${params}`);
  }

  installTargets(entityRef: string) {
    const params = new URLSearchParams({ entityRef });
    return this.request(`/install-targets?${params}`);
  }

  install(
    kind: TemplateKind,
    name: string,
    version: string,
    request: InstallRequest,
  ) {
    return this.request(
      `${templatePath(kind, name)}/versions/${encodeURIComponent(
        version,
      )}/installs`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      },
    );
  }

  private async request(path: string, init?: RequestInit): Promise<any> {
    const base = await this.options.discoveryApi.getBaseUrl('template-store');
    const response = await this.options.fetchApi.fetch(`${base}${path}`, init);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return response.status === 204 ? undefined : response.json();
  }
}
