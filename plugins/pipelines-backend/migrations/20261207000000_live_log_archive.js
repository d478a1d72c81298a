// @ts-check

/** MAX_CHUNK_BYTES of src/logs/LogStore.ts, as of this migration. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Step logs archived while they are written: one row per step container of
 * each TaskRun attempt, with where its follower stopped and which replica
 * holds it (a lease), and the log itself in chunks. The whole logs of the
 * earlier archive move into chunks as the archiver writes them. `archived_runs` remembers when
 * retention deleted a run's logs, to say so.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('archived_runs', table => {
    table
      .timestamp('logs_expired_at', { useTz: false })
      .nullable()
      .comment('When retention deleted the logs (the row stays to say so)');
  });
  await knex.schema.createTable('log_steps', table => {
    table.comment('The archive of one step container of a TaskRun attempt');
    table.increments('id').primary();
    table
      .string('run_uid')
      .notNullable()
      .references('run_uid')
      .inTable('archived_runs')
      .onDelete('CASCADE');
    table.string('task_run').notNullable();
    table.integer('attempt').notNullable().comment('0 first, then retries');
    table.string('step').notNullable();
    table.string('container').notNullable();
    table.string('pod').notNullable();
    table
      .string('state')
      .notNullable()
      .comment('open (being archived), complete, or gone (never read)');
    table.text('note').nullable().comment('why the log is gone or partial');
    table
      .bigInteger('written')
      .notNullable()
      .defaultTo(0)
      .comment('bytes the step wrote that the archive has seen');
    table
      .string('resume_time')
      .nullable()
      .comment('timestamp of the last line');
    table
      .integer('resume_lines')
      .notNullable()
      .defaultTo(0)
      .comment('lines stored with that timestamp');
    table
      .bigInteger('max_bytes')
      .nullable()
      .comment('the cap when archiving began (null: uncapped)');
    table.string('holder').nullable().comment('replica following the log');
    table
      .bigInteger('lease_expires_at')
      .notNullable()
      .defaultTo(0)
      .comment('epoch ms; another replica may take over after it');
    table.unique(['run_uid', 'task_run', 'attempt', 'step'], {
      indexName: 'log_steps_key_idx',
    });
    table.index(['state', 'lease_expires_at'], 'log_steps_open_idx');
  });
  await knex.schema.createTable('log_chunks', table => {
    table.comment('Bytes of a step log, at their offset in the log as written');
    table
      .integer('step_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('log_steps')
      .onDelete('CASCADE');
    table.bigInteger('byte_offset').notNullable();
    table.integer('byte_length').notNullable();
    table.binary('content').notNullable();
    table.primary(['step_id', 'byte_offset']);
  });
  const old = await knex('step_logs').select('run_uid', 'task_run', 'step');
  for (const key of old) {
    const row = await knex('step_logs').where(key).first();
    const content = Buffer.from(row.content, 'utf8');
    const [inserted] = await knex('log_steps')
      .insert({
        ...key,
        attempt: 0,
        container: row.container,
        pod: '',
        state: 'complete',
        written: content.length,
      })
      .returning('id');
    // In chunks of at most LogStore's MAX_CHUNK_BYTES, which reads of a
    // byte range rely on (they look back at most one chunk).
    for (let at = 0; at < content.length; at += CHUNK_BYTES) {
      const piece = content.subarray(at, at + CHUNK_BYTES);
      await knex('log_chunks').insert({
        step_id: typeof inserted === 'object' ? inserted.id : inserted,
        byte_offset: at,
        byte_length: piece.length,
        content: piece,
      });
    }
  }
  await knex.schema.dropTable('step_logs');
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.createTable('step_logs', table => {
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
  const steps = await knex('log_steps')
    .where({ attempt: 0 })
    .select('id', 'run_uid', 'task_run', 'step', 'container');
  for (const step of steps) {
    const chunks = await knex('log_chunks')
      .where({ step_id: step.id })
      .orderBy('byte_offset')
      .select('content');
    await knex('step_logs').insert({
      run_uid: step.run_uid,
      task_run: step.task_run,
      step: step.step,
      container: step.container,
      content: Buffer.concat(chunks.map(c => c.content)).toString('utf8'),
    });
  }
  await knex.schema.dropTable('log_chunks');
  await knex.schema.dropTable('log_steps');
  // Not knex's dropColumn: on SQLite it copies the table, and the copy's
  // foreign keys would delete the step logs just restored.
  await knex.raw('ALTER TABLE archived_runs DROP COLUMN logs_expired_at');
};
