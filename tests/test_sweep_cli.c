/*
** test_sweep_cli.c: end-to-end tests of 'liqsim sweep' and 'liqsim merge'.
**
** The built binary (LIQ_BINARY) runs as a child process; the databases
** are compared through SQLite by task_id (run_id and timestamps may
** differ), every column of summary, steps, liquidations, tasks and
** sweep_aggregates:
**
**   -j 1 == -j 2;  shard 1/2 + shard 2/2 merged == the whole sweep;
**   merge refuses a different scenario;  --resume refuses another text;
**   SIGKILL mid-sweep + --resume == uninterrupted;  an invalid grid value
**   fails up front;  aggregates recomputed by hand;  replicate 0 of a point
**   == 'liqsim run --set ...';  mpirun -n 2 == -j (LIQ_MPI builds).
*/
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "liq_test_support.h"

#include "liq_stats.h"
#include "liq_sweep.h"

#define SMALL_CFG LIQ_TEST_DATA "/sweep_small.cfg"
#define OTHER_CFG LIQ_TEST_DATA "/sweep_other.cfg"
#define KILL_CFG  LIQ_TEST_DATA "/sweep_kill.cfg"
#define KILL_ROWLESS_CFG LIQ_TEST_DATA "/sweep_kill_rowless.cfg"

typedef struct fixture {
  char dir[512];           /* temporary directory */
  char out[600];           /* child's stdout */
  char err[600];           /* child's stderr */
  char ref[600];           /* sweep_small.cfg swept with -j 1: the reference */
} fixture;


static void path_in(const fixture *fx, const char *name, char *buf, size_t size) {
  snprintf(buf, size, "%s/%s", fx->dir, name);
}

/* Start argv[0] with stdout/stderr to fx->out/err; returns the pid. */
static pid_t spawn(const fixture *fx, const char *const *argv) {
  return liq_test_spawn(argv, fx->out, fx->err);
}

static int wait_code(pid_t pid) {
  return liq_test_wait(pid, 0);
}

/* liqsim ARGS... (NULL-terminated, without argv[0]); the exit code. */
static int liqsim(const fixture *fx, const char *const *args) {
  return liq_test_liqsim(args, fx->out, fx->err, 0);
}

static void expect_code(const fixture *fx, int want, int got) {
  if (got != want) {
    char *err = liq_test_slurp(fx->err);
    print_error("liqsim exited %d, expected %d; stderr:\n%s\n", got, want, err);
    free(err);
    fail();
  }
}

static void expect_stderr(const fixture *fx, const char *fragment) {
  char *err = liq_test_slurp(fx->err);
  if (strstr(err, fragment) == NULL) {
    print_error("stderr lacks \"%s\":\n%s\n", fragment, err);
    free(err);
    fail();
  }
  free(err);
}

/* "x.c1, x.c2, ..." of table 'tab' without the columns in 'skip'
** (comma-separated, surrounded by commas: ",run_id,sweep_id,"). */
static char *columns(sqlite3 *db, const char *tab, const char *alias,
                     const char *skip) {
  sqlite3_stmt *st = NULL;
  sqlite3_str *s = sqlite3_str_new(db);
  char *sql = sqlite3_mprintf("PRAGMA main.table_info(\"%w\")", tab);
  int n = 0;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  sqlite3_free(sql);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 1);
    char key[128];
    snprintf(key, sizeof key, ",%s,", name);
    if (strstr(skip, key) != NULL) continue;
    sqlite3_str_appendf(s, "%s%s.\"%w\"", n++ ? ", " : "", alias, name);
  }
  sqlite3_finalize(st);
  assert_true(n > 0);
  return sqlite3_str_finish(s);
}

/* Both ways: rows of query A (on db main) not in query B (on db b). */
static void expect_same_rows(sqlite3 *db, const char *what, const char *qa,
                             const char *qb) {
  char *sql;
  sqlite3_int64 na, nb, d1, d2;
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
  if (na != nb || d1 != 0 || d2 != 0) {
    print_error("%s differ: %lld vs %lld rows, %lld and %lld rows only on one side\n",
                what, (long long)na, (long long)nb, (long long)d1, (long long)d2);
    fail();
  }
}

/*
** The last sweeps of 'a' and 'b' hold the same results: tasks (all but
** run_id), and per task_id every column of its summary, steps and
** liquidations; the same aggregates.  'n_tasks' done tasks expected.
*/
static void expect_same_sweep(const char *a, const char *b, long long n_tasks) {
  sqlite3 *db = liq_test_open_db(a);
  char *sql, *cols, *qa, *qb;
  static const char *const tabs[] = {"summary", "steps", "liquidations"};
  size_t i;

  sql = sqlite3_mprintf("ATTACH %Q AS b", b);
  liq_test_exec(db, sql);
  sqlite3_free(sql);
  liq_test_exec(db,
           "CREATE TEMP VIEW ta AS SELECT * FROM main.tasks WHERE sweep_id ="
           " (SELECT max(sweep_id) FROM main.sweeps);"
           "CREATE TEMP VIEW tb AS SELECT * FROM b.tasks WHERE sweep_id ="
           " (SELECT max(sweep_id) FROM b.sweeps);");
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM ta WHERE status = 'done'"),
                   n_tasks);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM tb WHERE status = 'done'"),
                   n_tasks);
  expect_same_rows(db, "sweeps",
                   "SELECT scenario_name, scenario_text, spec, seed, n_tasks,"
                   " n_points, replicates FROM main.sweeps WHERE sweep_id ="
                   " (SELECT max(sweep_id) FROM main.sweeps)",
                   "SELECT scenario_name, scenario_text, spec, seed, n_tasks,"
                   " n_points, replicates FROM b.sweeps WHERE sweep_id ="
                   " (SELECT max(sweep_id) FROM b.sweeps)");
  cols = columns(db, "tasks", "t", ",sweep_id,run_id,");
  qa = sqlite3_mprintf("SELECT %s FROM ta t", cols);
  qb = sqlite3_mprintf("SELECT %s FROM tb t", cols);
  expect_same_rows(db, "tasks", qa, qb);
  sqlite3_free(qa);
  sqlite3_free(qb);
  sqlite3_free(cols);
  cols = columns(db, "runs", "r",
                 ",run_id,sweep_id,started_at,finished_at,scenario_path,");
  qa = sqlite3_mprintf("SELECT %s FROM ta t JOIN main.runs r ON r.run_id = t.run_id",
                       cols);
  qb = sqlite3_mprintf("SELECT %s FROM tb t JOIN b.runs r ON r.run_id = t.run_id",
                       cols);
  expect_same_rows(db, "runs", qa, qb);
  sqlite3_free(qa);
  sqlite3_free(qb);
  sqlite3_free(cols);
  for (i = 0; i < sizeof tabs / sizeof tabs[0]; i++) {
    cols = columns(db, tabs[i], "x", ",run_id,");
    qa = sqlite3_mprintf("SELECT t.task_id, %s FROM ta t JOIN main.\"%w\" x"
                         " ON x.run_id = t.run_id", cols, tabs[i]);
    qb = sqlite3_mprintf("SELECT t.task_id, %s FROM tb t JOIN b.\"%w\" x"
                         " ON x.run_id = t.run_id", cols, tabs[i]);
    expect_same_rows(db, tabs[i], qa, qb);
    sqlite3_free(qa);
    sqlite3_free(qb);
    sqlite3_free(cols);
  }
  cols = columns(db, "sweep_aggregates", "x", ",sweep_id,");
  qa = sqlite3_mprintf("SELECT %s FROM main.sweep_aggregates x WHERE sweep_id ="
                       " (SELECT max(sweep_id) FROM main.sweeps)", cols);
  qb = sqlite3_mprintf("SELECT %s FROM b.sweep_aggregates x WHERE sweep_id ="
                       " (SELECT max(sweep_id) FROM b.sweeps)", cols);
  expect_same_rows(db, "sweep_aggregates", qa, qb);
  sqlite3_free(qa);
  sqlite3_free(qb);
  sqlite3_free(cols);
  /* nothing half-written anywhere */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM main.runs WHERE status <> 'done'"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM b.runs WHERE status <> 'done'"), 0);
  sqlite3_close(db);
}

