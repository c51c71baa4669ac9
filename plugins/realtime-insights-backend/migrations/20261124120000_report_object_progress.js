// @ts-check

/**
 * Progress of summary report jobs: objects summarised out of those the
 * range covers (raw jobs count bytes and events instead).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('report_jobs', table => {
    table
      .bigInteger('objects_total')
      .notNullable()
      .defaultTo(0)
      .comment('Summary jobs: objects of the range to summarise');
    table
      .bigInteger('objects_done')
      .notNullable()
      .defaultTo(0)
      .comment('Summary jobs: objects summarised so far (cached ones too)');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('report_jobs', table => {
    table.dropColumn('objects_done');
    table.dropColumn('objects_total');
  });
};
