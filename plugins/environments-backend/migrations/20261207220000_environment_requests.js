// @ts-check

/**
 * Developers' requests to ops for a new environment or more quota, and
 * ops' decisions: the request is approved only once its change is in the
 * cluster, so a pending request with an error is one whose approval failed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('environment_requests', table => {
    table.comment('Requests for a new environment or more quota');
    table.string('id', 36).primary().comment('A UUID');
    table
      .string('kind', 16)
      .notNullable()
      .comment('environment (a new one) or quota (more of it)');
    table.string('cluster').notNullable();
    table.string('environment').notNullable().comment("The Environment's name");
    table.string('namespace').notNullable();
    table
      .string('owner_group')
      .notNullable()
      .comment("The environment's owner group, the requester's team");
    table
      .text('requested')
      .notNullable()
      .comment('JSON: the spec asked for, or the new quota hard values');
    table.text('reason').notNullable();
    table.string('requested_by').notNullable().comment('User entity ref');
    table.timestamp('requested_at', { useTz: false }).notNullable();
    table
      .string('state', 16)
      .notNullable()
      .defaultTo('pending')
      .comment('pending, approved or rejected');
    table.string('decided_by').comment('User entity ref');
    table.timestamp('decided_at', { useTz: false });
    table.text('comment').comment("The decider's comment");
    table
      .text('error')
      .comment('Why the last approval could not be applied to the cluster');
    table.index(['state', 'requested_at'], 'environment_requests_state_idx');
    table.index(['owner_group'], 'environment_requests_group_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('environment_requests');
};