/* ------------------------------------------------------------------------
** Fixture: a directory and the reference sweep (-j 1)
*/

static int group_setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  const char *tmp = getenv("TMPDIR");
  if (fx == NULL) return -1;
  snprintf(fx->dir, sizeof fx->dir, "%s/liqsim-sweep-XXXXXX", tmp ? tmp : "/tmp");
  if (mkdtemp(fx->dir) == NULL) {
    free(fx);
    return -1;
  }
  snprintf(fx->out, sizeof fx->out, "%s/stdout.txt", fx->dir);
  snprintf(fx->err, sizeof fx->err, "%s/stderr.txt", fx->dir);
  snprintf(fx->ref, sizeof fx->ref, "%s/ref.db", fx->dir);
  {
    const char *args[] = {"sweep", SMALL_CFG, "--out", fx->ref, "-j", "1",
                          "--quiet", NULL};
    if (liqsim(fx, args) != 0) return -1;
  }
  *state = fx;
  return 0;
}

static int group_teardown(void **state) {
  fixture *fx = *state;
  liq_test_remove_tree(fx->dir);
  free(fx);
  return 0;
}

/* ------------------------------------------------------------------------
** Tests
*/

static void test_reference_sweep(void **state) {
  fixture *fx = *state;
  sqlite3 *db = liq_test_open_db(fx->ref);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM sweeps"), 1);
  assert_int_equal(liq_test_query_int(db, "SELECT n_tasks FROM sweeps"), 24);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM tasks WHERE status = 'done'"), 24);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM runs WHERE sweep_id = 1"
                                 " AND status = 'done'"), 24);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM tasks t JOIN runs r"
                                 " ON r.run_id = t.run_id AND r.task_id = t.task_id"
                                 " AND r.params = t.params"), 24);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM sweep_aggregates"), 6);
  assert_int_equal(liq_test_query_int(db, "SELECT sum(n) FROM sweep_aggregates"), 24);
  /* common random numbers: replicate k has one path seed at every point */
  assert_int_equal(liq_test_query_int(db, "SELECT count(DISTINCT path_seed) FROM tasks"), 4);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM (SELECT replicate FROM tasks"
                                 " GROUP BY replicate HAVING count(DISTINCT"
                                 " path_seed) = 1 AND count(DISTINCT book_seed) = 1)"), 4);
  /* stats.every = 10 over 200 steps: steps 0, 10, ..., 190 and the last */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps"), 24 * 21);
  assert_true(liq_test_query_int(db, "SELECT count(*) FROM liquidations") > 0);
  sqlite3_close(db);
}

static void test_threads_identical(void **state) {
  fixture *fx = *state;
  char db[700];
  path_in(fx, "j2.db", db, sizeof db);
  {
    const char *args[] = {"sweep", SMALL_CFG, "--out", db, "-j", "2", NULL};
    expect_code(fx, 0, liqsim(fx, args));
  }
  expect_same_sweep(fx->ref, db, 24);
  {
    const char *args[] = {"sweep", SMALL_CFG, "--out", db, "-j3", "--resume", NULL};
    char *out;
    expect_code(fx, 0, liqsim(fx, args));      /* nothing left to do */
    out = liq_test_slurp(fx->out);
    assert_non_null(strstr(out, "0 run now, 24 done before"));
    free(out);
  }
  expect_same_sweep(fx->ref, db, 24);
}

static void test_shards_merge(void **state) {
  fixture *fx = *state;
  char s1[700], s2[700], m[700];
  sqlite3 *db;
  path_in(fx, "shard1.db", s1, sizeof s1);
  path_in(fx, "shard2.db", s2, sizeof s2);
  path_in(fx, "merged.db", m, sizeof m);
  {
    const char *a1[] = {"sweep", SMALL_CFG, "--out", s1, "--shard", "1/2", "-j", "2",
                        "-q", NULL};
    const char *a2[] = {"sweep", SMALL_CFG, "--out", s2, "--shard=2/2", "-j", "1",
                        "-q", NULL};
    expect_code(fx, 0, liqsim(fx, a1));
    expect_code(fx, 0, liqsim(fx, a2));
  }
  db = liq_test_open_db(s1);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM tasks"), 12);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM tasks WHERE task_id % 2 = 0"), 12);
  assert_int_equal(liq_test_query_int(db, "SELECT shard_index || shard_count FROM sweeps"), 12);
  sqlite3_close(db);
  {
    const char *args[] = {"merge", m, s2, s1, NULL};
    expect_code(fx, 0, liqsim(fx, args));
  }
  expect_same_sweep(fx->ref, m, 24);
  db = liq_test_open_db(m);
  assert_int_equal(liq_test_query_int(db, "SELECT count(DISTINCT run_id) FROM runs"), 24);
  assert_int_equal(liq_test_query_int(db, "SELECT max(run_id) FROM runs"), 24);
  assert_int_equal(liq_test_query_int(db, "SELECT shard_index || shard_count FROM sweeps"), 11);
  sqlite3_close(db);

  /* Merging one shard leaves tasks to do: --resume runs just those. */
  path_in(fx, "half.db", m, sizeof m);
  {
    const char *args[] = {"merge", m, s1, NULL};
    char *out;
    expect_code(fx, 0, liqsim(fx, args));
    expect_stderr(fx, "12 of 24 tasks missing");
    out = liq_test_slurp(fx->out);
    assert_non_null(strstr(out, "12 of 24 tasks done"));
    free(out);
  }
  {
    const char *args[] = {"sweep", SMALL_CFG, "--out", m, "--resume", "-q", NULL};
    expect_code(fx, 0, liqsim(fx, args));
  }
  expect_same_sweep(fx->ref, m, 24);
}

