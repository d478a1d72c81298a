// @ts-check

/**
 * The log archive: step logs of finished PipelineRuns, kept after their pods
 * are gone.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('archived_runs', table => {
    table.comment('PipelineRuns whose step logs were archived');
    table.string('run_uid').primary().notNullable();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('name').notNullable();
    table
      .text('labels')
      .notNullable()
      .comment('JSON labels, to decide which entity the run belongs to');
    table.timestamp('archived_at', { useTz: false }).notNullable();
    table.index(['cluster', 'namespace', 'name'], 'archived_runs_name_idx');
    table.index(['archived_at'], 'archived_runs_archived_at_idx');
  });
  await knex.schema.createTable('step_logs', table => {
    table.comment('The log of one step container of a TaskRun');
    table
      .string('run_uid')
      .notNullable()
      .references('run_uid')
      .inTable('archived_runs')
      .onDelete('CASCADE');
    table.string('task_run').notNullable();
    table.string('step').notNullable();
    table.string('container').notNullable();
    table.text('content', 'longtext').notNullable();
    table.primary(['run_uid', 'task_run', 'step']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('step_logs');
  await knex.schema.dropTable('archived_runs');
};
