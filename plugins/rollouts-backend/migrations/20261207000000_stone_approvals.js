// @ts-check

/**
 * Who approved which stage of which Stone revision, when, and why: the
 * history shown on the entity's Rollouts tab. The cluster keeps only the
 * Stone's current stage, so this is where the approvals are remembered.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('stone_approvals', table => {
    table.comment('Stage approvals of Stones, one row per approval');
    table.bigIncrements('id').primary();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('stone').notNullable();
    table
      .string('stone_uid')
      .notNullable()
      .comment('A Stone deleted and created again under its name is another');
    table.string('stage').notNullable().comment('The stage approved');
    table
      .string('revision')
      .notNullable()
      .comment('The update revision (ControllerRevision) the stage released');
    table.string('approved_by').notNullable().comment('User entity ref');
    table.timestamp('approved_at', { useTz: false }).notNullable();
    table.text('comment');
    table
      .boolean('forced')
      .notNullable()
      .defaultTo(false)
      .comment(
        'Approved although the stage was not complete or the Stone degraded',
      );
    table.index(['stone_uid', 'approved_at'], 'stone_approvals_stone_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('stone_approvals');
};
