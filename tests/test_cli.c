/*
** test_cli.c: end-to-end tests of the liqsim program.
**
** Each test runs the built binary (LIQ_BINARY) as a child process and reads
** the results database back through SQLite, as a researcher would.  Runs
** use --set book.positions=2000 so every shipped scenario finishes quickly.
*/
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "liq_test_support.h"

#include "liq_path.h"
#include "liq_seed.h"
#include "liq_scenario.h"

#define SMALL_BOOK "book.positions=2000"
#define DEFAULT_CFG LIQ_SOURCE_DIR "/scenarios/default.cfg"

typedef struct fixture {
  char dir[512];           /* temporary directory for databases and output */
  char out[600];           /* child's stdout */
  char err[600];           /* child's stderr */
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  const char *tmp = getenv("TMPDIR");
  if (fx == NULL) return -1;
  snprintf(fx->dir, sizeof fx->dir, "%s/liqsim-cli-XXXXXX", tmp ? tmp : "/tmp");
  if (mkdtemp(fx->dir) == NULL) {
    free(fx);
    return -1;
  }
  snprintf(fx->out, sizeof fx->out, "%s/stdout.txt", fx->dir);
  snprintf(fx->err, sizeof fx->err, "%s/stderr.txt", fx->dir);
  *state = fx;
  return 0;
}

/* Remove the directory and everything in it. */
static int teardown(void **state) {
  fixture *fx = *state;
  liq_test_remove_tree(fx->dir);
  free(fx);
  return 0;
}

/* Run liqsim with 'args' (NULL-terminated, without argv[0]); stdout and
** stderr go to fx->out and fx->err.  Returns the exit code. */
static int liqsim(const fixture *fx, const char *const *args) {
  return liq_test_liqsim(args, fx->out, fx->err, 0);
}

/* liqsim must exit 0; else fail showing its stderr. */
static void liqsim_ok(const fixture *fx, const char *const *args) {
  int code = liqsim(fx, args);
  if (code != 0) {
    char *err = liq_test_slurp(fx->err);
    print_error("liqsim %s %s ... exited %d:\n%s\n", args[0],
                args[1] ? args[1] : "", code, err);
    free(err);
    fail();
  }
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    print_error("%s: %s\n", sql, sqlite3_errmsg(db));
    fail();
  }
  return st;
}

/* First column of the first row as text (caller frees), NULL for NULL. */
static char *query_text(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = prepare(db, sql);
  char *v = NULL;
  if (sqlite3_step(st) != SQLITE_ROW) {
    print_error("%s: no row\n", sql);
    sqlite3_finalize(st);
    fail();
  }
  if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
    const char *t = (const char *)sqlite3_column_text(st, 0);
    v = malloc(strlen(t) + 1);
    assert_non_null(v);
    strcpy(v, t);
  }
  sqlite3_finalize(st);
  return v;
}

/* How many step rows the store keeps for a path of n bars. */
static size_t expected_step_rows(const liq_scenario *sc, size_t n) {
  size_t i, k = 0;
  if (!sc->stats.steps) return 0;
  for (i = 0; i < n; i++)
    if (i % (size_t)sc->stats.every == 0 || i + 1 == n) k++;
  return k;
}

/* The checks every finished run must pass. */
static void check_run(sqlite3 *db, sqlite3_int64 run_id, const liq_scenario *sc,
                      size_t n_bars, size_t positions, int long_heavy) {
  char sql[512];
  const char *tables[] = { "runs", "steps", "liquidations", "summary" };
  sqlite3_stmt *st;
  size_t i;
  char *status;

  for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'",
             tables[i]);
    if (liq_test_query_int(db, sql) != 1) {
      print_error("table %s missing\n", tables[i]);
      fail();
    }
  }

  snprintf(sql, sizeof sql, "SELECT status FROM runs WHERE run_id=%lld",
           (long long)run_id);
  status = query_text(db, sql);
  assert_non_null(status);
  assert_string_equal(status, "done");
  free(status);

  snprintf(sql, sizeof sql, "SELECT count(*) FROM steps WHERE run_id=%lld",
           (long long)run_id);
  assert_int_equal(liq_test_query_int(db, sql), expected_step_rows(sc, n_bars));

  snprintf(sql, sizeof sql,
           "SELECT positions, min_price, min_price_exogenous, impact_at_low "
           "FROM summary WHERE run_id=%lld", (long long)run_id);
  st = prepare(db, sql);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(st, 0), positions);
  assert_true(sqlite3_column_double(st, 1) > 0.0);
  /* The foundation's books are long-heavy with permanent impact: forced
  ** selling deepens the trough.  (Transient impact, short squeezes or
  ** other books can break both checks: they are expectations about those
  ** scenarios, not laws.) */
  if (long_heavy) {
    assert_true(sqlite3_column_double(st, 1) <= sqlite3_column_double(st, 2));
    assert_true(sqlite3_column_double(st, 3) <= 1e-12);
  }
  sqlite3_finalize(st);
}

