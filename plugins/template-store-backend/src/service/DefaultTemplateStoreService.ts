import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { getEntityScope } from '@cairn/plugin-kubernetes-node';
import {
  ForkRequest,
  parseTemplateYaml,
  TEMPLATE_PAGE_SIZE,
  TemplateKind,
  TemplateVersionDetail,
} from '@cairn/plugin-template-store-common';
import { createTwoFilesPatch } from 'diff';
import { parseDocument } from 'yaml';
import { templateDigest } from '../import/catalogFiles';
import { CatalogImporter } from '../import/CatalogImporter';
import { ImportLimits, PayloadTooLargeError } from '../import/limits';
import { TemplateInstaller } from '../install/TemplateInstaller';
import { NewTemplateVersion, TemplateStore } from '../store/TemplateStore';
import {
  Caller,
  ClusterObjectLocation,
  InstallInput,
  PublishInput,
  TemplateStoreService,
} from './TemplateStoreService';

/** The store's operations, without permission checks (see AuthorizedTemplateStoreService). */
export class DefaultTemplateStoreService implements TemplateStoreService {
  constructor(
    private readonly options: {
      store: TemplateStore;
      importer: CatalogImporter;
      limits: ImportLimits;
      installer: TemplateInstaller;
      catalog: CatalogService;
    },
  ) {}

  list(query: Parameters<TemplateStoreService['list']>[0], caller: Caller) {
    return this.options.store.list(
      { ...query, pageSize: TEMPLATE_PAGE_SIZE },
      caller.userRef,
    );
  }

  facets() {
    return this.options.store.facets();
  }

  async getTemplate(kind: TemplateKind, name: string, caller: Caller) {
    const template = await this.options.store.getTemplate(
      kind,
      name,
      caller.userRef,
    );
    if (!template)
      throw new NotFoundError(`no ${kind} named ${name} in the store`);
    return template;
  }

  async getVersion(kind: TemplateKind, name: string, version: string) {
    const found = await this.options.store.getVersion(kind, name, version);
    if (!found)
      throw new NotFoundError(`${kind} ${name} has no version ${version}`);
    return found;
  }

  async diff(kind: TemplateKind, name: string, from: string, to: string) {
    const [a, b] = await Promise.all([
      this.getVersion(kind, name, from),
      this.getVersion(kind, name, to),
    ]);
    return {
      from,
      to,
      patch: createTwoFilesPatch(
        `${name}-${from}.yaml`,
        `${name}-${to}.yaml`,
        a.yaml,
        b.yaml,
      ),
    };
  }

  async publish(input: PublishInput, caller: Caller) {
    const parsed = parseTemplateYaml(input.yaml, {
      maxBytes: this.options.limits.maxYamlBytes,
    });
    if (!parsed.ok) {
      const message = parsed.errors.join('; ');
      throw parsed.tooLarge
        ? new PayloadTooLargeError(message)
        : new InputError(`invalid template: ${message}`);
    }
    const { kind, name } = parsed.docs;
    const existing = await this.options.store.getTemplate(
      kind,
      name,
      caller.userRef,
    );
    if (existing && existing.owner !== input.owner) {
      throw new ConflictError(
        `${kind} ${name} is owned by ${existing.owner}, not ${input.owner}`,
      );
    }
    return this.put(
      {
        kind,
        name,
        version: input.version,
        owner: input.owner,
        yaml: input.yaml,
        digest: templateDigest(input.yaml),
        readme: input.readme,
        docs: parsed.docs,
        createdBy: caller.userRef,
      },
      true,
    );
  }

  async setDeprecated(
    kind: TemplateKind,
    name: string,
    version: string,
    deprecated: boolean,
  ) {
    await this.options.store.setDeprecated(kind, name, version, deprecated);
  }

  async deleteVersion(kind: TemplateKind, name: string, version: string) {
    await this.options.store.deleteVersion(kind, name, version);
  }

  async setStar(
    kind: TemplateKind,
    name: string,
    starred: boolean,
    caller: Caller,
  ) {
    await this.options.store.setStar(kind, name, caller.userRef, starred);
  }

  async fork(
    kind: TemplateKind,
    name: string,
    request: Required<ForkRequest>,
    caller: Caller,
  ) {
    const source = await this.getVersion(kind, name, request.version);
    if (
      await this.options.store.getTemplate(kind, request.name, caller.userRef)
    ) {
      throw new ConflictError(
        `a ${kind} named ${request.name} is already in the store`,
      );
    }
    // The copy keeps the source's text (comments, order); only its name changes.
    const document = parseDocument(source.yaml);
    document.setIn(['metadata', 'name'], request.name);
    const yaml = document.toString();
    return this.put(
      {
        kind,
        name: request.name,
        version: source.version,
        owner: request.owner,
        yaml,
        digest: templateDigest(yaml),
        readme: source.readme,
        docs: { ...source.docs, name: request.name },
        createdBy: caller.userRef,
        forkedFrom: { kind, name, version: source.version },
      },
      true,
    );
  }

  importArchive(archive: Buffer, owner: string, caller: Caller) {
    return this.options.importer.importArchive(archive, {
      source: 'upload',
      owner,
      createdBy: caller.userRef,
    });
  }

  async getImport(id: string) {
    const report = await this.options.store.getImport(id);
    if (!report) throw new NotFoundError(`no import ${id}`);
    return report;
  }

  async listUsage(kind: TemplateKind, name: string, caller: Caller) {
    await this.getTemplate(kind, name, caller);
    return { items: await this.options.store.listUsage(kind, name) };
  }

  async clusterTemplate(
    entityRef: string,
    where: ClusterObjectLocation,
    caller: Caller,
  ) {
    return this.options.installer.clusterTemplate(
      await this.entityScope(entityRef, caller),
      where,
    );
  }

  async installTargets(entityRef: string, caller: Caller) {
    return this.options.installer.targets(
      await this.entityScope(entityRef, caller),
    );
  }

  async install(
    kind: TemplateKind,
    name: string,
    version: string,
    input: InstallInput,
    caller: Caller,
  ) {
    const [detail, scope] = await Promise.all([
      this.getVersion(kind, name, version),
      this.entityScope(input.entityRef, caller),
    ]);
    return this.options.installer.install(detail, scope, input);
  }

  /** Where an entity's objects are, as the caller sees the entity. */
  private async entityScope(entityRef: string, caller: Caller) {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`entity ${entityRef} not found in the catalog`);
    }
    return getEntityScope(entity, 'templates');
  }

  private async put(
    version: NewTemplateVersion,
    mustIncrease: boolean,
  ): Promise<TemplateVersionDetail> {
    const [result] = await this.options.store.putVersions([version], {
      mustIncrease,
    });
    if (result.outcome === 'rejected') throw new ConflictError(result.reason);
    return this.getVersion(version.kind, version.name, version.version);
  }
}
