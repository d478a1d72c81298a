import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  compareVersions,
  ImportReport,
  newVersionError,
  TemplateDetail,
  TemplateDocs,
  TemplateFacets,
  TemplateKind,
  TemplateList,
  TemplateSummary,
  TemplateUsage,
  TemplateVersionDetail,
  TemplateVersionSummary,
  toSemver,
} from '@cairn/plugin-template-store-common';
import { Knex } from 'knex';
import {
  NewTemplateVersion,
  PutVersionOutcome,
  TemplateQuery,
  TemplateStore,
} from './TemplateStore';

const migrationsDir = resolvePackagePath(
  '@cairn/plugin-template-store-backend',
  'migrations',
);

type Row = Record<string, any>;

const FACETS = [
  ['category', 'categories'],
  ['tag', 'tags'],
  ['platform', 'platforms'],
] as const;

/** The list's orders; the name breaks ties so pages do not overlap. */
const SORT_ORDERS: Record<
  TemplateQuery['sort'],
  Array<{ column: string; order: 'asc' | 'desc' }>
> = {
  name: [
    { column: 't.name', order: 'asc' },
    { column: 't.kind', order: 'asc' },
  ],
  stars: [
    { column: 'stars', order: 'desc' },
    { column: 't.name', order: 'asc' },
    { column: 't.kind', order: 'asc' },
  ],
  updated: [
    { column: 't.updated_at', order: 'desc' },
    { column: 't.name', order: 'asc' },
    { column: 't.kind', order: 'asc' },
  ],
};

/** SQLite returns timestamps as numbers or strings, PostgreSQL as Dates. */
function toIso(value: unknown): string {
  return new Date(value as string | number | Date).toISOString();
}

/** `%` and `_` of a search word match themselves. */
function likePattern(word: string) {
  return `%${word.replace(/[\\%_]/g, c => `\\${c}`)}%`;
}

function searchText(docs: TemplateDocs) {
  return [docs.name, docs.displayName, docs.description, ...docs.tags]
    .filter(Boolean)
    .join('\n')
    .toLocaleLowerCase('en-US');
}

function templateColumns(version: NewTemplateVersion, now: Date) {
  return {
    latest_version: version.version,
    display_name: version.docs.displayName ?? null,
    description: version.docs.description ?? null,
    search_text: searchText(version.docs),
    updated_at: now,
  };
}

function versionSummary(row: Row): TemplateVersionSummary {
  return {
    version: row.version,
    apiVersion: row.api_version,
    digest: row.digest,
    ...(row.min_pipelines_version
      ? { minPipelinesVersion: row.min_pipelines_version }
      : {}),
    deprecated: Boolean(row.deprecated),
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
  };
}