/* The scenario and its path as liqsim sees them, to compute expectations;
** 'set' may be NULL. */
static void load_expected(const char *cfg, const char *set, liq_scenario **sc,
                          size_t *n_bars) {
  liq_override ov = { set };
  liq_path *path = NULL;
  liq_err err;
  liq_err_clear(&err);
  assert_liq_ok(liq_scenario_load(cfg, &ov, set ? 1 : 0, sc, &err), &err);
  assert_liq_ok(liq_path_build(&(*sc)->price, (*sc)->steps, (*sc)->step_seconds,
                               liq_seed((*sc)->seed, 0, LIQ_STREAM_PATH),
                               &path, &err), &err);
  *n_bars = path->n;
  liq_path_free(path);
}

/* Does the scenario read its book from a file (which fixes its size)? */
static int has_book_file(const char *cfg) {
  liq_scenario *sc = NULL;
  liq_err err;
  int yes;
  assert_liq_ok(liq_scenario_load(cfg, NULL, 0, &sc, &err), &err);
  yes = sc->book.file[0] != '\0';
  liq_scenario_free(sc);
  return yes;
}

static int has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Every shipped scenario runs small and leaves a complete, sane database. */
static void test_shipped_scenarios_run(void **state) {
  fixture *fx = *state;
  DIR *d = opendir(LIQ_SOURCE_DIR "/scenarios");
  struct dirent *e;
  int count = 0;

  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    char cfg[1024], db[1024];
    liq_scenario *sc = NULL;
    size_t n_bars = 0;
    sqlite3 *h;
    int file_book;
    if (!has_suffix(e->d_name, ".cfg")) continue;
    snprintf(cfg, sizeof cfg, "%s/scenarios/%s", LIQ_SOURCE_DIR, e->d_name);
    snprintf(db, sizeof db, "%s/%s.db", fx->dir, e->d_name);
    file_book = has_book_file(cfg);
    if (file_book) {
      const char *args[] = { "run", cfg, "--quiet", "--out", db, NULL };
      liqsim_ok(fx, args);
    } else {
      const char *args[] = { "run", cfg, "--set", SMALL_BOOK, "--quiet",
                             "--out", db, NULL };
      liqsim_ok(fx, args);
    }
    load_expected(cfg, file_book ? NULL : SMALL_BOOK, &sc, &n_bars);
    if (sc->price.model == LIQ_PRICE_REPLAY)
      assert_true(n_bars > 100);
    else
      assert_int_equal(n_bars, sc->steps);
    h = liq_test_open_db(db);
    check_run(h, 1, sc, n_bars, file_book ? 1000 : 2000,
              strcmp(sc->name, "default") == 0 ||
              strcmp(sc->name, "black-thursday-2020") == 0 ||
              strcmp(sc->name, "china-ban-2021") == 0);
    sqlite3_close(h);
    liq_scenario_free(sc);
    count++;
  }
  closedir(d);
  assert_true(count >= 1);
}