static void test_merge_refuses_other_scenario(void **state) {
  fixture *fx = *state;
  char o[700], m[700];
  path_in(fx, "other.db", o, sizeof o);
  path_in(fx, "never.db", m, sizeof m);
  {
    const char *args[] = {"sweep", OTHER_CFG, "--out", o, "-q", NULL};
    expect_code(fx, 0, liqsim(fx, args));
  }
  {
    const char *args[] = {"merge", m, fx->ref, o, NULL};
    expect_code(fx, 2, liqsim(fx, args));
    expect_stderr(fx, "different scenario");
    assert_int_not_equal(access(m, F_OK), 0);      /* nothing written */
  }
  /* into an output that holds another scenario's sweep: refused too */
  {
    const char *args[] = {"merge", o, fx->ref, NULL};
    expect_code(fx, 2, liqsim(fx, args));
    expect_stderr(fx, "different scenario");
  }
}

static void test_resume_refuses_other_text(void **state) {
  fixture *fx = *state;
  char db[700];
  path_in(fx, "resume-other.db", db, sizeof db);
  {
    const char *args[] = {"sweep", SMALL_CFG, "--out", db, "--shard", "1/3", "-q", NULL};
    expect_code(fx, 0, liqsim(fx, args));
  }
  {
    const char *args[] = {"sweep", OTHER_CFG, "--out", db, "--shard", "1/3",
                          "--resume", NULL};
    expect_code(fx, 2, liqsim(fx, args));
    expect_stderr(fx, "different scenario text");
  }
  {
    const char *args[] = {"sweep", SMALL_CFG, "--out", db, "--shard", "2/3",
                          "--resume", NULL};
    expect_code(fx, 2, liqsim(fx, args));
    expect_stderr(fx, "holds shard 1/3, not 2/3");
  }
}

static void test_invalid_grid_value(void **state) {
  fixture *fx = *state;
  char cfg[700], db[700];
  char *text = liq_test_slurp(SMALL_CFG), *p;
  FILE *f;
  path_in(fx, "bad-grid.cfg", cfg, sizeof cfg);
  path_in(fx, "bad-grid.db", db, sizeof db);
  /* impact.coefficient = -0.7 at the second value of the second axis */
  p = strstr(text, "values = [0.3, 0.7, 1.5]");
  assert_non_null(p);
  memcpy(p, "values = [0.3,-0.7, 1.5]", 24);
  f = fopen(cfg, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  free(text);
  {
    const char *args[] = {"sweep", cfg, "--out", db, NULL};
    char want[800];
    expect_code(fx, 2, liqsim(fx, args));
    snprintf(want, sizeof want, "liqsim: %s:21: sweep.grid[1] impact.coefficient=-0.7"
             " (grid point 1): impact.coefficient must be >= 0", cfg);
    expect_stderr(fx, want);
    assert_int_not_equal(access(db, F_OK), 0);     /* nothing ran */
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* sweep_aggregates of grid point 2 recomputed from the summary rows. */
static void test_aggregates_by_hand(void **state) {
  fixture *fx = *state;
  sqlite3 *db = liq_test_open_db(fx->ref);
  sqlite3_stmt *st = NULL;
  double bad[16], notional[16], sum_bad = 0, sum_notional = 0;
  size_t n = 0, n_bad = 0;
  assert_int_equal(sqlite3_prepare_v2(db,
      "SELECT s.bad_debt, s.liquidated_notional FROM tasks t JOIN summary s"
      " ON s.run_id = t.run_id WHERE t.grid_index = 2 ORDER BY t.task_id",
      -1, &st, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW && n < 16) {
    bad[n] = sqlite3_column_double(st, 0);
    notional[n] = sqlite3_column_double(st, 1);
    sum_bad += bad[n];
    sum_notional += notional[n];
    n_bad += bad[n] > 0;
    n++;
  }
  sqlite3_finalize(st);
  assert_int_equal(n, 4);
  qsort(bad, n, sizeof *bad, cmp_double);
  qsort(notional, n, sizeof *notional, cmp_double);
  assert_int_equal(sqlite3_prepare_v2(db,
      "SELECT n, bad_debt_mean, bad_debt_q50, bad_debt_q95, bad_debt_q99,"
      " bad_debt_probability, liquidated_notional_mean, liquidated_notional_q50,"
      " liquidated_notional_q95, var95_bad_debt, lar95_liquidated_notional"
      " FROM sweep_aggregates WHERE grid_index = 2", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), 4);
  assert_rel(sqlite3_column_double(st, 1), sum_bad / 4.0, 1e-12);
  /* nearest rank over 4 values: q50 = x_(2), q95 = q99 = x_(4) */
  assert_true(sqlite3_column_double(st, 2) == bad[1]);
  assert_true(sqlite3_column_double(st, 3) == bad[3]);
  assert_true(sqlite3_column_double(st, 4) == bad[3]);
  assert_rel(sqlite3_column_double(st, 5), (double)n_bad / 4.0, 1e-15);
  assert_rel(sqlite3_column_double(st, 6), sum_notional / 4.0, 1e-12);
  assert_true(sqlite3_column_double(st, 7) == notional[1]);
  assert_true(sqlite3_column_double(st, 8) == notional[3]);
  assert_true(sqlite3_column_double(st, 9) == bad[3]);
  assert_true(sqlite3_column_double(st, 10) == notional[3]);
  sqlite3_finalize(st);
  /* the ranks the aggregates use are the library's */
  assert_true(liq_stats_quantile(bad, n, 0.5) == bad[1]);
  sqlite3_close(db);
}

/*
** stats.counterfactual: every task also runs without impact; the summary
** holds what that run liquidated and the aggregates carry its means.
** Without it the columns are NULL and counterfactual_n is 0.
*/
static void test_counterfactual_sweep(void **state) {
  fixture *fx = *state;
  char cfg[700], out[700], sql[512];
  char *text = liq_test_slurp(SMALL_CFG), *at;
  FILE *f;
  sqlite3 *db;
  const char *args[] = {"sweep", cfg, "--out", out, "-j", "2", "--quiet", NULL};
  path_in(fx, "counterfactual.cfg", cfg, sizeof cfg);
  path_in(fx, "counterfactual.db", out, sizeof out);
  at = strstr(text, "events = true; };");
  assert_non_null(at);
  f = fopen(cfg, "w");
  assert_non_null(f);
  fprintf(f, "%.*sevents = true; counterfactual = true; };%s", (int)(at - text), text,
          at + strlen("events = true; };"));
  fclose(f);
  free(text);
  expect_code(fx, 0, liqsim(fx, args));
  db = liq_test_open_db(out);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM summary"
                                 " WHERE liquidated_without_impact IS NULL"), 0);
  /* Without impact the impact coefficient (the inner axis: grid_index % 3)
  ** changes nothing: one count per replicate and initial margin. */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM (SELECT count(DISTINCT"
                                 " s.liquidated_without_impact) AS c FROM tasks t"
                                 " JOIN summary s USING (run_id)"
                                 " GROUP BY t.replicate, t.grid_index / 3) WHERE c > 1"), 0);
  /* and with it the cascades add liquidations on the whole */
  assert_true(liq_test_query_int(db, "SELECT sum(liquidated - liquidated_without_impact)"
                            " FROM summary") > 0);
  assert_int_equal(liq_test_query_int(db, "SELECT min(counterfactual_n) FROM sweep_aggregates"), 4);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM sweep_aggregates a WHERE abs(a.liquidated_without_impact_mean"
           " - (SELECT avg(s.liquidated_without_impact) FROM tasks t JOIN summary s"
           " USING (run_id) WHERE t.grid_index = a.grid_index)) > 1e-9");
  assert_int_equal(liq_test_query_int(db, sql), 0);
  sqlite3_close(db);
  db = liq_test_open_db(fx->ref);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM summary"
                                 " WHERE liquidated_without_impact IS NOT NULL"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT max(counterfactual_n) FROM sweep_aggregates"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM sweep_aggregates"
                                 " WHERE bad_debt_without_impact_mean IS NOT NULL"), 0);
  sqlite3_close(db);
}

