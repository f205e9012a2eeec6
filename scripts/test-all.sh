#!/usr/bin/env bash
# The lint and the type check beside the suite on SQLite (with the browser tests), then the suite on
# PostgreSQL. Each suite runs its own workers over both cores: run side by side, the two suites'
# workers, the browser and the database server fight over two cores and finish later (about 6.5
# minutes) than one after the other (about 5.3). Each part's output is shown whole when it ends;
# the run fails if any part fails.
set -u
BIN=${BIN:-.venv/bin}
TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run() {  # run NAME COMMAND...: the command's output to a log, its exit status beside it
    local name=$1
    shift
    local start=$SECONDS
    # A part that hangs is stopped after 40 minutes, and what it printed so far is shown.
    timeout --kill-after=30 2400 "$@" >"$logs/$name.log" 2>&1
    echo $? >"$logs/$name.status"
    echo $((SECONDS - start)) >"$logs/$name.seconds"
}

lint() {
    "$BIN/ruff" check eia tracker forms tests bench &&
        "$BIN/ruff" format --check eia tracker forms tests bench &&
        "$BIN/mypy"
}

echo "== lint and types beside the suite on SQLite with the browser tests, then the suite on PostgreSQL ($TEST_DATABASE_URL) =="
export -f lint
export BIN
run lint bash -c lint &
# The SQLite part must not see TEST_DATABASE_URL (which points the suite at PostgreSQL), or both
# parts would share the PostgreSQL workers' databases.
run sqlite env -u TEST_DATABASE_URL "$BIN/python" -m pytest -n 3 --dist loadfile &
wait
run postgresql env TEST_DATABASE_URL="$TEST_DATABASE_URL" "$BIN/python" -m pytest -n 2 --dist loadfile -m 'not browser'


failed=0
for name in lint sqlite postgresql; do
    status=$(cat "$logs/$name.status")
    echo "== $name: $([ "$status" = 0 ] && echo passed || echo FAILED) in $(cat "$logs/$name.seconds") s =="
    cat "$logs/$name.log"
    [ "$status" = 0 ] || failed=1
done
exit $failed