/* The exchange-rule scenarios leave consistent rows: ADL rows add up to
** the summary, the money identity holds on the stored summary, partial
** closes carry their share. */
static void test_exchange_rule_rows(void **state) {
  fixture *fx = *state;
  static const char *const names[] = { "adl", "funding", "topup", "partial-restore" };
  size_t i;
  for (i = 0; i < sizeof names / sizeof *names; i++) {
    char cfg[1024], db[1024];
    sqlite3 *h;
    sqlite3_stmt *st;
    snprintf(cfg, sizeof cfg, "%s/scenarios/%s.cfg", LIQ_SOURCE_DIR, names[i]);
    snprintf(db, sizeof db, "%s/%s-rules.db", fx->dir, names[i]);
    {
      /* No insurance fund: any bad debt goes to the policy (ADL). */
      const char *args[] = { "run", cfg, "--set", "book.positions=20000",
                             "--set", "insurance.fund=0", "--quiet", "--out", db, NULL };
      liqsim_ok(fx, args);
    }
    h = liq_test_open_db(db);
    st = prepare(h,
      "SELECT collateral + topup_collateral + pnl_closed + pnl_open - funding_long"
      " - funding_short - haircut, returned + fees + open_equity - bad_debt,"
      " insurance_fund_start + fees - (bad_debt - haircut - uncovered_loss),"
      " insurance_fund_end, adl_count, haircut, topups, funding_long,"
      " partial_liquidations, first_adl_step FROM summary WHERE run_id = 1");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_rel(sqlite3_column_double(st, 0), sqlite3_column_double(st, 1), 1e-9);
    assert_true(fabs(sqlite3_column_double(st, 2) - sqlite3_column_double(st, 3)) <=
                1e-9 * fmax(1.0, fabs(sqlite3_column_double(st, 2))));
    if (strcmp(names[i], "adl") == 0) {
      assert_true(sqlite3_column_int64(st, 4) > 0);
      assert_true(sqlite3_column_type(st, 9) != SQLITE_NULL);
      assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM adl WHERE position_id IS NOT NULL"),
                       sqlite3_column_int64(st, 4));
      assert_int_equal(liq_test_query_int(h, "SELECT abs(sum(haircut) - (SELECT haircut FROM summary))"
                                    " < 1e-6 * (SELECT haircut FROM summary) FROM adl"), 1);
      assert_int_equal(liq_test_query_int(h, "SELECT abs(sum(haircut) - (SELECT haircut FROM summary))"
                                    " < 1e-6 * (SELECT haircut FROM summary) FROM steps"), 1);
    } else if (strcmp(names[i], "funding") == 0) {
      assert_true(sqlite3_column_double(st, 7) > 0.0);
      /* 08:00, 16:00, 24:00 and the event at the first open (00:00) */
      assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM steps WHERE funding != 0"), 4);
    } else if (strcmp(names[i], "topup") == 0) {
      assert_true(sqlite3_column_int64(st, 6) > 0);
    } else {
      assert_true(sqlite3_column_int64(st, 8) > 0);
      assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM liquidations"
                                    " WHERE share > 0 AND share < 1"),
                       sqlite3_column_int64(st, 8));
    }
    sqlite3_finalize(st);
    /* Distances are stored beside cushions, and both are ordered. */
    assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM steps WHERE distance_q01 > distance_q50"
                                  " OR cushion_q01 > cushion_q50"), 0);
    sqlite3_close(h);
  }
}

/* A second run into the same database appends run_id 2. */
static void test_runs_append(void **state) {
  fixture *fx = *state;
  char db[1024];
  sqlite3 *h;
  snprintf(db, sizeof db, "%s/append.db", fx->dir);
  {
    const char *args[] = { "run", DEFAULT_CFG, "--set", SMALL_BOOK, "--quiet",
                           "--out", db, NULL };
    liqsim_ok(fx, args);
    liqsim_ok(fx, args);
  }
  h = liq_test_open_db(db);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM runs"), 2);
  assert_int_equal(liq_test_query_int(h, "SELECT min(run_id) FROM runs"), 1);
  assert_int_equal(liq_test_query_int(h, "SELECT max(run_id) FROM runs"), 2);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM summary"), 2);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM runs WHERE status='done'"), 2);
  sqlite3_close(h);
}

/* --seed N is the seed stored; the scenario's seed otherwise. */
static void test_seed_stored(void **state) {
  fixture *fx = *state;
  char db[1024];
  sqlite3 *h;
  snprintf(db, sizeof db, "%s/seed.db", fx->dir);
  {
    const char *a1[] = { "run", DEFAULT_CFG, "--set", SMALL_BOOK, "--seed", "7",
                         "--quiet", "--out", db, NULL };
    const char *a2[] = { "run", DEFAULT_CFG, "--set", SMALL_BOOK, "--quiet",
                         "--out", db, NULL };
    liqsim_ok(fx, a1);
    liqsim_ok(fx, a2);
  }
  h = liq_test_open_db(db);
  assert_int_equal(liq_test_query_int(h, "SELECT seed FROM runs WHERE run_id=1"), 7);
  assert_int_equal(liq_test_query_int(h, "SELECT seed FROM runs WHERE run_id=2"), 42);
  sqlite3_close(h);
}

