// @ts-check

/**
 * The template store: versioned Tekton Tasks, Pipelines and StepActions,
 * their stars, usage and import runs.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('templates', table => {
    table.comment(
      'A Task, Pipeline or StepAction of the store, owned by a group',
    );
    table.increments('id');
    table.string('kind').notNullable();
    table.string('name').notNullable();
    table.string('owner').notNullable().comment('catalog group ref');
    table
      .string('latest_version')
      .notNullable()
      .comment('highest semver; the columns below are read from it');
    table.string('display_name');
    table.text('description');
    table
      .text('search_text')
      .notNullable()
      .comment(
        'lowercased name, display name, description and tags, for substring search',
      );
    table.string('forked_from_kind');
    table.string('forked_from_name');
    table.string('forked_from_version');
    table.timestamp('created_at', { useTz: false }).notNullable();
    table.timestamp('updated_at', { useTz: false }).notNullable();
    table.unique(['kind', 'name'], { indexName: 'templates_kind_name_idx' });
    table.index(['owner'], 'templates_owner_idx');
  });
  await knex.schema.createTable('template_facets', table => {
    table.comment(
      'Categories, tags and platforms of a template’s latest version',
    );
    table
      .integer('template_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('templates')
      .onDelete('CASCADE');
    table.string('facet').notNullable().comment('category, tag or platform');
    table.string('value').notNullable();
    table.primary(['template_id', 'facet', 'value']);
    table.index(['facet', 'value'], 'template_facets_value_idx');
  });
  await knex.schema.createTable('template_versions', table => {
    table.comment('One version of a template: its YAML byte for byte');
    table
      .integer('template_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('templates')
      .onDelete('CASCADE');
    table.string('version').notNullable();
    table.string('api_version').notNullable();
    table.text('yaml', 'longtext').notNullable();
    table
      .string('digest')
      .notNullable()
      .comment('sha256:<hex> of the YAML bytes');
    table.text('readme', 'longtext');
    table.text('docs', 'longtext').notNullable().comment('JSON TemplateDocs');
    table.string('min_pipelines_version');
    table.boolean('deprecated').notNullable().defaultTo(false);
    table.string('created_by').notNullable();
    table.timestamp('created_at', { useTz: false }).notNullable();
    table.primary(['template_id', 'version']);
  });
  await knex.schema.createTable('template_stars', table => {
    table
      .integer('template_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('templates')
      .onDelete('CASCADE');
    table.string('user_ref').notNullable();
    table.primary(['template_id', 'user_ref']);
  });
  await knex.schema.createTable('template_usage', table => {
    table.comment(
      'Pipelines in the watched clusters that reference a template version; filled by the usage job',
    );
    table
      .integer('template_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('templates')
      .onDelete('CASCADE');
    table.string('version').notNullable();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('pipeline').notNullable();
    table.string('entity_ref');
    table.timestamp('observed_at', { useTz: false }).notNullable();
    table.primary([
      'template_id',
      'version',
      'cluster',
      'namespace',
      'pipeline',
    ]);
  });
  await knex.schema.createTable('template_imports', table => {
    table.comment('One import run and what happened to each file');
    table.uuid('id').primary();
    table.string('source').notNullable();
    table.string('started_by').notNullable();
    table.timestamp('started_at', { useTz: false }).notNullable();
    table.timestamp('finished_at', { useTz: false }).notNullable();
    table.integer('added').notNullable();
    table.integer('unchanged').notNullable();
    table.integer('rejected').notNullable();
    table
      .text('files', 'longtext')
      .notNullable()
      .comment('JSON ImportFileOutcome[]');
    table.index(['started_at'], 'template_imports_started_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('template_imports');
  await knex.schema.dropTable('template_usage');
  await knex.schema.dropTable('template_stars');
  await knex.schema.dropTable('template_versions');
  await knex.schema.dropTable('template_facets');
  await knex.schema.dropTable('templates');
};