/* Replicate 0 of grid point 4 is 'liqsim run' with the point's overrides. */
static void test_replicate0_is_a_run(void **state) {
  fixture *fx = *state;
  char db[700], *sql, *cols, *qa, *qb;
  sqlite3 *h;
  path_in(fx, "run.db", db, sizeof db);
  {
    const char *args[] = {"run", SMALL_CFG, "--out", db, "--set", "margin.initial=0.02",
                          "--set", "impact.coefficient=0.7", "--quiet", NULL};
    expect_code(fx, 0, liqsim(fx, args));
  }
  h = liq_test_open_db(fx->ref);
  sql = sqlite3_mprintf("ATTACH %Q AS b", db);
  liq_test_exec(h, sql);
  sqlite3_free(sql);
  cols = columns(h, "summary", "s", ",run_id,");
  qa = sqlite3_mprintf("SELECT %s FROM main.tasks t JOIN main.summary s"
                       " ON s.run_id = t.run_id WHERE t.grid_index = 4"
                       " AND t.replicate = 0", cols);
  qb = sqlite3_mprintf("SELECT %s FROM b.summary s", cols);
  expect_same_rows(h, "summary of replicate 0", qa, qb);
  sqlite3_free(qa);
  sqlite3_free(qb);
  sqlite3_free(cols);
  assert_int_equal(liq_test_query_int(h, "SELECT (SELECT params FROM main.tasks WHERE task_id = 16)"
                                " = (SELECT params FROM b.runs)"), 1);
  sqlite3_close(h);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Done tasks in 'db' (0 while it does not exist yet). */
static long long done_tasks(const char *path) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  long long n = 0;
  if (access(path, F_OK) != 0) return 0;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM tasks WHERE status = 'done'",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

/*
** SIGKILL a sweep after some tasks are done, plant what a killed writer
** of another design could leave (a 'running' run with rows, for a task
** not done), resume, and compare with an uninterrupted sweep.
*/
static void test_kill_and_resume(void **state) {
  fixture *fx = *state;
  char full[700], killed[700];
  const char *argv[] = {LIQ_BINARY, "sweep", KILL_CFG, "--out", NULL, "-j", "2",
                        "--quiet", NULL};
  long long at_kill = 0;
  double t0;
  pid_t pid;
  sqlite3 *db;
  path_in(fx, "kill-full.db", full, sizeof full);
  path_in(fx, "kill.db", killed, sizeof killed);

  argv[4] = full;
  expect_code(fx, 0, wait_code(spawn(fx, argv)));

  argv[4] = killed;
  pid = spawn(fx, argv);
  t0 = now_seconds();
  while ((at_kill = done_tasks(killed)) < 3 && now_seconds() - t0 < 300.0) {
    struct timespec ts = {0, 20000000L};        /* poll every 20 ms */
    nanosleep(&ts, NULL);
  }
  assert_int_equal(kill(pid, SIGKILL), 0);
  assert_int_equal(wait_code(pid), 128 + SIGKILL);  /* killed, not exited */
  assert_true(at_kill >= 3);
  at_kill = done_tasks(killed);
  print_message("killed after %lld of 60 tasks\n", at_kill);
  assert_true(at_kill < 60);

  /* A half-written task as another writer might leave it. */
  assert_int_equal(sqlite3_open_v2(killed, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  liq_test_exec(db, "INSERT INTO runs(run_id, sweep_id, task_id, scenario_name, status)"
               " SELECT 1000000, 1, min(task_id), 'partial', 'running' FROM tasks"
               " WHERE status <> 'done';"
               "INSERT INTO steps(run_id, step, price) VALUES(1000000, 0, 1.0);"
               "INSERT INTO liquidations(run_id, step, price) VALUES(1000000, 0, 1.0);");
  sqlite3_close(db);

  {
    const char *args[] = {"sweep", KILL_CFG, "--out", killed, "--resume", "-j", "2", NULL};
    char *out;
    char want[64];
    expect_code(fx, 0, liqsim(fx, args));
    out = liq_test_slurp(fx->out);
    snprintf(want, sizeof want, "%lld done before", at_kill);
    assert_non_null(strstr(out, want));
    free(out);
  }
  db = liq_test_open_db(killed);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM runs WHERE run_id = 1000000"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 1000000"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations WHERE run_id = 1000000"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM runs"), 60);
  sqlite3_close(db);
  expect_same_sweep(full, killed, 60);
}

/*
** The same for a sweep of short tasks without rows, whose tasks are
** committed in batches: killed, the database holds whole tasks only (a
** run and a summary for each done task, nothing of the open batch), and
** --resume gives the uninterrupted sweep.
*/
static void test_kill_and_resume_batched(void **state) {
  fixture *fx = *state;
  char full[700], killed[700];
  const char *argv[] = {LIQ_BINARY, "sweep", KILL_ROWLESS_CFG, "--out", NULL, "-j",
                        "1", "--quiet", NULL};
  long long at_kill = 0;
  double t0;
  pid_t pid;
  sqlite3 *db;
  path_in(fx, "kill-rowless-full.db", full, sizeof full);
  path_in(fx, "kill-rowless.db", killed, sizeof killed);

  argv[4] = full;
  argv[6] = "2";
  expect_code(fx, 0, wait_code(spawn(fx, argv)));

  argv[4] = killed;
  argv[6] = "1";
  pid = spawn(fx, argv);
  t0 = now_seconds();
  while ((at_kill = done_tasks(killed)) < 3 && now_seconds() - t0 < 300.0) {
    struct timespec ts = {0, 5000000L};         /* poll every 5 ms */
    nanosleep(&ts, NULL);
  }
  assert_int_equal(kill(pid, SIGKILL), 0);
  assert_int_equal(wait_code(pid), 128 + SIGKILL);
  at_kill = done_tasks(killed);
  print_message("killed after %lld of 300 tasks\n", at_kill);
  assert_true(at_kill >= 3 && at_kill < 300);
  db = liq_test_open_db(killed);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM runs"), at_kill);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM runs r JOIN tasks t"
                                      " ON t.run_id = r.run_id AND t.status = 'done'"
                                      " AND r.status = 'done' JOIN summary s"
                                      " ON s.run_id = r.run_id"), at_kill);
  sqlite3_close(db);

  {
    const char *args[] = {"sweep", KILL_ROWLESS_CFG, "--out", killed, "--resume",
                          "-j", "2", NULL};
    char *out;
    char want[64];
    expect_code(fx, 0, liqsim(fx, args));
    out = liq_test_slurp(fx->out);
    snprintf(want, sizeof want, "%lld done before", at_kill);
    assert_non_null(strstr(out, want));
    free(out);
  }
  expect_same_sweep(full, killed, 300);
}

