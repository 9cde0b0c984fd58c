/*
** test_step_every.c: with stats.every = k a stored step row carries the
** flows of every step since the previous stored row (liq_stats_step_fold()),
** so the sums over the stored rows equal the summary for every k.
**
** Each case runs a shipped scenario (funding, ADL, top-ups, partial
** liquidations) through the store sink into a temporary database, as
** `liqsim run` does, and compares SQL sums over `steps` with `summary`.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "test_util.h"

#include "liq_engine.h"
#include "liq_inputs.h"
#include "liq_scenario.h"
#include "liq_store.h"

#define SCEN(name) LIQ_SOURCE_DIR "/scenarios/" name

static double query_double(sqlite3 *h, const char *sql) {
  sqlite3_stmt *s = NULL;
  double v;
  if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
    print_error("%s: %s\n", sql, sqlite3_errmsg(h));
    fail();
  }
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  v = sqlite3_column_type(s, 0) == SQLITE_NULL ? (double)NAN
                                               : sqlite3_column_double(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* Run 'cfg' with stats.every = every (and a small book) into 'db';
** returns the number of steps of its path. */
static size_t run_into(const char *cfg, const char *extra, int every,
                       const char *db) {
  char every_set[64];
  liq_override ov[4];
  liq_scenario *sc = NULL;
  liq_path *path = NULL;
  liq_book *book = NULL;
  liq_store *st = NULL;
  liq_store_sink_ctx ctx;
  liq_sink sink;
  liq_summary sm;
  liq_err err;
  int64_t run_id = 0;
  size_t n;

  snprintf(every_set, sizeof every_set, "stats.every=%d", every);
  ov[0].assignment = "book.positions=4000";
  ov[1].assignment = every_set;
  ov[2].assignment = "stats.events=false";
  ov[3].assignment = extra;
  liq_err_clear(&err);
  assert_liq_ok(liq_scenario_load(cfg, ov, extra ? 4 : 3, &sc, &err), &err);
  assert_liq_ok(liq_inputs_build(sc, 0, &path, &book, &err), &err);
  assert_liq_ok(liq_store_open(db, &st, &err), &err);
  assert_liq_ok(liq_store_begin_run(st, sc, sc->seed, &run_id, &err), &err);
  ctx.st = st;
  ctx.sc = sc;
  ctx.n_steps = path->n;
  sink = liq_store_sink(&ctx);
  memset(&sm, 0, sizeof sm);
  assert_liq_ok(liq_engine_run(sc, path, book, &sink, &sm, &err), &err);
  assert_liq_ok(liq_store_finish_run(st, &sm, &err), &err);
  n = path->n;
  liq_store_close(st);
  liq_book_free(book);
  liq_path_free(path);
  liq_scenario_free(sc);
  return n;
}

/* sum(steps.col) of run 'id' against summary.scol, relative 1e-9. */
static void check_sum(sqlite3 *h, int id, const char *agg, const char *col,
                      const char *scol) {
  char sql[512];
  double a, b;
  snprintf(sql, sizeof sql, "SELECT %s(%s) FROM steps WHERE run_id=%d", agg, col, id);
  a = query_double(h, sql);
  snprintf(sql, sizeof sql, "SELECT %s FROM summary WHERE run_id=%d", scol, id);
  b = query_double(h, sql);
  if (!(fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b))))) {
    print_error("run %d: %s(steps.%s) = %.17g, summary.%s = %.17g\n", id, agg,
                col, a, scol, b);
    fail();
  }
}

/* What makes the scenario worth testing happened: a test of sums that are
** all zero could not fail. */
static void check_nonvacuous(sqlite3 *h, const char *what) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT %s FROM summary WHERE run_id=1", what);
  if (!(query_double(h, sql) != 0.0)) {
    print_error("summary.%s is 0 on this scenario\n", what);
    fail();
  }
}

/* 'extra': one more --set, or NULL. */
static void check_scenario(const char *cfg, const char *extra, const char *needs) {
  static const int every[] = { 1, 2, 3, 7, 60, 1439, 1440, 5000 };
  size_t k, n = 0;
  char db[512];
  sqlite3 *h;
  liq_test_write_temp("", ".db", db, sizeof db);
  remove(db);
  for (k = 0; k < sizeof every / sizeof every[0]; k++) n = run_into(cfg, extra, every[k], db);
  assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  check_nonvacuous(h, "liquidated");
  check_nonvacuous(h, needs);
  for (k = 0; k < sizeof every / sizeof every[0]; k++) {
    int id = (int)k + 1;
    size_t e = (size_t)every[k];
    /* every e-th step from 0, plus the last step when it is not one. */
    size_t rows = (n + e - 1) / e + ((n - 1) % e != 0);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM steps WHERE run_id=%d", id);
    assert_int_equal((size_t)query_double(h, sql), rows);
    snprintf(sql, sizeof sql, "SELECT max(step) FROM steps WHERE run_id=%d", id);
    assert_int_equal((size_t)query_double(h, sql), n - 1);
    check_sum(h, id, "sum", "liquidations", "liquidated");
    check_sum(h, id, "sum", "liquidations_long", "liquidated_long");
    check_sum(h, id, "sum", "liquidations_short", "liquidated_short");
    check_sum(h, id, "sum", "liquidated_notional", "liquidated_notional");
    check_sum(h, id, "sum", "fees", "fees");
    check_sum(h, id, "sum", "bad_debt", "bad_debt");
    check_sum(h, id, "sum", "uncovered_loss", "uncovered_loss");
    check_sum(h, id, "sum", "partial_liquidations", "partial_liquidations");
    check_sum(h, id, "sum", "funding", "funding_long");
    check_sum(h, id, "sum", "funding_short", "funding_short");
    check_sum(h, id, "sum", "topups", "topups");
    check_sum(h, id, "sum", "topup_collateral", "topup_collateral");
    check_sum(h, id, "sum", "adl_count", "adl_count");
    check_sum(h, id, "sum", "adl_notional", "adl_notional");
    check_sum(h, id, "sum", "haircut", "haircut");
    check_sum(h, id, "max", "margin_calls", "margin_calls");
    check_sum(h, id, "max", "cascade_rounds", "max_cascade_rounds");
    check_sum(h, id, "min", "price_low", "min_price");
    check_sum(h, id, "max", "price_high", "max_price");
    /* Levels are the stored step's own: the same as in the every = 1 run. */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM steps a JOIN steps b ON a.step = b.step"
             " WHERE a.run_id=%d AND b.run_id=1 AND (a.price IS NOT b.price"
             " OR a.insurance_fund IS NOT b.insurance_fund"
             " OR a.open_interest_long IS NOT b.open_interest_long"
             " OR a.cushion_q50 IS NOT b.cushion_q50)", id);
    assert_int_equal((size_t)query_double(h, sql), 0);
  }
  sqlite3_close(h);
  remove(db);
}

static void test_every_funding(void **state) {
  (void)state;
  check_scenario(SCEN("funding.cfg"), NULL, "funding_long");
}

static void test_every_adl(void **state) {
  (void)state;
  check_scenario(SCEN("adl.cfg"), "insurance.fund=100", "adl_count");
}

static void test_every_topup(void **state) {
  (void)state;
  check_scenario(SCEN("topup.cfg"), NULL, "topups");
}

static void test_every_partial(void **state) {
  (void)state;
  check_scenario(SCEN("partial-chunk.cfg"), NULL, "partial_liquidations");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_funding),
    cmocka_unit_test(test_every_adl),
    cmocka_unit_test(test_every_topup),
    cmocka_unit_test(test_every_partial),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
