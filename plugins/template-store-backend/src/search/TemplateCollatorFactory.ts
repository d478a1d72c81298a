import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  TemplateList,
  templatesReadPermission,
} from '@cairn/plugin-template-store-common';
import {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import { Readable } from 'node:stream';

/** A template as Backstage's search indexes it. */
export interface TemplateDocument extends IndexableDocument {
  kind: string;
  name: string;
  owner: string;
  latestVersion: string;
  tags: string[];
  categories: string[];
}

/**
 * The templates of the store for Backstage's search: every template's
 * latest version, read page by page from the store's API as the search
 * backend's own service.
 */
export class TemplateCollatorFactory implements DocumentCollatorFactory {
  readonly type = 'template-store';
  readonly visibilityPermission = templatesReadPermission;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      /** Where the portal shows a template, before `/<kind>/<name>`. */
      basePath?: string;
    },
  ) {}

  async getCollator(): Promise<Readable> {
    return Readable.from(this.documents());
  }

  private async *documents(): AsyncGenerator<TemplateDocument> {
    const { discovery, auth, basePath = '/templates' } = this.options;
    const base = await discovery.getBaseUrl('template-store');
    for (let page = 1, seen = 0; ; page++) {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'template-store',
      });
      const response = await fetch(`${base}/templates?sort=name&page=${page}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!response.ok) throw await ResponseError.fromResponse(response);
      const list = (await response.json()) as TemplateList;
      for (const t of list.items) {
        yield {
          title: t.displayName ?? t.name,
          text: [t.description, ...t.tags, ...t.categories]
            .filter(Boolean)
            .join(' '),
          location: `${basePath}/${t.kind}/${t.name}`,
          kind: t.kind,
          name: t.name,
          owner: t.owner,
          latestVersion: t.latestVersion,
          tags: t.tags,
          categories: t.categories,
        };
      }
      seen += list.items.length;
      if (!list.items.length || seen >= list.totalCount) return;
    }
  }
}