/* Run 'args' with LIQ_SWEEP_SHARE_INPUTS=0 (every task draws its own
** path and book), expecting exit 0. */
static void run_unshared(fixture *fx, const char **args) {
  assert_int_equal(setenv("LIQ_SWEEP_SHARE_INPUTS", "0", 1), 0);
  expect_code(fx, 0, liqsim(fx, args));
  unsetenv("LIQ_SWEEP_SHARE_INPUTS");
}

/* stats.positions = true in a sweep is not silently dropped: the sweep
** says it stores no books and how to store one point's. */
static void test_positions_true_warns(void **state) {
  fixture *fx = *state;
  char db[700];
  const char *args[] = {"sweep", SMALL_CFG, "--set", "stats.positions=true", "--out", NULL,
                        "-j", "2", "-q", NULL};
  path_in(fx, "positions-true.db", db, sizeof db);
  args[5] = db;
  expect_code(fx, 0, liqsim(fx, args));
  expect_stderr(fx, "stats.positions = true is for 'liqsim run': a sweep stores no books");
  {
    sqlite3 *d = liq_test_open_db(db);
    assert_int_equal(liq_test_query_int(d, "SELECT count(*) FROM positions"), 0);
    sqlite3_close(d);
  }
}

/* Sharing a replicate's inputs between grid points changes no number:
** LIQ_SWEEP_SHARE_INPUTS=0 (every task draws its own) gives the same
** sweep, with rows (the reference) and without. */
static void test_share_inputs_off_identical(void **state) {
  fixture *fx = *state;
  char db[700], on[700], off[700];
  path_in(fx, "share-off.db", db, sizeof db);
  path_in(fx, "rowless-on.db", on, sizeof on);
  path_in(fx, "rowless-off.db", off, sizeof off);
  {
    const char *args[] = {"sweep", SMALL_CFG, "--out", db, "-j", "2", "-q", NULL};
    run_unshared(fx, args);
  }
  expect_same_sweep(fx->ref, db, 24);
  {
    const char *args[] = {"sweep", SMALL_CFG, "--set", "stats.steps=false", "--set",
                          "stats.events=false", "--out", NULL, "-j", "1", "-q", NULL};
    args[7] = on;
    expect_code(fx, 0, liqsim(fx, args));
    args[7] = off;
    args[9] = "2";
    run_unshared(fx, args);
  }
  expect_same_sweep(on, off, 24);
  {
    sqlite3 *d = liq_test_open_db(on);
    assert_int_equal(liq_test_query_int(d, "SELECT count(*) FROM steps"), 0);
    assert_int_equal(liq_test_query_int(d, "SELECT count(*) FROM summary"), 24);
    sqlite3_close(d);
  }
}

/* Axes that reach the book (book.positions, margin.initial) or the path
** (price.volatility) next to one that reaches neither: each point still
** gets its own inputs (the same sweep with the sharing off), and replicate
** k's exogenous path is shared exactly where the price settings are. */
static void test_share_inputs_book_and_path_axes(void **state) {
  static const char *const text =
    "name = \"share-axes\";\n"
    "seed = 5;\n"
    "steps = 200;\n"
    "step_seconds = 60;\n"
    "price = { model = \"gbm\"; start = 30000.0; drift = 0.0; volatility = 1.5; };\n"
    "book = { positions = 1500; long_share = 0.6;\n"
    "  leverage = { values = [5.0, 20.0, 50.0, 100.0]; weights = [0.3, 0.3, 0.2, 0.2]; };\n"
    "  notional = { dist = \"lognormal\"; median = 5000.0; sigma = 1.5; };\n"
    "  entry = { spread = 0.005; }; };\n"
    "margin = { initial = 0.01; maintenance = 0.005; liquidation_fee = 0.005; };\n"
    "impact = { model = \"sqrt\"; daily_volume = 1.0e8; coefficient = 0.7; };\n"
    "insurance = { fund = 1.0e4; };\n"
    "stats = { quantiles = [0.05, 0.5]; every = 10; steps = false; events = false; };\n"
    "sweep = { replicates = 3;\n"
    "  grid = ( { key = \"impact.coefficient\"; values = [0.3, 1.5]; },\n"
    "           { key = \"book.positions\"; values = [1000, 2000]; },\n"
    "           { key = \"price.volatility\"; values = [0.8, 1.5]; },\n"
    "           { key = \"margin.initial\"; values = [0.01, 0.02]; } ); };\n";
  fixture *fx = *state;
  char cfg[700], on[700], off[700];
  sqlite3 *db;
  liq_test_write_text(fx->dir, "share-axes.cfg", text, cfg, sizeof cfg);
  path_in(fx, "axes-on.db", on, sizeof on);
  path_in(fx, "axes-off.db", off, sizeof off);
  {
    const char *args[] = {"sweep", cfg, "--out", NULL, "-j", "1", "-q", NULL};
    args[3] = on;
    expect_code(fx, 0, liqsim(fx, args));
    args[3] = off;
    args[5] = "2";
    run_unshared(fx, args);
  }
  expect_same_sweep(on, off, 48);
  db = liq_test_open_db(on);
  liq_test_exec(db,
    "CREATE TEMP VIEW v AS SELECT t.replicate AS rep,"
    " json_extract(t.params, '$.\"book.positions\"') AS n,"
    " json_extract(t.params, '$.\"price.volatility\"') AS vol,"
    " s.positions AS positions, s.min_price_exogenous AS low,"
    " s.liquidated_notional AS liq"
    " FROM tasks t JOIN summary s USING(run_id)");
  /* every point drew the book size it asked for */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM v WHERE positions = n"), 48);
  /* one exogenous path per (replicate, volatility), different between them */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM (SELECT rep, vol FROM v"
                                      " GROUP BY rep, vol HAVING count(DISTINCT low) = 1)"),
                   6);
  assert_int_equal(liq_test_query_int(db, "SELECT count(DISTINCT low) FROM v"), 6);
  sqlite3_close(db);
}