/** The template store in the portal database (SQLite or PostgreSQL). */
export class DatabaseTemplateStore implements TemplateStore {
  static async create(
    database: DatabaseService,
  ): Promise<DatabaseTemplateStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseTemplateStore(knex);
  }

  constructor(private readonly db: Knex) {}

  async list(query: TemplateQuery, userRef: string): Promise<TemplateList> {
    const { db } = this;
    const base = db('templates as t');
    if (query.kind) base.where('t.kind', query.kind);
    if (query.owner) base.where('t.owner', query.owner);
    for (const [facet, value] of [
      ['category', query.category],
      ['tag', query.tag],
      ['platform', query.platform],
    ] as const) {
      if (value) {
        base.whereExists(
          db('template_facets as f')
            .select(db.raw('1'))
            .whereRaw('f.template_id = t.id')
            .andWhere({ 'f.facet': facet, 'f.value': value }),
        );
      }
    }
    for (const word of (query.search ?? '')
      .toLocaleLowerCase('en-US')
      .split(/\s+/)
      .filter(Boolean)) {
      base.whereRaw(`t.search_text like ? escape '\\'`, [likePattern(word)]);
    }
    if (query.starred) {
      base.whereExists(
        db('template_stars as s')
          .select(db.raw('1'))
          .whereRaw('s.template_id = t.id')
          .andWhere('s.user_ref', userRef),
      );
    }
    const [{ count }] = await base.clone().count({ count: '*' });
    // Counts joined from grouped subqueries, not correlated per row: sorting
    // thousands of matches by stars stays one hash join on PostgreSQL.
    const rows: Row[] = await base
      .clone()
      .leftJoin(
        db('template_stars')
          .select('template_id')
          .count({ star_count: '*' })
          .groupBy('template_id')
          .as('sc'),
        'sc.template_id',
        't.id',
      )
      .leftJoin(
        db('template_usage')
          .select('template_id')
          .count({ usage_count: '*' })
          .groupBy('template_id')
          .as('uc'),
        'uc.template_id',
        't.id',
      )
      .leftJoin('template_stars as me', join =>
        join
          .on('me.template_id', '=', 't.id')
          .andOn('me.user_ref', '=', db.raw('?', [userRef])),
      )
      .select(
        't.*',
        db.raw('coalesce(sc.star_count, 0) as stars'),
        db.raw('coalesce(uc.usage_count, 0) as usage'),
        db.raw('case when me.user_ref is null then 0 else 1 end as starred'),
      )
      .orderBy(SORT_ORDERS[query.sort])
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize);
    return {
      items: await this.summaries(rows),
      totalCount: Number(count),
    };
  }

  async facets(): Promise<TemplateFacets> {
    const { db } = this;
    const counts = async (column: string) =>
      (
        (await db('templates')
          .select({ value: column })
          .count({ count: '*' })
          .groupBy(column)
          .orderBy(column)) as Row[]
      ).map(r => ({ value: String(r.value), count: Number(r.count) }));
    const facetRows: Row[] = await db('template_facets')
      .select('facet', 'value')
      .count({ count: '*' })
      .groupBy('facet', 'value')
      .orderBy('value');
    const ofFacet = (facet: string) =>
      facetRows
        .filter(r => r.facet === facet)
        .map(r => ({ value: String(r.value), count: Number(r.count) }));
    return {
      kinds: await counts('kind'),
      owners: await counts('owner'),
      categories: ofFacet('category'),
      tags: ofFacet('tag'),
      platforms: ofFacet('platform'),
    };
  }

  async getTemplate(
    kind: TemplateKind,
    name: string,
    userRef: string,
  ): Promise<TemplateDetail | undefined> {
    const { db } = this;
    const row = await db('templates as t')
      .select(
        't.*',
        db('template_stars as s')
          .count('*')
          .whereRaw('s.template_id = t.id')
          .as('stars'),
        this.usageCount(),
        this.starredBy(userRef),
      )
      .where({ 't.kind': kind, 't.name': name })
      .first();
    if (!row) return undefined;
    const [summary] = await this.summaries([row]);
    const versions = (
      await db('template_versions')
        .select(
          'version',
          'api_version',
          'digest',
          'min_pipelines_version',
          'deprecated',
          'created_by',
          'created_at',
        )
        .where('template_id', row.id)
    )
      .map(versionSummary)
      .sort((a, b) => compareVersions(b.version, a.version));
    return { ...summary, versions };
  }

  async getVersion(
    kind: TemplateKind,
    name: string,
    version: string,
  ): Promise<TemplateVersionDetail | undefined> {
    const row = await this.db('template_versions as v')
      .join('templates as t', 't.id', 'v.template_id')
      .select('v.*', 't.kind', 't.name')
      .where({ 't.kind': kind, 't.name': name, 'v.version': version })
      .first();
    if (!row) return undefined;
    return {
      ...versionSummary(row),
      kind: row.kind,
      name: row.name,
      yaml: row.yaml,
      ...(row.readme ? { readme: row.readme } : {}),
      docs: JSON.parse(row.docs),
    };
  }

  async putVersions(
    versions: NewTemplateVersion[],
    options: { mustIncrease: boolean },
  ): Promise<PutVersionOutcome[]> {
    return this.db.transaction(async tx => {
      const outcomes: PutVersionOutcome[] = [];
      for (const version of versions) {
        outcomes.push(await this.putVersion(tx, version, options));
      }
      return outcomes;
    });
  }

  private async putVersion(
    tx: Knex.Transaction,
    version: NewTemplateVersion,
    options: { mustIncrease: boolean },
  ): Promise<PutVersionOutcome> {
    const now = new Date();
    const template: Row | undefined = await tx('templates')
      .where({ kind: version.kind, name: version.name })
      .first();
    let templateId: number;
    if (template) {
      templateId = template.id;
      const stored = await tx('template_versions')
        .select('digest')
        .where({ template_id: templateId, version: version.version })
        .first();
      if (stored) {
        return stored.digest === version.digest
          ? { outcome: 'unchanged' }
          : {
              outcome: 'rejected',
              reason: `version conflict: ${version.kind} ${version.name} ${version.version} is already stored with different content (${stored.digest})`,
            };
      }
      if (options.mustIncrease) {
        const existing: string[] = await tx('template_versions')
          .where('template_id', templateId)
          .pluck('version');
        const error = newVersionError(version.version, existing);
        if (error) return { outcome: 'rejected', reason: error };
      }
    } else {
      const [inserted] = await tx('templates').insert(
        {
          kind: version.kind,
          name: version.name,
          owner: version.owner,
          ...templateColumns(version, now),
          forked_from_kind: version.forkedFrom?.kind ?? null,
          forked_from_name: version.forkedFrom?.name ?? null,
          forked_from_version: version.forkedFrom?.version ?? null,
          created_at: now,
        },
        ['id'],
      );
      templateId = typeof inserted === 'object' ? inserted.id : inserted;
    }
    await tx('template_versions').insert({
      template_id: templateId,
      version: version.version,
      api_version: version.docs.apiVersion,
      yaml: version.yaml,
      digest: version.digest,
      readme: version.readme ?? null,
      docs: JSON.stringify(version.docs),
      min_pipelines_version: version.docs.minPipelinesVersion ?? null,
      deprecated: false,
      created_by: version.createdBy,
      created_at: now,
    });
    const isLatest =
      !template ||
      compareVersions(version.version, template.latest_version) > 0;
    if (template && isLatest) {
      await tx('templates')
        .where('id', templateId)
        .update(templateColumns(version, now));
    }
    if (isLatest) {
      await tx('template_facets').where('template_id', templateId).delete();
      const facetRows = FACETS.flatMap(([facet, field]) =>
        [...new Set(version.docs[field])].map(value => ({
          template_id: templateId,
          facet,
          value,
        })),
      );
      if (facetRows.length) await tx('template_facets').insert(facetRows);
    }
    return { outcome: 'added' };
  }

  async setDeprecated(
    kind: TemplateKind,
    name: string,
    version: string,
    deprecated: boolean,
  ): Promise<void> {
    const templateId = await this.templateId(this.db, kind, name);
    const updated = await this.db('template_versions')
      .where({ template_id: templateId, version })
      .update({ deprecated });
    if (!updated)
      throw new NotFoundError(`${kind} ${name} has no version ${version}`);
  }

  async deleteVersion(
    kind: TemplateKind,
    name: string,
    version: string,
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const templateId = await this.templateId(tx, kind, name);
      const users = await tx('template_usage')
        .where({ template_id: templateId, version })
        .count({ count: '*' });
      if (Number(users[0].count) > 0) {
        throw new ConflictError(
          `${kind} ${name} ${version} is used by ${users[0].count} pipeline(s); it can be deprecated, not deleted`,
        );
      }
      const deleted = await tx('template_versions')
        .where({ template_id: templateId, version })
        .delete();
      if (!deleted) {
        throw new NotFoundError(`${kind} ${name} has no version ${version}`);
      }
      const rest: Row[] = await tx('template_versions')
        .where('template_id', templateId)
        .select('version', 'docs');
      if (!rest.length) {
        await tx('templates').where('id', templateId).delete();
        return;
      }
      const latest = rest
        .sort((a, b) => compareVersions(a.version, b.version))
        .at(-1)!;
      const docs: TemplateDocs = JSON.parse(latest.docs);
      const asVersion = { version: latest.version, docs } as NewTemplateVersion;
      await tx('templates')
        .where('id', templateId)
        .update(templateColumns(asVersion, new Date()));
      await tx('template_facets').where('template_id', templateId).delete();
      const facetRows = FACETS.flatMap(([facet, field]) =>
        [...new Set(docs[field])].map(value => ({
          template_id: templateId,
          facet,
          value,
        })),
      );
      if (facetRows.length) await tx('template_facets').insert(facetRows);
    });
  }

  async setStar(
    kind: TemplateKind,
    name: string,
    userRef: string,
    starred: boolean,
  ): Promise<void> {
    const templateId = await this.templateId(this.db, kind, name);
    if (starred) {
      await this.db('template_stars')
        .insert({ template_id: templateId, user_ref: userRef })
        .onConflict(['template_id', 'user_ref'])
        .ignore();
    } else {
      await this.db('template_stars')
        .where({ template_id: templateId, user_ref: userRef })
        .delete();
    }
  }

  async replaceUsage(cluster: string, usages: TemplateUsage[]): Promise<void> {
    await this.db.transaction(async tx => {
      await tx('template_usage').where({ cluster }).delete();
      if (!usages.length) return;
      const held: Row[] = await tx('template_versions as v')
        .join('templates as t', 't.id', 'v.template_id')
        .whereIn('t.name', [...new Set(usages.map(u => u.name))])
        .select('t.id', 't.kind', 't.name', 'v.version');
      // By the version's semver: a reference may spell the catalog's `0.9`
      // as `0.9.0` (the hub resolver's Artifact Hub versions); the row
      // names the version as the store has it.
      const key = (kind: string, name: string, version: string) =>
        `${kind}/${name}@${toSemver(version) ?? version}`;
      const heldAs = new Map(
        held.map(r => [
          key(r.kind, r.name, r.version),
          { id: r.id as number, version: r.version as string },
        ]),
      );
      const observedAt = new Date();
      const rows = usages.flatMap(usage => {
        const version = heldAs.get(key(usage.kind, usage.name, usage.version));
        return version === undefined
          ? []
          : [
              {
                template_id: version.id,
                version: version.version,
                cluster,
                namespace: usage.namespace,
                pipeline: usage.pipeline,
                entity_ref: usage.entityRef ?? null,
                observed_at: observedAt,
              },
            ];
      });
      // Chunks keep each insert under the databases' bound-parameter limits.
      for (let i = 0; i < rows.length; i += 200) {
        await tx('template_usage').insert(rows.slice(i, i + 200));
      }
    });
  }

  async listUsage(kind: TemplateKind, name: string): Promise<TemplateUsage[]> {
    const rows: Row[] = await this.db('template_usage as u')
      .join('templates as t', 't.id', 'u.template_id')
      .where({ 't.kind': kind, 't.name': name })
      .select('u.*')
      .orderBy(['u.cluster', 'u.namespace', 'u.pipeline', 'u.version']);
    return rows.map(row => ({
      kind,
      name,
      version: row.version,
      cluster: row.cluster,
      namespace: row.namespace,
      pipeline: row.pipeline,
      ...(row.entity_ref ? { entityRef: row.entity_ref } : {}),
    }));
  }

  async saveImport(report: ImportReport, startedBy: string): Promise<void> {
    await this.db('template_imports').insert({
      id: report.id,
      source: report.source,
      started_by: startedBy,
      started_at: new Date(report.startedAt),
      finished_at: new Date(report.finishedAt),
      added: report.added,
      unchanged: report.unchanged,
      rejected: report.rejected,
      files: JSON.stringify(report.files),
    });
  }

  async getImport(id: string): Promise<ImportReport | undefined> {
    const row = await this.db('template_imports').where('id', id).first();
    if (!row) return undefined;
    return {
      id: row.id,
      source: row.source,
      startedAt: toIso(row.started_at),
      finishedAt: toIso(row.finished_at),
      added: row.added,
      unchanged: row.unchanged,
      rejected: row.rejected,
      files: JSON.parse(row.files),
    };
  }

  private async templateId(db: Knex, kind: TemplateKind, name: string) {
    const row = await db('templates')
      .select('id')
      .where({ kind, name })
      .first();
    if (!row) throw new NotFoundError(`no ${kind} named ${name} in the store`);
    return row.id as number;
  }

  /** References from pipelines (one per pipeline and version it uses). */
  private usageCount() {
    return this.db('template_usage as u')
      .count('*')
      .whereRaw('u.template_id = t.id')
      .as('usage');
  }

  private starredBy(userRef: string) {
    return this.db('template_stars as me')
      .count('*')
      .whereRaw('me.template_id = t.id')
      .andWhere('me.user_ref', userRef)
      .as('starred');
  }

  private async summaries(rows: Row[]): Promise<TemplateSummary[]> {
    if (!rows.length) return [];
    const facetRows: Row[] = await this.db('template_facets')
      .whereIn(
        'template_id',
        rows.map(r => r.id),
      )
      .orderBy('value');
    return rows.map(row => {
      const of = (facet: string) =>
        facetRows
          .filter(f => f.template_id === row.id && f.facet === facet)
          .map(f => f.value as string);
      return {
        kind: row.kind,
        name: row.name,
        owner: row.owner,
        ...(row.display_name ? { displayName: row.display_name } : {}),
        ...(row.description ? { description: row.description } : {}),
        categories: of('category'),
        tags: of('tag'),
        platforms: of('platform'),
        latestVersion: row.latest_version,
        stars: Number(row.stars),
        starred: Number(row.starred) > 0,
        usage: Number(row.usage),
        ...(row.forked_from_name
          ? {
              forkedFrom: {
                kind: row.forked_from_kind,
                name: row.forked_from_name,
                version: row.forked_from_version,
              },
            }
          : {}),
        updatedAt: toIso(row.updated_at),
      };
    });
  }
}