/* --set overrides are stored in runs.params (JSON). */
static void test_params_stored(void **state) {
  fixture *fx = *state;
  char db[1024];
  char *params;
  sqlite3 *h;
  snprintf(db, sizeof db, "%s/params.db", fx->dir);
  {
    const char *args[] = { "run", DEFAULT_CFG, "--set", SMALL_BOOK, "--set",
                           "margin.maintenance=0.004", "--quiet", "--out", db,
                           NULL };
    liqsim_ok(fx, args);
  }
  h = liq_test_open_db(db);
  params = query_text(h, "SELECT params FROM runs WHERE run_id=1");
  assert_non_null(params);
  if (strstr(params, "maintenance") == NULL || strstr(params, "0.004") == NULL ||
      strstr(params, "positions") == NULL || strstr(params, "2000") == NULL) {
    print_error("runs.params = %s\n", params);
    fail();
  }
  free(params);
  /* The scenario text is stored as provenance. */
  params = query_text(h, "SELECT scenario_text FROM runs WHERE run_id=1");
  assert_non_null(params);
  assert_non_null(strstr(params, "name"));
  free(params);
  sqlite3_close(h);
}

/* stats.positions (default for books up to 10^6): the book as run, so that
** liquidations join leverage and entry; liquidation prices match the
** liquidations' own; stats.positions = false stores none.  Known keys the
** model does not use are stored in runs.warnings. */
static void test_positions_and_warnings_stored(void **state) {
  fixture *fx = *state;
  char db[1024];
  char *warn;
  sqlite3 *h;
  snprintf(db, sizeof db, "%s/positions.db", fx->dir);
  {
    const char *a1[] = { "run", DEFAULT_CFG, "--set", "book.positions=25000", "--quiet",
                         "--out", db, NULL };
    const char *a2[] = { "run", DEFAULT_CFG, "--set", SMALL_BOOK, "--set",
                         "stats.positions=false", "--set", "impact.model=none",
                         "--quiet", "--out", db, NULL };
    liqsim_ok(fx, a1);
    liqsim_ok(fx, a2);
  }
  h = liq_test_open_db(db);
  /* more than one row batch (20,000 rows) */
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM positions WHERE run_id=1"), 25000);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM positions WHERE run_id=2"), 0);
  assert_true(liq_test_query_int(h, "SELECT count(*) FROM liquidations WHERE run_id=1") > 0);
  /* every liquidation joins its position; whole closes at its liquidation price */
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM liquidations l LEFT JOIN positions p"
                                " ON p.run_id = l.run_id AND p.position_id = l.position_id"
                                " WHERE l.run_id = 1 AND p.position_id IS NULL"), 0);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM liquidations l JOIN positions p"
                                " USING(run_id, position_id) WHERE run_id = 1 AND"
                                " abs(l.bankruptcy_price - p.bankruptcy_price) >"
                                " 1e-9 * p.bankruptcy_price"), 0);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM positions WHERE run_id = 1 AND"
                                " abs(collateral * leverage - qty * entry) > 1e-9 * qty * entry"),
                   0);
  assert_true(liq_test_query_int(h, "SELECT warnings IS NULL FROM runs WHERE run_id=1"));
  warn = query_text(h, "SELECT warnings FROM runs WHERE run_id=2");
  assert_non_null(warn);
  assert_non_null(strstr(warn, "impact.daily_volume is not used when model is none"));
  free(warn);
  sqlite3_close(h);
}