/* More grid points than one block of a unit (64), in an order where the
** points sharing a book are not neighbours (the book axis varies
** fastest): the sharing still changes nothing. */
static void test_share_inputs_many_points(void **state) {
  static const char *const text =
    "name = \"share-many\";\n"
    "seed = 6;\n"
    "steps = 60;\n"
    "step_seconds = 60;\n"
    "price = { model = \"gbm\"; start = 30000.0; drift = 0.0; volatility = 2.0; };\n"
    "book = { positions = 300; long_share = 0.6;\n"
    "  leverage = { values = [5.0, 20.0, 50.0, 100.0]; weights = [0.3, 0.3, 0.2, 0.2]; };\n"
    "  notional = { dist = \"lognormal\"; median = 5000.0; sigma = 1.5; }; };\n"
    "margin = { initial = 0.01; maintenance = 0.005; };\n"
    "impact = { model = \"sqrt\"; daily_volume = 1.0e7; coefficient = 0.7; };\n"
    "stats = { quantiles = [0.5]; every = 10; steps = false; events = false; };\n"
    "sweep = { replicates = 2;\n"
    "  grid = ( { key = \"impact.coefficient\"; range = [0.1, 1.0, 0.1]; },\n"
    "           { key = \"margin.initial\"; values = [0.01, 0.02, 0.04, 0.05,\n"
    "                                                0.1, 0.2, 0.25, 0.5]; } ); };\n";
  fixture *fx = *state;
  char cfg[700], on[700], off[700];
  liq_test_write_text(fx->dir, "share-many.cfg", text, cfg, sizeof cfg);
  path_in(fx, "many-on.db", on, sizeof on);
  path_in(fx, "many-off.db", off, sizeof off);
  {
    const char *args[] = {"sweep", cfg, "--out", NULL, "-j", "3", "-q", NULL};
    args[3] = on;
    expect_code(fx, 0, liqsim(fx, args));
    args[3] = off;
    args[5] = "1";
    run_unshared(fx, args);
  }
  expect_same_sweep(on, off, 160);
}

/* mpirun -n 2 liqsim sweep == the -j reference (LIQ_MPI builds). */
static void test_mpi_two_ranks(void **state) {
#ifdef LIQ_MPIEXEC
  fixture *fx = *state;
  char db[700];
  const char *argv[] = {LIQ_MPIEXEC, "-n", "2", "--oversubscribe", LIQ_BINARY,
                        "sweep", SMALL_CFG, "--out", NULL, "-j", "1", NULL};
  path_in(fx, "mpi.db", db, sizeof db);
  argv[8] = db;
  /* as root (CI) OpenMPI wants an explicit yes; no CMA in containers */
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 1);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
  expect_code(fx, 0, wait_code(spawn(fx, argv)));
  {
    char *out = liq_test_slurp(fx->out);
    assert_non_null(strstr(out, "x 2 ranks"));
    free(out);
  }
  expect_same_sweep(fx->ref, db, 24);
#else
  (void)state;
  skip();
#endif
}

/*
** Used to fail.  Ranks that differ in threads (no -j: each rank takes
** its OMP_NUM_THREADS, as on nodes of different sizes) cut the pending
** tasks into different units, so some tasks went to no rank: the sweep
** said "24 run now" and exited 0 with 4 tasks still 'pending'.
*/
static void test_mpi_ranks_with_different_threads(void **state) {
#ifdef LIQ_MPIEXEC
  fixture *fx = *state;
  char db[700];
  const char *argv[] = {LIQ_MPIEXEC, "--oversubscribe",
                        "-n", "1", "-x", "OMP_NUM_THREADS=1", LIQ_BINARY,
                        "sweep", SMALL_CFG, "--out", NULL, ":",
                        "-n", "1", "-x", "OMP_NUM_THREADS=4", LIQ_BINARY,
                        "sweep", SMALL_CFG, "--out", NULL, NULL};
  sqlite3 *h;
  path_in(fx, "mpi-threads.db", db, sizeof db);
  argv[10] = db;
  argv[20] = db;
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 1);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
  expect_code(fx, 0, wait_code(spawn(fx, argv)));
  h = liq_test_open_db(db);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM tasks WHERE status = 'done'"),
                   24);
  sqlite3_close(h);
  expect_same_sweep(fx->ref, db, 24);
#else
  (void)state;
  skip();
#endif
}

