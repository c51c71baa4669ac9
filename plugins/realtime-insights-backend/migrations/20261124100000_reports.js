// @ts-check

/**
 * Report jobs, their shared links, and the key that signs the links.
 * Times are epoch milliseconds in bigint columns: the same values on SQLite
 * and PostgreSQL, compared without time-zone conversions.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('report_jobs', table => {
    table.string('id', 36).primary().comment('UUID');
    table.string('created_by', 255).notNullable().comment('User entity ref');
    table.string('stream', 253).notNullable();
    table.string('kind', 16).notNullable().comment('summary | raw');
    table.string('format', 16).notNullable().comment('csv | ndjson | xlsx');
    table
      .text('request')
      .notNullable()
      .comment('The validated request (range, filters, columns, …) as JSON');
    table
      .string('status', 16)
      .notNullable()
      .comment('queued | running | succeeded | failed | cancelled');
    table.boolean('cancel_requested').notNullable().defaultTo(false);
    table.integer('attempts').notNullable().defaultTo(0);
    table.integer('max_attempts').notNullable();
    table
      .bigInteger('not_before')
      .nullable()
      .comment('A retried job waits until then');
    table
      .string('claimed_by', 64)
      .nullable()
      .comment('The run (replica + attempt) that holds the job');
    table
      .bigInteger('heartbeat_at')
      .nullable()
      .comment('Last progress of the run; a stale one is taken over');
    table.bigInteger('bytes_estimated').notNullable().defaultTo(0);
    table.bigInteger('bytes_scanned').notNullable().defaultTo(0);
    table.bigInteger('events_scanned').notNullable().defaultTo(0);
    table.bigInteger('rows_written').notNullable().defaultTo(0);
    table.string('file_name', 255).notNullable();
    table.string('output_key', 1024).nullable();
    table.bigInteger('output_bytes').nullable();
    table.text('error').nullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.bigInteger('started_at').nullable();
    table.bigInteger('finished_at').nullable();
    table.bigInteger('expires_at').nullable();
    table.index(['status', 'created_at'], 'report_jobs_status_idx');
    table.index(['created_by', 'created_at'], 'report_jobs_created_by_idx');
    table.index(['expires_at'], 'report_jobs_expires_at_idx');
  });

  await knex.schema.createTable('report_shares', table => {
    table.string('id', 36).primary().comment('UUID');
    table
      .string('report_id', 36)
      .notNullable()
      .references('id')
      .inTable('report_jobs')
      .onDelete('CASCADE');
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('expires_at').notNullable();
    table.bigInteger('revoked_at').nullable();
    table.index(['report_id'], 'report_shares_report_id_idx');
  });

  await knex.schema.createTable('report_signing_keys', table => {
    table.string('name', 64).primary();
    table.text('secret').notNullable().comment('base64url, 32 random bytes');
    table.bigInteger('created_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('report_shares');
  await knex.schema.dropTable('report_signing_keys');
  await knex.schema.dropTable('report_jobs');
};
