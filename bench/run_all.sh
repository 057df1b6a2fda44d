#!/usr/bin/env bash
# Set up the benchmark database and run every benchmark; see bench/README.md.
#
#   bench/run_all.sh                 # RUNS=10 REPORTS=20 REQUESTS=200
#   RUNS=20 REQUESTS=500 bench/run_all.sh
#   HTTP=1 bench/run_all.sh          # also the request benchmark over gunicorn
#   DROP_DB=1 bench/run_all.sh       # drop bcd138_bench at the end
#   ASSESS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bcd138_bench_assess bench/run_all.sh
#   PHASE_RUNS=10 PHASE_ROUNDS=2 DASH_ROUNDS=10 DASH_REQUESTS=30 bench/run_all.sh   # issue 9
#
# Only 127.0.0.1 is used: PostgreSQL :5432 (user postgres, trust), Redis :6379 db 14.
# Results (Markdown + JSON) go to bench/results/<timestamp>/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
DB=${BENCH_DB:-bcd138_bench}
RUNS=${RUNS:-10}
REPORTS=${REPORTS:-20}
REQUESTS=${REQUESTS:-200}
export BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB}"
export BENCH_BROKER_URL="redis://127.0.0.1:6379/14"

pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 2; }
[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ] || { echo "Redis is not answering on 127.0.0.1:6379" >&2; exit 2; }

if ! psql -h 127.0.0.1 -U postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '${DB}'" | grep -q 1; then
    createdb -h 127.0.0.1 -U postgres "${DB}"
fi
DATABASE_URL="${BENCH_DATABASE_URL}" SECRET_KEY=bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz DEBUG=false "$PY" manage.py migrate --no-input -v 0
DATABASE_URL="${BENCH_DATABASE_URL}" SECRET_KEY=bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz DEBUG=false "$PY" manage.py load_areas
DATABASE_URL="${BENCH_DATABASE_URL}" SECRET_KEY=bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz DEBUG=false "$PY" manage.py load_reference_data

OUT=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
status=0
run() {  # run NAME ARGS...: keep going after a FAIL, remember it
    local name=$1; shift
    echo "== $name" >&2
    if ! "$PY" "bench/$name.py" "$@" --json "$OUT/$name.json" > "$OUT/$name.md"; then
        status=1
    fi
    cat "$OUT/$name.md"
    echo
}
run report_build "$RUNS"
run worker_memory "$REPORTS"
run request_latency "$REQUESTS"
run registration_form "${FORM_REQUESTS:-40}" --rounds "${FORM_ROUNDS:-10}"
# Its own throw-away database: SQLite, or PostgreSQL with ASSESS_DATABASE_URL
# (e.g. postgres://postgres@127.0.0.1:5432/bcd138_bench_assess).
run assessments --rounds "${ASSESS_ROUNDS:-10}" --requests "${ASSESS_REQUESTS:-30}" \
    ${ASSESS_DATABASE_URL:+--database-url "$ASSESS_DATABASE_URL"}
# Issue 9: their own throw-away PostgreSQL databases (bcd138_phase_*_bench,
# bcd138_dash_*_bench), created, filled and dropped by the scripts.
run phase_report all --runs "${PHASE_RUNS:-10}" --rounds "${PHASE_ROUNDS:-2}"
run dashboard --rounds "${DASH_ROUNDS:-10}" --requests "${DASH_REQUESTS:-30}"
if [ "${HTTP:-0}" = 1 ]; then
    "$PY" bench/request_latency.py "$REQUESTS" --transport http --json "$OUT/request_latency_http.json" \
        > "$OUT/request_latency_http.md" || status=1
    cat "$OUT/request_latency_http.md"
fi

if [ "${DROP_DB:-0}" = 1 ]; then
    dropdb -h 127.0.0.1 -U postgres "${DB}"
fi
echo "Results in $OUT (exit status $status: 1 = a requirement failed or a run broke)." >&2
exit $status
