/** The real Redis the tests use; `npm test` starts one when none answers. */
export const REDIS_URL =
  process.env.RTI_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
