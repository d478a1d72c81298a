// @ts-check

/**
 * Git webhook deliveries: stored before the events backend answers 2xx, so
 * each is processed at least once (a startup pass takes the unprocessed);
 * the id (provider + the provider's delivery id) makes a replay a
 * duplicate, not a second run.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('webhook_deliveries', table => {
    table.comment('One Git webhook delivery and what came of it');
    table
      .string('id', 400)
      .primary()
      .comment('<provider>:<delivery id>, unique: a replay is a duplicate');
    table.string('provider').notNullable().comment('github, gitlab or gitea');
    table.string('delivery_id', 300).notNullable();
    table.string('event').nullable().comment("the provider's event name");
    table.text('repository').nullable().comment("the repository's web URL");
    table.text('ref').nullable();
    table.timestamp('received_at', { useTz: false }).notNullable();
    table
      .boolean('signature_ok')
      .notNullable()
      .comment('verified with the provider secret by the events backend');
    table
      .string('outcome')
      .notNullable()
      .comment('pending, runs-created, no-match, ignored, refused or error');
    table.text('reason').nullable().comment('why no run, or the error');
    table.text('runs').nullable().comment('JSON: the runs created');
    table
      .text('matches')
      .nullable()
      .comment("JSON: the repository's Pipelines, matched or why not");
    table.text('headers').notNullable().comment('JSON: event and id headers');
    table.text('payload', 'longtext').notNullable().comment('the JSON body');
    table.boolean('processed').notNullable().defaultTo(false);
    table.timestamp('processed_at', { useTz: false }).nullable();
    table
      .integer('duplicates')
      .notNullable()
      .defaultTo(0)
      .comment('how many times it was delivered again');
    table.string('redelivery_of', 400).nullable();
    table.index(['received_at'], 'webhook_deliveries_received_at_idx');
    table.index(['processed'], 'webhook_deliveries_processed_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('webhook_deliveries');
};
