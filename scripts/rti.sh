#!/usr/bin/env bash
# Entry point of the README's commands (`npm start`, `npm test`): gets a
# supported Node.js, installs dependencies when the lockfile changed, then
# runs the system or the checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/node-env.sh

ensure_deps() {
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    echo "» installing dependencies (npm ci, a few minutes the first time)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  # A native module built for another Node would crash the backend later.
  if ! node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null; then
    echo "» rebuilding better-sqlite3 for Node $(node -v)"
    npm rebuild better-sqlite3 --loglevel=error
  fi
}

redis_up() {
  node -e "
    const s = require('net').connect(6379, '127.0.0.1');
    s.setTimeout(500);
    s.on('connect', () => { s.write('PING\r\n'); });
    s.on('data', d => process.exit(String(d).startsWith('+PONG') ? 0 : 1));
    s.on('error', () => process.exit(1));
    s.on('timeout', () => process.exit(1));
  "
}

# Tests that touch the cache need a real Redis: use the one on :6379, or
# start one when redis-server is installed.
ensure_redis() {
  if redis_up; then return 0; fi
  if command -v redis-server >/dev/null 2>&1; then
    echo "» starting redis-server on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 20); do redis_up && return 0; sleep 0.25; done
  fi
  echo "error: the tests need Redis on 127.0.0.1:6379 (install redis-server, e.g. apt-get install redis-server)" >&2
  exit 1
}

run_unit() {
  ensure_redis
  mkdir -p .cache
  # s3rver needs the legacy OpenSSL provider on current Node.
  NODE_OPTIONS="--openssl-legacy-provider ${NODE_OPTIONS:-}" CI=true \
    npx backstage-cli repo test --json --outputFile=.cache/jest-results.json "$@"
}

run_lint() {
  local dir
  for dir in packages/* plugins/*; do
    [ -f "$dir/package.json" ] || continue
    (cd "$dir" && npx backstage-cli package lint --max-warnings=0 "$@")
  done
}

run_e2e() {
  ensure_redis
  if [ ! -x "${RTI_CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "error: browser tests need Chromium at ${RTI_CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)" >&2
    exit 1
  fi
  npx playwright test "$@"
}

# The production-like stack runs its own redis-server (TLS), PostgreSQL
# server and openssl (the throwaway CA).
run_e2e_production() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ -n "${RTI_POSTGRES_BIN:-}" ] || compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "error: the production-path browser tests need ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  npx playwright test -c playwright.production.config.ts "$@"
}

main() {
local cmd="${1:-}"
shift || true
case "$cmd" in
  start)
    ensure_deps
    exec node --openssl-legacy-provider --import tsx scripts/dev/start.ts "$@"
    ;;
  start-prod)
    ensure_deps
    exec node --openssl-legacy-provider --import tsx scripts/prod/start.ts "$@"
    ;;
  test)
    ensure_deps
    rm -f .cache/jest-results.json .cache/playwright-results.json .cache/playwright-production-results.json
    echo "» prettier";   npx prettier --check . --loglevel warn
    echo "» type check"; npx tsc --noEmit
    echo "» lint";       run_lint
    echo "» unit and integration tests"; run_unit
    echo "» browser tests"; run_e2e
    echo "» browser tests of the production path"; run_e2e_production
    node scripts/test-summary.js
    ;;
  unit) ensure_deps; run_unit "$@" ;;
  e2e) ensure_deps; run_e2e "$@" ;;
  e2e-production) ensure_deps; run_e2e_production "$@" ;;
  lint) ensure_deps; run_lint "$@" ;;
  bench-query)
    ensure_deps
    ensure_redis
    exec node --openssl-legacy-provider --import tsx plugins/realtime-insights-backend/bench/query.ts "$@"
    ;;
  bench-ui)
    # Time to first chart on the demo stack (Playwright); prints, asserts nothing.
    ensure_deps
    export RTI_BENCH_UI=1
    run_e2e ui-bench "$@"
    ;;
  bench-report)
    ensure_deps
    exec node --openssl-legacy-provider --import tsx plugins/realtime-insights-backend/bench/report.ts "$@"
    ;;
  bench-ingest)
    ensure_deps
    exec node --openssl-legacy-provider --import tsx packages/firehose-local/bench/ingest.ts "$@"
    ;;
  *)
    echo "usage: scripts/rti.sh start|start-prod|test|unit|e2e|e2e-production|lint|bench-ingest|bench-query|bench-report|bench-ui" >&2
    exit 2
    ;;
esac
}

# Parsed whole before running: editing this file during a run cannot change it.
main "$@"
exit $?
