/*
** test_sweep_merge.c: liq_sweep_merge() (core/store_sweep.c) at its edges.
** Each case once went wrong; the comment above it says how:
**   test_merge_column_type_injection   a crafted input's column type ran
**                                      SQL through ALTER TABLE
**   test_merge_into_itself_other_path  "./x.db" merged into "x.db" waited
**                                      10 s on its own lock, then exit 1
** and one comparison the sweep CLI tests lack:
**   test_merge_equals_single_with_adl  shards 1/3..3/3 merged out of order
**                                      == -j 1 == -j 3, adl rows and
**                                      on-demand quantile columns included
** (The large-n quantile, task-limit and `check` grid cases of the old
** test_sweep_edges.c are in test_stats.c, test_sweep.c and test_sweep_cli.c.)
*/
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "liq_test_support.h"

#include "liq_scenario.h"
#include "liq_stats.h"
#include "liq_sweep.h"

/* sweep_small.cfg with a tiny ADL-ranked insurance fund (so the adl table
** fills) and quantiles that are not in the default schema (so the
** cushion_q10 / distance_q90 columns are added on demand). */
static const char *const ADL_CFG =
  "name = \"review-adl\";\n"
  "seed = 7;\n"
  "steps = 200;\n"
  "step_seconds = 60;\n"
  "price = { model = \"gbm\"; start = 30000.0; drift = 0.0; volatility = 1.5; };\n"
  "book = {\n"
  "  positions = 2000;\n"
  "  long_share = 0.6;\n"
  "  leverage = { values = [5.0, 20.0, 50.0, 100.0]; weights = [0.3, 0.3, 0.2, 0.2]; };\n"
  "  notional = { dist = \"lognormal\"; median = 5000.0; sigma = 1.5; };\n"
  "  entry = { spread = 0.005; };\n"
  "};\n"
  "margin = { initial = 0.01; maintenance = 0.005; liquidation_fee = 0.005; };\n"
  "impact = { model = \"sqrt\"; daily_volume = 1.0e8; coefficient = 0.7; };\n"
  "insurance = { fund = 1.0e3; policy = \"adl-ranked\"; };\n"
  "stats = { quantiles = [0.1, 0.9]; every = 10; steps = true; events = true; };\n"
  "sweep = {\n"
  "  replicates = 4;\n"
  "  grid = ( { key = \"margin.initial\"; values = [0.01, 0.02]; },\n"
  "           { key = \"impact.coefficient\"; values = [0.3, 0.7, 1.5]; } );\n"
  "};\n";

typedef struct fixture {
  char dir[256];
  char cfg[512];
  liq_scenario *sc;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  const char *tmp = getenv("TMPDIR");
  liq_err err;
  FILE *f;
  if (fx == NULL) return -1;
  snprintf(fx->dir, sizeof fx->dir, "%s/liqsim-sweep-edges-XXXXXX", tmp ? tmp : "/tmp");
  if (mkdtemp(fx->dir) == NULL) return -1;
  snprintf(fx->cfg, sizeof fx->cfg, "%s/review-adl.cfg", fx->dir);
  f = fopen(fx->cfg, "w");
  if (f == NULL) return -1;
  fputs(ADL_CFG, f);
  fclose(f);
  liq_err_clear(&err);
  if (liq_scenario_load(fx->cfg, NULL, 0, &fx->sc, &err) != LIQ_OK) {
    print_error("%s\n", err.msg);
    return -1;
  }
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  liq_scenario_free(fx->sc);
  liq_test_remove_tree(fx->dir);
  free(fx);
  return 0;
}

static void path_in(const fixture *fx, const char *name, char *buf, size_t n) {
  snprintf(buf, n, "%s/%s", fx->dir, name);
}

/* Sweep fx->sc into 'db' (shard k/n, 0/0: all) on 'threads' threads. */
static void sweep_into(const fixture *fx, const char *db, size_t k, size_t n,
                       int threads) {
  liq_sweep_options o;
  liq_sweep_report rep;
  liq_err err;
  memset(&o, 0, sizeof o);
  o.db = db;
  o.threads = threads;
  o.shard_k = k;
  o.shard_n = n;
  liq_err_clear(&err);
  assert_liq_ok(liq_sweep_run(fx->sc, &o, &rep, &err), &err);
}