/*
** Used to fail.  DESIGN.md: "liqsim check SCENARIO  validate only; exit 0 or a
** file:line error", and "every grid point is validated like --set".  But
** 'liqsim check' (sim/main.c cmd_check -> load_inputs) never expands the
** sweep: a file whose sweep.grid holds impact.coefficient = -0.7 (which
** 'liqsim sweep' rejects with FILE:21, exit 2) checks "ok", exit 0.
*/
static void test_check_validates_sweep_grid(void **state) {
  fixture *fx = *state;
  char cfg[600], cmd[1400];
  char *text = NULL, *p;
  FILE *f;
  long n;
  int status;
  f = fopen(LIQ_TEST_DATA "/sweep_small.cfg", "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  rewind(f);
  text = calloc((size_t)n + 1, 1);
  assert_non_null(text);
  assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  p = strstr(text, "values = [0.3, 0.7, 1.5]");
  assert_non_null(p);
  memcpy(p, "values = [0.3,-0.7, 1.5]", 24);
  path_in(fx, "bad-grid.cfg", cfg, sizeof cfg);
  f = fopen(cfg, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  free(text);
  snprintf(cmd, sizeof cmd, "'%s' check '%s' >/dev/null 2>&1", LIQ_BINARY, cfg);
  status = system(cmd);
  assert_true(WIFEXITED(status));
  print_message("liqsim check bad-grid.cfg: exit %d\n", WEXITSTATUS(status));
  assert_int_equal(WEXITSTATUS(status), 2);
}


/* ------------------------------------------------------------------------
** What a researcher varies in a sweep: categorical axes (insurance.policy),
** --set and --seed on 'liqsim sweep' (stored with the sweep; --resume
** refuses others), the typed axis values in sweep_point_values, 'liqsim
** report' on a sweep database, and 'liqsim run' on a scenario with a sweep.
*/
#define POLICIES_CFG LIQ_TEST_DATA "/sweep_policies.cfg"

typedef struct axes_fixture {
  char db[512], out[512], err[512], cfg[512];
} axes_fixture;

static axes_fixture ax;

static void axes_expect_code(int want, int got) {
  if (got != want) {
    char *e = liq_test_slurp(ax.err);
    print_error("liqsim exited %d, expected %d; stderr:\n%s\n", got, want, e);
    free(e);
    fail();
  }
}

static void axes_expect_in(const char *file, const char *fragment) {
  char *t = liq_test_slurp(file);
  if (strstr(t, fragment) == NULL) {
    print_error("%s lacks \"%s\":\n%s\n", file, fragment, t);
    free(t);
    fail();
  }
  free(t);
}

/* The sweep every test reads: policies x maintenance, --set and --seed. */
static int axes_group_setup(void **state) {
  const char *tmp = getenv("TMPDIR");
  char dir[256];
  (void)state;
  snprintf(dir, sizeof dir, "%s/liqsim-axes-XXXXXX", tmp ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL) return -1;
  snprintf(ax.db, sizeof ax.db, "%s/sweep.db", dir);
  snprintf(ax.out, sizeof ax.out, "%s/out.txt", dir);
  snprintf(ax.err, sizeof ax.err, "%s/err.txt", dir);
  snprintf(ax.cfg, sizeof ax.cfg, "%s", dir);
  {
    const char *args[] = { "sweep", POLICIES_CFG, "--set", "book.positions=1200",
                           "--seed", "11", "-j", "2", "--quiet", "--out", ax.db,
                           NULL };
    if (liq_test_liqsim(args, ax.out, ax.err, 0) != 0) return -1;
  }
  return 0;
}

static int axes_group_teardown(void **state) {
  char p[600];
  (void)state;
  remove(ax.db);
  snprintf(p, sizeof p, "%s-wal", ax.db);
  remove(p);
  snprintf(p, sizeof p, "%s-shm", ax.db);
  remove(p);
  remove(ax.out);
  remove(ax.err);
  rmdir(ax.cfg);
  return 0;
}

/* The categorical axis reaches every run; --set and --seed every point. */
static void test_categorical_axis_and_set(void **state) {
  sqlite3 *h = liq_test_open_db(ax.db);
  (void)state;
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM tasks WHERE status='done'"), 12);
  assert_int_equal(liq_test_query_int(h, "SELECT seed FROM sweeps"), 11);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM tasks WHERE seed = 11"), 12);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM runs WHERE"
                   " json_extract(params, '$.\"book.positions\"') = 1200"), 12);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM runs WHERE"
                   " json_extract(params, '$.\"insurance.policy\"') = 'socialize'"), 4);
  assert_int_equal(liq_test_query_int(h, "SELECT instr(spec, '\"set\":[\"book.positions=1200\","
                   "\"seed=11\"]') > 0 FROM sweeps"), 1);
  assert_int_equal(liq_test_query_int(h, "SELECT max(positions) FROM runs"), 1200);
  /* The policies differ where ADL happened: socialize closes nothing. */
  assert_true(liq_test_query_int(h, "SELECT sum(adl_count) FROM summary JOIN runs USING(run_id)"
                        " WHERE json_extract(params, '$.\"insurance.policy\"') ="
                        " 'adl-ranked'") > 0);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM adl JOIN runs USING(run_id)"
                   " WHERE json_extract(params, '$.\"insurance.policy\"') = 'none'"), 0);
  sqlite3_close(h);
}

/* sweep_point_values: one row per point and axis, numbers as numbers. */
static void test_point_values(void **state) {
  sqlite3 *h = liq_test_open_db(ax.db);
  (void)state;
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM sweep_point_values"), 12);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM sweep_point_values WHERE"
                   " key = 'margin.maintenance' AND typeof(value) = 'real'"), 6);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM sweep_point_values WHERE"
                   " key = 'insurance.policy' AND typeof(value) = 'text'"), 6);
  /* Point 5 = (socialize, 0.005): the last axis varies fastest. */
  assert_int_equal(liq_test_query_int(h, "SELECT value = 'socialize' FROM sweep_point_values"
                   " WHERE grid_index = 5 AND key = 'insurance.policy'"), 1);
  assert_rel(liq_test_query_double(h, "SELECT value FROM sweep_point_values"
                          " WHERE grid_index = 5 AND key = 'margin.maintenance'"),
             0.005, 0);
  /* The README's pivot: one row per point, an axis per column. */
  assert_int_equal(liq_test_query_int(h,
    "SELECT count(*) FROM (SELECT grid_index,"
    " max(value) FILTER (WHERE key = 'insurance.policy') AS policy,"
    " max(value) FILTER (WHERE key = 'margin.maintenance') AS maintenance"
    " FROM sweep_point_values WHERE sweep_id = 1 GROUP BY grid_index)"
    " WHERE maintenance > 0.0045 AND policy IS NOT NULL"), 3);
  sqlite3_close(h);
}

/* Replicate 0 of a point is `liqsim run` with --seed, --set and the point. */
static void test_point_is_a_run(void **state) {
  char run_db[600];
  sqlite3 *h;
  double a, b;
  (void)state;
  snprintf(run_db, sizeof run_db, "%s/run.db", ax.cfg);
  {
    const char *args[] = { "run", POLICIES_CFG, "--set", "book.positions=1200",
                           "--seed", "11", "--set", "insurance.policy=socialize",
                           "--set", "margin.maintenance=0.005", "--quiet",
                           "--out", run_db, NULL };
    axes_expect_code(0, liq_test_liqsim(args, ax.out, ax.err, 0));
  }
  /* ... and says that it runs only the base point. */
  {
    const char *args[] = { "run", POLICIES_CFG, "--set", "book.positions=200",
                           "--out", run_db, NULL };
    axes_expect_code(0, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.err, "has a sweep section: 'run' runs only the base point");
  }
  h = liq_test_open_db(ax.db);
  a = liq_test_query_double(h, "SELECT s.haircut + s.bad_debt + s.liquidated_notional"
                   " FROM summary s JOIN tasks t USING(run_id)"
                   " WHERE t.grid_index = 5 AND t.replicate = 0");
  sqlite3_close(h);
  h = liq_test_open_db(run_db);
  b = liq_test_query_double(h, "SELECT haircut + bad_debt + liquidated_notional FROM summary"
                   " WHERE run_id = 1");
  sqlite3_close(h);
  assert_true(a > 0);
  assert_rel(a, b, 1e-12);
  remove(run_db);
}

/* --resume with other overrides is refused, nothing run. */
static void test_resume_refuses_other_set(void **state) {
  (void)state;
  {
    const char *args[] = { "sweep", POLICIES_CFG, "--set", "book.positions=1300",
                           "--seed", "11", "--resume", "--quiet", "--out", ax.db,
                           NULL };
    axes_expect_code(2, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.err, "different sweep spec (grid, replicates, --set or --seed)");
  }
  {
    const char *args[] = { "sweep", POLICIES_CFG, "--set", "book.positions=1200",
                           "--resume", "--quiet", "--out", ax.db, NULL };
    axes_expect_code(2, liq_test_liqsim(args, ax.out, ax.err, 0));
  }
  {
    const char *args[] = { "sweep", POLICIES_CFG, "--set", "book.positions=1200",
                           "--seed", "11", "--resume", "--out", ax.db, NULL };
    axes_expect_code(0, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.out, "0 run now, 12 done before");
  }
}

