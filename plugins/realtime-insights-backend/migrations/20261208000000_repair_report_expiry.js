// @ts-check

/**
 * Repairs expiry times written while settings had no upper bounds: a
 * `reports.retentionDays` of 1e12 stored an `expires_at` no date can hold,
 * and every later read of the job answered 500. A report now expires at
 * most 3,650 days after it finished (the retention setting's bound), a
 * share link at most 8,760 hours after it was made (the lifetime's bound).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const jobCap = knex.raw('coalesce(finished_at, updated_at) + ?', [
    3650 * 86_400_000,
  ]);
  await knex('report_jobs')
    .whereNotNull('expires_at')
    .andWhere('expires_at', '>', jobCap)
    .update({ expires_at: jobCap });
  const shareCap = knex.raw('created_at + ?', [8760 * 3_600_000]);
  await knex('report_shares')
    .where('expires_at', '>', shareCap)
    .update({ expires_at: shareCap });
};

/** Nothing to undo: the repaired times were unreadable. */
exports.down = async function down() {};
