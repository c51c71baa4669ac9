// @ts-check

/**
 * Admins' settings: app-config gives the defaults, these rows the overrides.
 * One row per scope: `global` (overrides of config paths, as JSON) and
 * `stream:<entity ref>` (enabled, cache enabled, last flush). `revision`
 * grows with every write, so replicas polling the table see changes and
 * concurrent saves are detected. Times are epoch milliseconds in bigint
 * columns, as in the reports tables.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('settings', table => {
    table
      .string('scope', 300)
      .primary()
      .comment('global | stream:<entity ref>');
    table.text('value').notNullable().comment('JSON');
    table.integer('revision').notNullable();
    table.string('updated_by', 255).nullable().comment('User entity ref');
    table.bigInteger('updated_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('settings');
};