/* 'liqsim report' reads the database and names the scenario. */
static void test_report(void **state) {
  fixture *fx = *state;
  char db[1024];
  char *out;
  snprintf(db, sizeof db, "%s/report.db", fx->dir);
  {
    const char *run[] = { "run", DEFAULT_CFG, "--set", SMALL_BOOK, "--quiet",
                          "--out", db, NULL };
    const char *rep[] = { "report", db, NULL };
    const char *rep1[] = { "report", db, "--run", "1", NULL };
    const char *rep99[] = { "report", db, "--run", "99", NULL };
    liqsim_ok(fx, run);
    liqsim_ok(fx, rep);
    out = liq_test_slurp(fx->out);
    assert_non_null(strstr(out, "default"));
    free(out);
    liqsim_ok(fx, rep1);
    out = liq_test_slurp(fx->out);
    assert_non_null(strstr(out, "default"));
    free(out);
    assert_int_equal(liqsim(fx, rep99), 2);
    out = liq_test_slurp(fx->err);
    assert_non_null(strstr(out, "liqsim: "));
    free(out);
  }
}

/* Without --quiet a run prints one result line with its run id. */
static void test_result_line(void **state) {
  fixture *fx = *state;
  char db[1024];
  char *out;
  const char *p;
  int lines = 0;
  snprintf(db, sizeof db, "%s/line.db", fx->dir);
  {
    const char *run[] = { "run", DEFAULT_CFG, "--set", SMALL_BOOK, "--out", db,
                          NULL };
    liqsim_ok(fx, run);
  }
  out = liq_test_slurp(fx->out);
  assert_non_null(strstr(out, "run 1 "));
  assert_non_null(strstr(out, "liquidated"));
  for (p = out; *p; p++)
    if (*p == '\n') lines++;
  assert_int_equal(lines, 1);
  free(out);
}

/* Same scenario and seed: identical summaries and step rows. */
static void test_deterministic(void **state) {
  fixture *fx = *state;
  char db[1024];
  sqlite3 *h;
  sqlite3_stmt *a, *b;
  int i, n;
  snprintf(db, sizeof db, "%s/determinism.db", fx->dir);
  {
    const char *args[] = { "run", DEFAULT_CFG, "--set", SMALL_BOOK, "--seed",
                           "11", "--quiet", "--out", db, NULL };
    liqsim_ok(fx, args);
    liqsim_ok(fx, args);
  }
  h = liq_test_open_db(db);
  a = prepare(h, "SELECT * FROM summary WHERE run_id=1");
  b = prepare(h, "SELECT * FROM summary WHERE run_id=2");
  assert_int_equal(sqlite3_step(a), SQLITE_ROW);
  assert_int_equal(sqlite3_step(b), SQLITE_ROW);
  n = sqlite3_column_count(a);
  for (i = 0; i < n; i++) {
    const char *col = sqlite3_column_name(a, i);
    if (strcmp(col, "run_id") == 0) continue;
    assert_int_equal(sqlite3_column_type(a, i), sqlite3_column_type(b, i));
    if (sqlite3_column_type(a, i) == SQLITE_FLOAT &&
        sqlite3_column_double(a, i) != sqlite3_column_double(b, i)) {
      print_error("summary.%s differs: %.17g vs %.17g\n", col,
                  sqlite3_column_double(a, i), sqlite3_column_double(b, i));
      fail();
    }
    if (sqlite3_column_type(a, i) == SQLITE_INTEGER)
      assert_int_equal(sqlite3_column_int64(a, i), sqlite3_column_int64(b, i));
  }
  sqlite3_finalize(a);
  sqlite3_finalize(b);
  /* Step rows and liquidation rows match one for one. */
  assert_int_equal(liq_test_query_int(h,
    "SELECT count(*) FROM steps s1 JOIN steps s2 ON s1.step = s2.step "
    "WHERE s1.run_id = 1 AND s2.run_id = 2 AND (s1.price IS NOT s2.price "
    "OR s1.liquidations IS NOT s2.liquidations OR s1.bad_debt IS NOT s2.bad_debt "
    "OR s1.insurance_fund IS NOT s2.insurance_fund)"), 0);
  assert_int_equal(liq_test_query_int(h, "SELECT count(*) FROM steps WHERE run_id=1"),
                   liq_test_query_int(h, "SELECT count(*) FROM steps WHERE run_id=2"));
  assert_int_equal(
    liq_test_query_int(h, "SELECT count(*) FROM liquidations WHERE run_id=1"),
    liq_test_query_int(h, "SELECT count(*) FROM liquidations WHERE run_id=2"));
  sqlite3_close(h);
}

