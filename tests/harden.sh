#!/bin/sh
# harden.sh LIQSIM SOURCE_DIR CASE: one hardening regression (issue 12),
# run by tests/harden.cmake.  Each case sets up hostile input or a fault,
# runs the built liqsim and checks its exit code, its "liqsim: FILE: ..."
# message and what it left in the database (through sqlite3).  Exit 0 pass,
# 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).
set -u
LIQSIM=$1
SRC=$2
CASE=$3
DATA=$SRC/tests/data
TMP=$(mktemp -d "${TMPDIR:-/tmp}/liqsim-harden.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1

fail() { echo "FAIL ($CASE): $*"; exit 1; }

# expect CODE REGEX ARGS...: liqsim exits CODE with stderr matching REGEX.
expect() {
  want=$1 regex=$2
  shift 2
  "$LIQSIM" "$@" >out.txt 2>err.txt
  got=$?
  echo "liqsim $*: exit $got"
  sed 's/^/  | /' err.txt
  [ "$got" -eq "$want" ] || fail "exit $got, expected $want"
  grep -Eq -- "$regex" err.txt || fail "stderr does not match: $regex"
}

q() { sqlite3 "$1" "$2"; }

# Two shard files of tests/data/sweep_small.cfg (24 tasks) to tamper with.
shards() {
  rm -f s1.db* s2.db*
  "$LIQSIM" sweep "$DATA/sweep_small.cfg" --shard 1/2 --out s1.db --quiet || fail "shard 1"
  "$LIQSIM" sweep "$DATA/sweep_small.cfg" --shard 2/2 --out s2.db --quiet || fail "shard 2"
}

# A tampered shard: exit 2 naming s2.db, and no output file at all.
merge_refused() {
  expect 2 "^liqsim: s2\.db: .*$1" merge out.db s1.db s2.db
  ls out.db* 2>/dev/null && fail "merge left output files behind"
  return 0
}

case $CASE in
  scenario_fifo)
    mkfifo pipe.cfg || exit 77
    # a FIFO blocked fopen() forever: timeout turns a hang into a failure
    "$LIQSIM" check pipe.cfg >/dev/null 2>err.txt &
    pid=$!
    i=0
    while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 $pid 2>/dev/null; then kill $pid; fail "check blocked on a FIFO"; fi
    wait $pid
    [ $? -eq 2 ] || fail "exit code not 2"
    grep -q "^liqsim: pipe.cfg:1: scenario is not a regular file (a pipe" err.txt ||
      fail "message: $(cat err.txt)"
    ;;
  scenario_dev_zero)
    expect 2 "^liqsim: /dev/zero:1: scenario is not a regular file" check /dev/zero ;;
  scenario_directory)
    mkdir d.cfg
    expect 2 "^liqsim: d\.cfg:1: scenario is not a regular file \(a directory" check d.cfg ;;
  scenario_too_large)
    # 16 MB + 1 of comment lines: refused with the line where the cap is hit
    head -c 16777217 /dev/zero | tr '\0' '\n' >big.cfg
    expect 2 "^liqsim: big\.cfg:16777217: scenario file is larger than 16 MB" check big.cfg ;;
  libconfig_empty_string)
    # libconfig 1.5 leaks in its lexer on `""`: tests/lsan.supp keeps the
    # sanitizer build usable (LeakSanitizer would exit 23, not 2)
    printf '""' >str.cfg
    expect 2 "^liqsim: str\.cfg:1: syntax error" check str.cfg
    # and a string left open (found by tests/fuzz/fuzz_run)
    printf 'seed = 1;\nname = "abc;\nsteps = 4;\n' >open.cfg
    expect 2 "^liqsim: open\.cfg:[0-9]+: " check open.cfg ;;
  seed_range)
    expect 2 "--seed must be a non-negative integer, got '18446744073709551615' \(at most 9223372036854775807" \
      run "$DATA/sweep_small.cfg" --seed 18446744073709551615 --out x.db
    "$LIQSIM" run "$DATA/sweep_small.cfg" --seed 9223372036854775807 --out x.db --quiet ||
      fail "largest seed refused"
    [ "$(q x.db 'select seed from runs')" = 9223372036854775807 ] || fail "stored seed"
    ;;
  out_directory)
    mkdir dir
    expect 2 "^liqsim: dir: is a directory" run "$DATA/sweep_small.cfg" --out dir
    expect 2 "^liqsim: dir: is a directory" report dir ;;
  report_not_liqsim)
    head -c 8192 /dev/urandom >random.db
    expect 2 "^liqsim: random\.db: not a liqsim database" report random.db
    sqlite3 foreign.db "CREATE TABLE t(x); INSERT INTO t VALUES(1);"
    expect 2 "^liqsim: foreign\.db: not a liqsim database \(it has no meta table\)" report foreign.db
    "$LIQSIM" run "$DATA/sweep_small.cfg" --out good.db --quiet || fail "run"
    cp good.db nosummary.db
    q nosummary.db "DROP TABLE summary"
    expect 2 "^liqsim: nosummary\.db: not a liqsim database \(it has no summary table\)" \
      report nosummary.db
    head -c 12288 good.db >truncated.db
    expect 2 "^liqsim: truncated\.db: not a liqsim database" report truncated.db ;;
  scenario_name_dots)
    for n in . ..; do
      sed "s/^name = .*/name = \"$n\";/" "$DATA/sweep_small.cfg" >dots.cfg
      expect 2 "^liqsim: dots\.cfg:2: name must match .*no leading '\.'" check dots.cfg
    done
    cp "$DATA/sweep_small.cfg" .hidden.cfg
    sed -i '/^name = /d; /^sweep = {/,$d' .hidden.cfg
    "$LIQSIM" run .hidden.cfg --quiet || fail "default name from .hidden.cfg"
    [ -f results/_hidden.db ] || fail "expected results/_hidden.db: $(ls -a results)"
    ;;
  override_named)
    expect 2 "^liqsim: --set:1: price\.start=4\.9e-324: price\.start must be in \[1e-12, " \
      check "$DATA/sweep_small.cfg" --set price.start=4.9e-324
    expect 2 "^liqsim: --set:1: margin\.tiers\.floor=1: margin\.maintenance and margin\.tiers must not both be set" \
      check "$DATA/sweep_small.cfg" --set margin.tiers.floor=1 ;;
  price_overflow)
    # the bound, located at the --set; the run never starts
    expect 2 "^liqsim: --set:1: price\.start=1e308: price\.start must be in" \
      run "$DATA/sweep_small.cfg" --set price.start=1e308 --out x.db
    ls x.db 2>/dev/null && fail "a database was created"
    # the engine's guards: a replay from 1e-300 to 1e300 (qty 1e303 of a
    # position then costs 1e603) must fail naming the step, not store Inf
    sed 's/cli_ok.csv/huge.csv/' "$DATA/cli_replay_ok.cfg" >huge.cfg
    printf 'open_time_ms,open,high,low,close,volume\n%s\n%s\n%s\n' \
      1700000000000,1e-300,1e-300,1e-300,1e-300,10 \
      1700000060000,1e-300,1e300,1e-300,1e300,10 \
      1700000120000,1e300,1e300,1e300,1e300,10 >huge.csv
    expect 1 "^liqsim: (numerical failure at )?step 1: " run huge.cfg --out y.db
    [ "$(q y.db "select status from runs")" = failed ] || fail "run not failed"
    q y.db "select error from runs" | grep -q "step 1: " || fail "error"
    [ "$(q y.db "select (select count(*) from steps) + (select count(*) from liquidations)
         + (select count(*) from summary)")" = 0 ] || fail "rows left" ;;
  run_sigterm|run_sigint)
    sig=TERM
    [ "$CASE" = run_sigint ] && sig=INT
    # long enough that the signal always comes first (3e6 steps)
    "$LIQSIM" run "$DATA/sweep_small.cfg" --set steps=3000000 --set stats.every=1 \
      --out sig.db >/dev/null 2>err.txt &
    pid=$!
    # wait until the run is under way: its runs row is committed first
    i=0
    until [ "$(q sig.db "select count(*) from runs" 2>/dev/null)" = 1 ]; do
      sleep 0.1
      i=$((i + 1))
      [ $i -lt 600 ] || { kill -KILL $pid; fail "the run never started"; }
    done
    kill -$sig $pid
    wait $pid
    code=$?
    cat err.txt
    [ $code -eq 1 ] || fail "exit $code, expected 1"
    grep -q "^liqsim: interrupted by SIG$sig" err.txt || fail "message"
    [ "$(q sig.db "select status || ':' || error from runs")" = "failed:interrupted by SIG$sig" ] ||
      fail "runs row: $(q sig.db 'select * from runs')"
    [ "$(q sig.db "select (select count(*) from steps) + (select count(*) from liquidations)
         + (select count(*) from adl) + (select count(*) from summary)")" = 0 ] ||
      fail "partial rows left" ;;
  run_full_disk)
    # a real full disk: a 3 MB tmpfs (needs root and mount rights: else skip;
    # tests/test_store_faults.c simulates it without either)
    mkdir disk
    mount -t tmpfs -o size=3m tmpfs disk 2>/dev/null || { echo "skip: cannot mount"; exit 77; }
    trap 'umount "$TMP/disk"; rm -rf "$TMP"' EXIT
    expect 1 "^liqsim: disk/f\.db: .*database or disk is full" run "$DATA/sweep_small.cfg" \
      --set steps=200000 --set stats.every=1 --out disk/f.db
    [ "$(q disk/f.db "select status from runs")" = failed ] || fail "run not failed"
    q disk/f.db "select error from runs" | grep -q "disk is full" || fail "error"
    [ "$(q disk/f.db "select (select count(*) from steps) + (select count(*) from liquidations)
         + (select count(*) from summary)")" = 0 ] || fail "partial rows left" ;;
  merge_task_id_range)
    shards
    q s2.db "UPDATE tasks SET task_id = 9223372036854775807 WHERE task_id = 1"
    merge_refused "a task id outside \[0, n_tasks\) \(task 9223372036854775807\)"
    shards
    q s2.db "UPDATE tasks SET task_id = -5 WHERE task_id = 1"
    merge_refused "a task id outside \[0, n_tasks\) \(task -5\)" ;;
  merge_done_without_run)
    shards
    q s2.db "DELETE FROM summary WHERE run_id = (SELECT run_id FROM tasks WHERE task_id = 3)"
    merge_refused "a done task without its run or its summary row \(task 3\)"
    shards
    q s2.db "DELETE FROM runs WHERE run_id = (SELECT run_id FROM tasks WHERE task_id = 5)"
    merge_refused "a done task without its run or its summary row \(task 5\)" ;;
  merge_grid_outside)
    shards
    q s2.db "UPDATE tasks SET grid_index = 6 WHERE task_id = 1"
    merge_refused "a grid_index or replicate outside the sweep's plan"
    shards
    q s2.db "UPDATE tasks SET replicate = 4 WHERE task_id = 1"
    merge_refused "a grid_index or replicate outside the sweep's plan" ;;
  merge_bad_sweeps_row)
    for set in "n_tasks = -1" "n_tasks = 1000000000000000000" "shard_count = 0" \
               "replicates = 0" "n_points = 'six'"; do
      shards
      q s2.db "UPDATE sweeps SET $set"
      merge_refused "its sweeps row has impossible values"
    done ;;
  merge_missing_table)
    for t in tasks summary; do
      shards
      q s2.db "DROP TABLE $t"
      merge_refused "not a liqsim sweep database \(it has no $t table\)"
    done ;;
  merge_keeps_old_output)
    # merging into an existing file that then fails leaves it as it was
    shards
    "$LIQSIM" merge out.db s1.db --quiet >/dev/null || fail "first merge"
    before=$(q out.db "select count(*) from tasks where status = 'done'")
    q s2.db "UPDATE tasks SET replicate = 9 WHERE task_id = 1"
    expect 2 "^liqsim: s2\.db: " merge out.db s2.db
    [ "$(q out.db "select count(*) from tasks where status = 'done'")" = "$before" ] ||
      fail "out.db changed"
    ls out.db.merging-* 2>/dev/null && fail "temporary file left"
    q s2.db "UPDATE tasks SET replicate = 1 WHERE task_id = 1"
    "$LIQSIM" merge out.db s2.db >/dev/null || fail "good merge"
    [ "$(q out.db "select count(*) from tasks where status = 'done'")" = 24 ] || fail "24 done"
    ;;
  *)
    fail "unknown case" ;;
esac
echo "ok ($CASE)"
exit 0
