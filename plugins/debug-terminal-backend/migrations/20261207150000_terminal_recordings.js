// @ts-check

/**
 * Terminal recordings: who opened which terminal on which container, when,
 * how many bytes went each way, and what the terminal showed (asciicast v2
 * events), for ops to audit and replay.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('terminal_recordings', table => {
    table.comment('One row per terminal opened through the portal');
    table.bigIncrements('id').primary();
    table
      .string('kind')
      .notNullable()
      .comment('attach (debug session) or shell');
    table.string('user_entity_ref').notNullable();
    table.string('entity_ref').notNullable();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('pod').notNullable();
    table.string('container').notNullable();
    table.string('toolkit');
    table.string('session_name').comment('The DebugSession, for attach');
    table.integer('width').notNullable();
    table.integer('height').notNullable();
    table.timestamp('started_at', { useTz: false }).notNullable();
    table.timestamp('ended_at', { useTz: false });
    table.bigInteger('bytes_in').notNullable().defaultTo(0);
    table.bigInteger('bytes_out').notNullable().defaultTo(0);
    table
      .boolean('truncated')
      .notNullable()
      .defaultTo(false)
      .comment('The size cap stopped the recording');
    table.index(['entity_ref'], 'terminal_recordings_entity_idx');
    table.index(['started_at'], 'terminal_recordings_started_idx');
  });
  await knex.schema.createTable('terminal_recording_events', table => {
    table.comment('asciicast v2 events of a recording, in order');
    table
      .bigInteger('recording_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('terminal_recordings')
      .onDelete('CASCADE');
    table.integer('seq').notNullable();
    table.double('time').notNullable().comment('Seconds since the start');
    table
      .string('type', 1)
      .notNullable()
      .comment('o output, i input, r resize');
    table.text('data').notNullable();
    table.primary(['recording_id', 'seq']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('terminal_recording_events');
  await knex.schema.dropTable('terminal_recordings');
};
