/*
** test_sweep_axes.c: what a researcher varies in a sweep, end to end
** through the liqsim binary: categorical axes (insurance.policy), --set and
** --seed on 'liqsim sweep' (stored with the sweep; --resume refuses
** others), the typed axis values in sweep_point_values, 'liqsim report'
** on a sweep database, and 'liqsim run' on a scenario with a sweep.
*/
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "test_util.h"

extern char **environ;

#define POLICIES_CFG LIQ_TEST_DATA "/sweep_policies.cfg"

typedef struct fixture {
  char db[512], out[512], err[512], cfg[512];
} fixture;

static fixture fx;

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n = 0;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  buf = calloc((size_t)(n > 0 ? n : 0) + 1, 1);
  assert_non_null(buf);
  if (f != NULL) {
    rewind(f);
    if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) buf[0] = '\0';
    fclose(f);
  }
  return buf;
}

/* liqsim ARGS... (NULL-terminated); stdout/stderr to fx.out/fx.err. */
static int liqsim(const char *const *args) {
  const char *argv[64];
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int i, status = 0;
  argv[0] = LIQ_BINARY;
  for (i = 0; args[i] != NULL; i++) argv[i + 1] = args[i];
  argv[i + 1] = NULL;
  assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
  posix_spawn_file_actions_addopen(&fa, 1, fx.out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, fx.err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  assert_int_equal(posix_spawn(&pid, LIQ_BINARY, &fa, NULL, (char *const *)argv,
                               environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void expect_code(int want, int got) {
  if (got != want) {
    char *e = slurp(fx.err);
    print_error("liqsim exited %d, expected %d; stderr:\n%s\n", got, want, e);
    free(e);
    fail();
  }
}

static void expect_in(const char *file, const char *fragment) {
  char *t = slurp(file);
  if (strstr(t, fragment) == NULL) {
    print_error("%s lacks \"%s\":\n%s\n", file, fragment, t);
    free(t);
    fail();
  }
  free(t);
}

static sqlite3 *open_db(const char *path) {
  sqlite3 *h = NULL;
  assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  return h;
}

static sqlite3_int64 query_int(sqlite3 *h, const char *sql) {
  sqlite3_stmt *s = NULL;
  sqlite3_int64 v;
  if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
    print_error("%s: %s\n", sql, sqlite3_errmsg(h));
    fail();
  }
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static double query_double(sqlite3 *h, const char *sql) {
  sqlite3_stmt *s = NULL;
  double v;
  if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
    print_error("%s: %s\n", sql, sqlite3_errmsg(h));
    fail();
  }
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  v = sqlite3_column_double(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* The sweep every test reads: policies x maintenance, --set and --seed. */
static int group_setup(void **state) {
  const char *tmp = getenv("TMPDIR");
  char dir[256];
  (void)state;
  snprintf(dir, sizeof dir, "%s/liqsim-axes-XXXXXX", tmp ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL) return -1;
  snprintf(fx.db, sizeof fx.db, "%s/sweep.db", dir);
  snprintf(fx.out, sizeof fx.out, "%s/out.txt", dir);
  snprintf(fx.err, sizeof fx.err, "%s/err.txt", dir);
  snprintf(fx.cfg, sizeof fx.cfg, "%s", dir);
  {
    const char *args[] = { "sweep", POLICIES_CFG, "--set", "book.positions=1200",
                           "--seed", "11", "-j", "2", "--quiet", "--out", fx.db,
                           NULL };
    if (liqsim(args) != 0) return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  char p[600];
  (void)state;
  remove(fx.db);
  snprintf(p, sizeof p, "%s-wal", fx.db);
  remove(p);
  snprintf(p, sizeof p, "%s-shm", fx.db);
  remove(p);
  remove(fx.out);
  remove(fx.err);
  rmdir(fx.cfg);
  return 0;
}

/* The categorical axis reaches every run; --set and --seed every point. */
static void test_categorical_axis_and_set(void **state) {
  sqlite3 *h = open_db(fx.db);
  (void)state;
  assert_int_equal(query_int(h, "SELECT count(*) FROM tasks WHERE status='done'"), 12);
  assert_int_equal(query_int(h, "SELECT seed FROM sweeps"), 11);
  assert_int_equal(query_int(h, "SELECT count(*) FROM tasks WHERE seed = 11"), 12);
  assert_int_equal(query_int(h, "SELECT count(*) FROM runs WHERE"
                   " json_extract(params, '$.\"book.positions\"') = 1200"), 12);
  assert_int_equal(query_int(h, "SELECT count(*) FROM runs WHERE"
                   " json_extract(params, '$.\"insurance.policy\"') = 'socialize'"), 4);
  assert_int_equal(query_int(h, "SELECT instr(spec, '\"set\":[\"book.positions=1200\","
                   "\"seed=11\"]') > 0 FROM sweeps"), 1);
  assert_int_equal(query_int(h, "SELECT max(positions) FROM runs"), 1200);
  /* The policies differ where ADL happened: socialize closes nothing. */
  assert_true(query_int(h, "SELECT sum(adl_count) FROM summary JOIN runs USING(run_id)"
                        " WHERE json_extract(params, '$.\"insurance.policy\"') ="
                        " 'adl-ranked'") > 0);
  assert_int_equal(query_int(h, "SELECT count(*) FROM adl JOIN runs USING(run_id)"
                   " WHERE json_extract(params, '$.\"insurance.policy\"') = 'none'"), 0);
  sqlite3_close(h);
}

/* sweep_point_values: one row per point and axis, numbers as numbers. */
static void test_point_values(void **state) {
  sqlite3 *h = open_db(fx.db);
  (void)state;
  assert_int_equal(query_int(h, "SELECT count(*) FROM sweep_point_values"), 12);
  assert_int_equal(query_int(h, "SELECT count(*) FROM sweep_point_values WHERE"
                   " key = 'margin.maintenance' AND typeof(value) = 'real'"), 6);
  assert_int_equal(query_int(h, "SELECT count(*) FROM sweep_point_values WHERE"
                   " key = 'insurance.policy' AND typeof(value) = 'text'"), 6);
  /* Point 5 = (socialize, 0.005): the last axis varies fastest. */
  assert_int_equal(query_int(h, "SELECT value = 'socialize' FROM sweep_point_values"
                   " WHERE grid_index = 5 AND key = 'insurance.policy'"), 1);
  assert_rel(query_double(h, "SELECT value FROM sweep_point_values"
                          " WHERE grid_index = 5 AND key = 'margin.maintenance'"),
             0.005, 0);
  /* The README's pivot: one row per point, an axis per column. */
  assert_int_equal(query_int(h,
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
  snprintf(run_db, sizeof run_db, "%s/run.db", fx.cfg);
  {
    const char *args[] = { "run", POLICIES_CFG, "--set", "book.positions=1200",
                           "--seed", "11", "--set", "insurance.policy=socialize",
                           "--set", "margin.maintenance=0.005", "--quiet",
                           "--out", run_db, NULL };
    expect_code(0, liqsim(args));
  }
  /* ... and says that it runs only the base point. */
  {
    const char *args[] = { "run", POLICIES_CFG, "--set", "book.positions=200",
                           "--out", run_db, NULL };
    expect_code(0, liqsim(args));
    expect_in(fx.err, "has a sweep section: 'run' runs only the base point");
  }
  h = open_db(fx.db);
  a = query_double(h, "SELECT s.haircut + s.bad_debt + s.liquidated_notional"
                   " FROM summary s JOIN tasks t USING(run_id)"
                   " WHERE t.grid_index = 5 AND t.replicate = 0");
  sqlite3_close(h);
  h = open_db(run_db);
  b = query_double(h, "SELECT haircut + bad_debt + liquidated_notional FROM summary"
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
                           "--seed", "11", "--resume", "--quiet", "--out", fx.db,
                           NULL };
    expect_code(2, liqsim(args));
    expect_in(fx.err, "different sweep spec (grid, replicates, --set or --seed)");
  }
  {
    const char *args[] = { "sweep", POLICIES_CFG, "--set", "book.positions=1200",
                           "--resume", "--quiet", "--out", fx.db, NULL };
    expect_code(2, liqsim(args));
  }
  {
    const char *args[] = { "sweep", POLICIES_CFG, "--set", "book.positions=1200",
                           "--seed", "11", "--resume", "--out", fx.db, NULL };
    expect_code(0, liqsim(args));
    expect_in(fx.out, "0 run now, 12 done before");
  }
}

/* report on a sweep database: the aggregates per grid point. */
static void test_report_sweep(void **state) {
  (void)state;
  {
    const char *args[] = { "report", fx.db, NULL };
    expect_code(0, liqsim(args));
    expect_in(fx.out, "per grid point");
    expect_in(fx.out, "insurance.policy=socialize");
    expect_in(fx.out, "12 tasks = 6 grid points x 2 replicates, 12 done");
  }
  {
    const char *args[] = { "report", fx.db, "--sweep", "1", NULL };
    expect_code(0, liqsim(args));
    expect_in(fx.out, "margin.maintenance=0.004");
  }
  {
    const char *args[] = { "report", fx.db, "--run", "3", NULL };
    expect_code(0, liqsim(args));
    expect_in(fx.out, "run 3: sweep-policies");
  }
  {
    const char *args[] = { "report", fx.db, "--sweep", "7", NULL };
    expect_code(2, liqsim(args));
    expect_in(fx.err, "no sweep 7");
  }
  {
    const char *args[] = { "report", fx.db, "--sweep", "--run", "2", NULL };
    expect_code(2, liqsim(args));
  }
}

/* The policies fixture with another sweep section, into 'cfg'. */
static void write_with_sweep(const char *cfg, const char *sweep) {
  char *text = slurp(POLICIES_CFG);
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
  snprintf(cfg, sizeof cfg, "%s/bad.cfg", fx.cfg);
  write_with_sweep(cfg, "sweep = { grid = ( { key = \"insurance.policy\";\n"
                   "  values = [\"none\", \"adl-rankd\"]; } ); };\n");
  {
    const char *args[] = { "sweep", cfg, "--quiet", "--out", fx.db, NULL };
    expect_code(2, liqsim(args));
    expect_in(fx.err, "bad.cfg:22: sweep.grid[0] insurance.policy=\"adl-rankd\"");
  }
  write_with_sweep(cfg, "sweep = { grid = ( { key = \"impact.model\";\n"
                   "  values = [1, 2]; } ); };\n");
  {
    const char *args[] = { "check", cfg, NULL };
    expect_code(2, liqsim(args));
    expect_in(fx.err, "bad.cfg:22:");
  }
  write_with_sweep(cfg, "sweep = { grid = ( { key = \"impact.modle\";\n"
                   "  values = [\"none\"]; } ); };\n");
  {
    const char *args[] = { "check", cfg, NULL };
    expect_code(2, liqsim(args));
    expect_in(fx.err, "is not a sweep key");
  }
  remove(cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_categorical_axis_and_set),
    cmocka_unit_test(test_point_values),
    cmocka_unit_test(test_point_is_a_run),
    cmocka_unit_test(test_resume_refuses_other_set),
    cmocka_unit_test(test_report_sweep),
    cmocka_unit_test(test_bad_categorical),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