/* report on a sweep database: the aggregates per grid point. */
static void test_report_sweep(void **state) {
  (void)state;
  {
    const char *args[] = { "report", ax.db, NULL };
    axes_expect_code(0, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.out, "per grid point");
    axes_expect_in(ax.out, "insurance.policy=socialize");
    axes_expect_in(ax.out, "12 tasks = 6 grid points x 2 replicates, 12 done");
  }
  {
    const char *args[] = { "report", ax.db, "--sweep", "1", NULL };
    axes_expect_code(0, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.out, "margin.maintenance=0.004");
  }
  {
    const char *args[] = { "report", ax.db, "--run", "3", NULL };
    axes_expect_code(0, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.out, "run 3: sweep-policies");
  }
  {
    const char *args[] = { "report", ax.db, "--sweep", "7", NULL };
    axes_expect_code(2, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.err, "no sweep 7");
  }
  {
    const char *args[] = { "report", ax.db, "--sweep", "--run", "2", NULL };
    axes_expect_code(2, liq_test_liqsim(args, ax.out, ax.err, 0));
  }
}

/* The policies fixture with another sweep section, into 'cfg'. */
static void write_with_sweep(const char *cfg, const char *sweep) {
  char *text = liq_test_slurp(POLICIES_CFG);
  char *cut = strstr(text, "sweep = {");
  FILE *f = fopen(cfg, "w");
  assert_non_null(cut);
  assert_non_null(f);
  *cut = '\0';
  fprintf(f, "%s%s", text, sweep);
  fclose(f);
  free(text);
}

/* A categorical axis takes names; a bad name fails at the grid entry. */
static void test_bad_categorical(void **state) {
  char cfg[600];
  (void)state;
  snprintf(cfg, sizeof cfg, "%s/bad.cfg", ax.cfg);
  write_with_sweep(cfg, "sweep = { grid = ( { key = \"insurance.policy\";\n"
                   "  values = [\"none\", \"adl-rankd\"]; } ); };\n");
  {
    const char *args[] = { "sweep", cfg, "--quiet", "--out", ax.db, NULL };
    axes_expect_code(2, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.err, "bad.cfg:22: sweep.grid[0] insurance.policy=\"adl-rankd\"");
  }
  write_with_sweep(cfg, "sweep = { grid = ( { key = \"impact.model\";\n"
                   "  values = [1, 2]; } ); };\n");
  {
    const char *args[] = { "check", cfg, NULL };
    axes_expect_code(2, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.err, "bad.cfg:22:");
  }
  write_with_sweep(cfg, "sweep = { grid = ( { key = \"impact.modle\";\n"
                   "  values = [\"none\"]; } ); };\n");
  {
    const char *args[] = { "check", cfg, NULL };
    axes_expect_code(2, liq_test_liqsim(args, ax.out, ax.err, 0));
    axes_expect_in(ax.err, "is not a sweep key");
  }
  remove(cfg);
}

/* A categorical impact.model axis over a file that names sqrt's
** parameters: every point runs, the keys a point's model does not use are
** warnings, each printed once for the whole sweep and stored per run. */
static void test_model_axis_warns_once(void **state) {
  char cfg[600], db[600];
  char *err;
  const char *hit, *line = "impact.daily_volume is not used when model is none";
  int n = 0;
  sqlite3 *h;
  (void)state;
  snprintf(cfg, sizeof cfg, "%s/models.cfg", ax.cfg);
  snprintf(db, sizeof db, "%s/models.db", ax.cfg);
  write_with_sweep(cfg, "sweep = { grid = ( { key = \"impact.model\";\n"
                   "  values = [\"none\", \"linear\", \"sqrt\"]; },\n"
                   "  { key = \"margin.maintenance\"; values = [0.004, 0.005]; } ); };\n");
  {
    const char *args[] = { "sweep", cfg, "--set", "book.positions=300", "--quiet",
                           "--out", db, NULL };
    axes_expect_code(0, liq_test_liqsim(args, ax.out, ax.err, 0));
  }
  err = liq_test_slurp(ax.err);
  for (hit = strstr(err, line); hit != NULL; hit = strstr(hit + 1, line)) n++;
  free(err);
  assert_int_equal(n, 1);
  h = liq_test_open_db(db);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM tasks WHERE status = 'done'"), 6);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM runs WHERE"
                   " json_extract(params, '$.\"impact.model\"') = 'none'"
                   " AND instr(warnings, 'daily_volume') > 0"), 2);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM runs WHERE"
                   " json_extract(params, '$.\"impact.model\"') = 'sqrt'"
                   " AND coalesce(warnings, '') <> ''"), 0);
  sqlite3_close(h);
  remove(cfg);
  remove(db);
  {
    char side[640];
    snprintf(side, sizeof side, "%s-wal", db);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", db);
    remove(side);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_reference_sweep),
    cmocka_unit_test(test_threads_identical),
    cmocka_unit_test(test_shards_merge),
    cmocka_unit_test(test_merge_refuses_other_scenario),
    cmocka_unit_test(test_resume_refuses_other_text),
    cmocka_unit_test(test_invalid_grid_value),
    cmocka_unit_test(test_aggregates_by_hand),
    cmocka_unit_test(test_counterfactual_sweep),
    cmocka_unit_test(test_replicate0_is_a_run),
    cmocka_unit_test(test_kill_and_resume),
    cmocka_unit_test(test_kill_and_resume_batched),
    cmocka_unit_test(test_positions_true_warns),
    cmocka_unit_test(test_share_inputs_off_identical),
    cmocka_unit_test(test_share_inputs_book_and_path_axes),
    cmocka_unit_test(test_share_inputs_many_points),
    cmocka_unit_test(test_mpi_two_ranks),
    cmocka_unit_test(test_mpi_ranks_with_different_threads),
    cmocka_unit_test(test_check_validates_sweep_grid),
  };
  const struct CMUnitTest axes_tests[] = {
    cmocka_unit_test(test_categorical_axis_and_set),
    cmocka_unit_test(test_point_values),
    cmocka_unit_test(test_point_is_a_run),
    cmocka_unit_test(test_resume_refuses_other_set),
    cmocka_unit_test(test_report_sweep),
    cmocka_unit_test(test_bad_categorical),
    cmocka_unit_test(test_model_axis_warns_once),
  };
  int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
  return failed + cmocka_run_group_tests(axes_tests, axes_group_setup,
                                         axes_group_teardown);
}