/* FNV-1a 64 over the bytes of v. */
static uint64_t fnv1a(uint64_t h, const void *v, size_t n) {
  const unsigned char *b = v;
  size_t i;
  for (i = 0; i < n; i++) {
    h ^= b[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* price.substeps = 1 is the engine from before sub-steps existed: a small
** replay (tests/data/golden_k1.cfg: 40 one-minute bars of 2021-05-19
** through the day's low, a fixed 400-position book file) liquidates the
** same positions at the same prices, to the bit, as liqsim at commit
** 1af7312 (before price.substeps).  The checksum hashes every liquidation
** row's (step, round, position_id) and the bits of (qty, price, loss,
** share), in that order; it was recorded from that commit's build. */
static void test_substeps_one_is_the_old_engine(void **state) {
  static const char *const sets[] = { "price.substeps=1", "seed=7" };
  fixture *fx = *state;
  char db[1024];
  size_t s;
  snprintf(db, sizeof db, "%s/golden.db", fx->dir);
  for (s = 0; s < sizeof sets / sizeof *sets; s++) {
    const char *args[] = { "run", LIQ_SOURCE_DIR "/tests/data/golden_k1.cfg", "--set",
                           sets[s], "--quiet", "--out", db, NULL };
    sqlite3 *h;
    sqlite3_stmt *st;
    uint64_t sum = 0xcbf29ce484222325ULL;
    int rows = 0, c;
    char *bad;
    remove(db);
    liqsim_ok(fx, args);
    h = liq_test_open_db(db);
    st = prepare(h, "SELECT step, round, position_id, qty, price, loss, share "
                    "FROM liquidations WHERE run_id = 1 "
                    "ORDER BY step, round, position_id");
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (c = 0; c < 3; c++) {
        int64_t v = sqlite3_column_int64(st, c);
        sum = fnv1a(sum, &v, sizeof v);
      }
      for (c = 3; c < 7; c++) {
        double v = sqlite3_column_double(st, c);
        sum = fnv1a(sum, &v, sizeof v);
      }
      rows++;
    }
    sqlite3_finalize(st);
    bad = query_text(h, "SELECT printf('%.2f', bad_debt) FROM summary WHERE run_id = 1");
    assert_string_equal(bad, "26582.48");
    free(bad);
    sqlite3_close(h);
    assert_int_equal(rows, 208);
    if (sum != 0x4ca8708c94b5d11bULL) {
      print_error("%s: liquidations checksum 0x%016llx, at 1af7312 0x4ca8708c94b5d11b\n",
                  sets[s], (unsigned long long)sum);
      fail();
    }
  }
}

/* A run that fails on bad input leaves no database behind and exits 2. */
static void test_bad_input_no_db(void **state) {
  fixture *fx = *state;
  char db[1024];
  struct stat sb;
  char *err;
  snprintf(db, sizeof db, "%s/never.db", fx->dir);
  {
    const char *args[] = { "run", DEFAULT_CFG, "--set", "margin.maintenance=2",
                           "--out", db, NULL };
    assert_int_equal(liqsim(fx, args), 2);
  }
  err = liq_test_slurp(fx->err);
  assert_non_null(strstr(err, "liqsim: --set:1: "));
  free(err);
  assert_int_not_equal(stat(db, &sb), 0);
}

/*
** Used to: the funding file was only read by the engine, so `liqsim
** check` said ok for a funding file that `liqsim run` rejected (exit 2 at
** fund_bad.csv:2).  Now check builds the funding schedule too.
*/
static void test_check_reads_funding_file(void **state) {
  char dir[256], csv[512], fund[512], cfg[512], text[4096];
  const char *args[] = {"check", cfg, NULL};
  liq_test_cli_result r;
  (void)state;
  liq_test_temp_dir("liqsim-cli", dir, sizeof dir);
  snprintf(csv, sizeof csv, "%s/cli_ok.csv", LIQ_TEST_DATA);
  liq_test_write_text(dir, "fund_bad.csv", "calc_time,interval,rate\n1700000100000,8,0.5\n",
             fund, sizeof fund);
  snprintf(text, sizeof text,
           "name = \"f\";\n"
           "price = { model = \"replay\"; file = \"%s\"; };\n" LIQ_TEST_BOOK_MARGIN
           "funding = { file = \"%s\"; };\n", csv, fund);
  liq_test_write_text(dir, "fund.cfg", text, cfg, sizeof cfg);
  r = liq_test_cli(dir, 20.0, args);
  liq_test_print_cli("check with a bad funding file", &r);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_at(r.err, "fund_bad.csv", 2));
}

/*
** Used to: `liqsim fit` printed a section `check` rejected: four
** 1-second bars moving ~1 % fit volatility = 60.3, and the validator took
** [0, 10].  Now price.volatility takes [0, 100] (the fit marks anything
** above with a comment), and the drift, huge per year for such bars, is
** bounded against the run's length only: the pasted section loads.
*/
static void test_fit_section_loads(void **state) {
  char dir[256], csv[512], cfg[512], *text;
  const char *fit_args[] = {"fit", csv, "--model", "gbm", NULL};
  const char *check_args[] = {"check", cfg, NULL};
  liq_test_cli_result r;
  size_t n;
  (void)state;
  liq_test_temp_dir("liqsim-cli", dir, sizeof dir);
  liq_test_write_text(dir, "fast.csv",
             "1700000000,100\n1700000001,101\n1700000002,100\n1700000003,101.5\n",
             csv, sizeof csv);
  r = liq_test_cli(dir, 20.0, fit_args);
  liq_test_print_cli("fit fast.csv", &r);
  assert_int_equal(r.code, 0);
  n = strlen(r.out);
  text = malloc(n + 512);
  assert_non_null(text);
  snprintf(text, n + 512, "%s\nname = \"fitted\";\nsteps = 10;\n" LIQ_TEST_BOOK_MARGIN, r.out);
  liq_test_write_text(dir, "fitted.cfg", text, cfg, sizeof cfg);
  free(text);
  r = liq_test_cli(dir, 20.0, check_args);
  liq_test_print_cli("check the fitted section", &r);
  assert_int_equal(r.code, 0);
}

/* Deep nesting, NUL bytes, directories, /dev/null. */
static void test_hostile_scenario_files_cli(void **state) {
  char dir[256], cfg[512];
  const char *args[] = {"check", cfg, NULL};
  size_t n = 20000, i;
  char *text = malloc(4 * n + 64), *z;
  liq_test_cli_result r;
  (void)state;
  assert_non_null(text);
  liq_test_temp_dir("liqsim-cli", dir, sizeof dir);
  z = text + sprintf(text, "x = ");
  for (i = 0; i < n; i++) z += sprintf(z, "{a=");
  sprintf(z, "1;");
  liq_test_write_text(dir, "deep.cfg", text, cfg, sizeof cfg);
  free(text);
  r = liq_test_cli(dir, 20.0, args);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_in(r.err, "deep.cfg"));

  liq_test_write_file(dir, "nul.cfg", "name = \"a\";\n\0x", 14, cfg, sizeof cfg);
  r = liq_test_cli(dir, 20.0, args);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_in(r.err, "nul.cfg"));

  snprintf(cfg, sizeof cfg, "%s", dir);
  r = liq_test_cli(dir, 20.0, args);
  assert_int_equal(r.code, 2);
  assert_non_null(strstr(r.err, "liqsim: "));

  snprintf(cfg, sizeof cfg, "/dev/null");
  r = liq_test_cli(dir, 20.0, args);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_in(r.err, "/dev/null"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_shipped_scenarios_run, setup, teardown),
    cmocka_unit_test_setup_teardown(test_runs_append, setup, teardown),
    cmocka_unit_test_setup_teardown(test_exchange_rule_rows, setup, teardown),
    cmocka_unit_test_setup_teardown(test_seed_stored, setup, teardown),
    cmocka_unit_test_setup_teardown(test_params_stored, setup, teardown),
    cmocka_unit_test_setup_teardown(test_positions_and_warnings_stored, setup, teardown),
    cmocka_unit_test_setup_teardown(test_report, setup, teardown),
    cmocka_unit_test_setup_teardown(test_result_line, setup, teardown),
    cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
    cmocka_unit_test_setup_teardown(test_substeps_one_is_the_old_engine, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bad_input_no_db, setup, teardown),
    cmocka_unit_test(test_check_reads_funding_file),
    cmocka_unit_test(test_fit_section_loads),
    cmocka_unit_test(test_hostile_scenario_files_cli),
  };
  return cmocka_run_group_tests(tests, NULL, liq_test_remove_temp_dirs);
}