/* Every column of 'tab' but run_id, as "x.c1, x.c2, ...". */
static char *columns_of(sqlite3 *db, const char *tab) {
  sqlite3_stmt *st = NULL;
  sqlite3_str *s = sqlite3_str_new(db);
  char *sql = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q)"
                              " WHERE name <> 'run_id' ORDER BY cid", tab);
  int n = 0;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  sqlite3_free(sql);
  while (sqlite3_step(st) == SQLITE_ROW)
    sqlite3_str_appendf(s, "%sx.\"%w\"", n++ ? ", " : "",
                        (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  assert_true(n > 0);
  return sqlite3_str_finish(s);
}

/* The last sweep of main and of attached 'b' have the same rows per
** task_id in 'tab' (every column of main's table; b must have them all). */
static void expect_same_table(sqlite3 *db, const char *tab) {
  char *cols = columns_of(db, tab), *sql;
  sqlite3_int64 na, nb, d1, d2;
  const char *q =
    "SELECT t.task_id, %s FROM %s.tasks t JOIN %s.\"%w\" x ON x.run_id = t.run_id"
    " WHERE t.sweep_id = (SELECT max(sweep_id) FROM %s.sweeps)";
  char *qa = sqlite3_mprintf(q, cols, "main", "main", tab, "main");
  char *qb = sqlite3_mprintf(q, cols, "b", "b", tab, "b");
  sql = sqlite3_mprintf("SELECT count(*) FROM (%s)", qa);
  na = liq_test_query_int(db, sql);
  sqlite3_free(sql);
  sql = sqlite3_mprintf("SELECT count(*) FROM (%s)", qb);
  nb = liq_test_query_int(db, sql);
  sqlite3_free(sql);
  sql = sqlite3_mprintf("SELECT count(*) FROM (%s EXCEPT %s)", qa, qb);
  d1 = liq_test_query_int(db, sql);
  sqlite3_free(sql);
  sql = sqlite3_mprintf("SELECT count(*) FROM (%s EXCEPT %s)", qb, qa);
  d2 = liq_test_query_int(db, sql);
  sqlite3_free(sql);
  if (na != nb || d1 != 0 || d2 != 0 || na <= 0) {
    print_error("%s differ: %lld vs %lld rows, %lld / %lld only on one side\n",
                tab, (long long)na, (long long)nb, (long long)d1, (long long)d2);
    fail();
  }
  sqlite3_free(qa);
  sqlite3_free(qb);
  sqlite3_free(cols);
}

static void expect_same_sweep(const char *a, const char *b) {
  sqlite3 *db = NULL;
  char *sql;
  static const char *const tabs[] = {"summary", "steps", "liquidations", "adl"};
  size_t i;
  assert_int_equal(sqlite3_open_v2(a, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sql = sqlite3_mprintf("ATTACH %Q AS b", b);
  liq_test_exec(db, sql);
  sqlite3_free(sql);
  for (i = 0; i < sizeof tabs / sizeof tabs[0]; i++) expect_same_table(db, tabs[i]);
  /* the on-demand quantile columns exist on both sides and hold values */
  assert_true(liq_test_query_int(db, "SELECT count(*) FROM main.steps WHERE cushion_q10"
                            " IS NOT NULL AND distance_q90 IS NOT NULL") > 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM b.pragma_table_info('steps')"
                                 " WHERE name IN ('cushion_q10', 'cushion_q90',"
                                 " 'distance_q10', 'distance_q90')"), 4);
  assert_int_equal(liq_test_query_int(db,
      "SELECT count(*) FROM (SELECT * FROM main.sweep_aggregates EXCEPT"
      " SELECT * FROM b.sweep_aggregates)"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM b.sweep_aggregates"), 6);
  sqlite3_close(db);
}

/*
** Shards 1/3, 2/3, 3/3 merged in the order 3, 1, 2 (two merge
** calls) equal a -j 1 sweep and a -j 3 sweep, in summary, steps (with the
** on-demand cushion_q10/q90, distance_q10/q90), liquidations, adl and
** sweep_aggregates.  (test_sweep_cli.c compares neither adl nor columns
** added on demand.)
*/
static void test_merge_equals_single_with_adl(void **state) {
  fixture *fx = *state;
  char j1[600], j3[600], s[3][600], m[600];
  const char *in[2];
  int64_t sid = 0;
  size_t n_done = 0, n_tasks = 0, k;
  liq_err err;
  sqlite3 *db = NULL;

  path_in(fx, "j1.db", j1, sizeof j1);
  path_in(fx, "j3.db", j3, sizeof j3);
  path_in(fx, "merged.db", m, sizeof m);
  sweep_into(fx, j1, 0, 0, 1);
  sweep_into(fx, j3, 0, 0, 3);
  for (k = 0; k < 3; k++) {
    char name[32];
    snprintf(name, sizeof name, "s%zu.db", k + 1);
    path_in(fx, name, s[k], sizeof s[k]);
    sweep_into(fx, s[k], k + 1, 3, 2);
  }
  assert_int_equal(sqlite3_open_v2(j1, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_true(liq_test_query_int(db, "SELECT count(*) FROM adl") > 0);   /* ADL happened */
  sqlite3_close(db);

  liq_err_clear(&err);
  in[0] = s[2];
  in[1] = s[0];
  assert_liq_ok(liq_sweep_merge(m, in, 2, &sid, &n_done, &n_tasks, &err), &err);
  assert_int_equal(n_done, 16);
  in[0] = s[1];
  assert_liq_ok(liq_sweep_merge(m, in, 1, &sid, &n_done, &n_tasks, &err), &err);
  assert_int_equal(n_done, 24);
  assert_int_equal(n_tasks, 24);

  expect_same_sweep(j1, j3);
  expect_same_sweep(j1, m);
}

/*
** Used to fail.  store.c merge_copy() adds a column the input has and the
** output lacks with
**   sqlite3_mprintf("ALTER TABLE main.\"%w\" ADD COLUMN \"%w\" %s", ...)
** where the last %s is the input's declared type (PRAGMA table_info,
** dequoted), and runs it with liq_test_exec() = sqlite3_exec(), which executes
** EVERY statement in the string.  A shard file whose steps table has a
** column declared `x "REAL; DELETE FROM main.runs; --"` makes the merge
** delete every run of the output (ON DELETE CASCADE takes steps,
** liquidations, adl and summary with it) and report success.
*/
static void test_merge_column_type_injection(void **state) {
  fixture *fx = *state;
  char full[600], evil[600];
  const char *in[1];
  int64_t sid = 0;
  size_t n_done = 0, n_tasks = 0;
  liq_err err;
  sqlite3 *db = NULL;
  sqlite3_int64 pwned, runs, liqs, aggs;
  int rc;

  path_in(fx, "inj-full.db", full, sizeof full);
  path_in(fx, "inj-evil.db", evil, sizeof evil);
  sweep_into(fx, full, 0, 0, 2);             /* the output: a complete sweep */
  sweep_into(fx, evil, 1, 2, 2);             /* an input: shard 1/2 ... */
  assert_int_equal(sqlite3_open_v2(evil, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  liq_test_exec(db, "ALTER TABLE steps ADD COLUMN note"
              " \"REAL; DELETE FROM main.runs; CREATE TABLE main.pwned(x); --\"");
  sqlite3_close(db);

  liq_err_clear(&err);
  in[0] = evil;
  rc = liq_sweep_merge(full, in, 1, &sid, &n_done, &n_tasks, &err);
  print_message("merge: rc %d, %zu of %zu done (%s)\n", rc, n_done, n_tasks, err.msg);

  assert_int_equal(sqlite3_open_v2(full, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  pwned = liq_test_query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'pwned'");
  runs = liq_test_query_int(db, "SELECT count(*) FROM runs");
  liqs = liq_test_query_int(db, "SELECT count(*) FROM liquidations");
  aggs = liq_test_query_int(db, "SELECT count(*) FROM sweep_aggregates");
  sqlite3_close(db);
  print_message("output after the merge: table pwned %lld, %lld runs, %lld"
                " liquidations, %lld aggregate rows\n", (long long)pwned,
                (long long)runs, (long long)liqs, (long long)aggs);
  assert_int_equal(pwned, 0);
  assert_int_equal(runs, 24);
  assert_true(liqs > 0);
  assert_int_equal(aggs, 6);
}

/*
** Used to fail.  liq_sweep_merge() refuses "the
** output database is also an input" by strcmp() only.  The same file
** under another name ("DIR/./x.db") is ATTACHed to itself; BEGIN
** IMMEDIATE then waits LIQ_STORE_BUSY_MS on its own lock and fails with
** LIQ_DB "begin: database is locked" (exit 1, not 2).  Compare files
** (stat() st_dev/st_ino, or realpath()) instead.
*/
static void test_merge_into_itself_other_path(void **state) {
  fixture *fx = *state;
  char a[600], a2[600];
  const char *in[1];
  int64_t sid = 0;
  size_t n_done = 0, n_tasks = 0;
  liq_err err;
  int rc;
  path_in(fx, "self.db", a, sizeof a);
  path_in(fx, "./self.db", a2, sizeof a2);
  sweep_into(fx, a, 1, 4, 2);
  liq_err_clear(&err);
  in[0] = a2;
  rc = liq_sweep_merge(a, in, 1, &sid, &n_done, &n_tasks, &err);
  print_message("rc %d: %s: %s\n", rc, err.file, err.msg);
  assert_int_equal(rc, LIQ_USAGE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_merge_equals_single_with_adl, setup, teardown),
    cmocka_unit_test_setup_teardown(test_merge_column_type_injection, setup, teardown),
    cmocka_unit_test_setup_teardown(test_merge_into_itself_other_path, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
