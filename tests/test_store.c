/*
** test_store.c: the SQLite results database (core/store.c).
**
** Each test writes into a fresh temporary database through liq_store_*
** and reads it back with plain sqlite3 calls, the way a researcher would.
** Scenarios are filled by hand so the tests need no scenario files.
*/
#define _POSIX_C_SOURCE 200809L   /* open_memstream */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "liq_store.h"
#include "store_int.h"   /* liq_store_adl */
#include "liq_test_support.h"

/*
************************************************************************
** Fixtures
************************************************************************
*/

typedef struct fixture {
  char path[512];              /* the database file */
  liq_scenario *sc;
} fixture;

static char zScenarioText[] = "name = \"store-test\";\nseed = 7;\n";
static char zParams[] = "{\"margin.initial\":0.02}";

/* A scenario as liq_scenario_load() would return it, filled by hand. */
static liq_scenario *make_scenario(void) {
  liq_scenario *sc = calloc(1, sizeof *sc);
  assert_non_null(sc);
  snprintf(sc->name, sizeof sc->name, "store-test");
  sc->seed = 7;
  sc->steps = 10;
  sc->step_seconds = 60.0;
  sc->book.positions = 1000;
  sc->stats.n_quantiles = 4;
  sc->stats.quantiles[0] = 0.01;
  sc->stats.quantiles[1] = 0.05;
  sc->stats.quantiles[2] = 0.25;
  sc->stats.quantiles[3] = 0.5;
  sc->stats.every = 1;
  sc->stats.steps = 1;
  sc->stats.events = 1;
  sc->text = zScenarioText;                 /* not freed: static */
  snprintf(sc->path, sizeof sc->path, "scenarios/store-test.cfg");
  sc->params_json = zParams;
  return sc;
}

static void remove_db(const char *path) {
  char z[600];
  remove(path);
  snprintf(z, sizeof z, "%s-wal", path);
  remove(z);
  snprintf(z, sizeof z, "%s-shm", path);
  remove(z);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  /* A unique name; SQLite takes an empty file as an empty database, but
  ** start from no file at all like a first run does. */
  liq_test_write_temp("", ".db", f->path, sizeof f->path);
  remove(f->path);
  f->sc = make_scenario();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  remove_db(f->path);
  free(f->sc);
  free(f);
  return 0;
}

static liq_step_row make_step(size_t step, size_t nq) {
  liq_step_row r;
  size_t i;
  memset(&r, 0, sizeof r);
  r.step = step;
  r.t_ms = 1700000000000LL + (int64_t)step * 60000;
  r.price = 30000.0 - 100.0 * (double)step;
  r.price_exogenous = 30000.0 - 90.0 * (double)step;
  r.price_low = r.price - 12.5;
  r.price_high = r.price + 12.5;
  r.liquidations = step * 3;
  r.liquidations_long = step * 2;
  r.liquidations_short = step;
  r.liquidated_notional = 12345.678 * (double)step;
  r.cascade_rounds = (int)(step % 4);
  r.margin_calls = 17;
  r.insurance_fund = 5.0e7 - 10.0 * (double)step;
  r.fees = 61.728;
  r.bad_debt = 2.385;
  r.uncovered_loss = 0.0;
  r.open_interest_long = 6.0e8;
  r.open_interest_short = 4.0e8;
  r.open_long = 600 - step;
  r.open_short = 400;
  r.n_quantiles = nq;
  for (i = 0; i < nq; i++) r.cushion[i] = 0.1 * (double)(i + 1);
  return r;
}

static liq_liquidation_row make_liq(size_t step, size_t id, int side) {
  liq_liquidation_row r;
  memset(&r, 0, sizeof r);
  r.step = step;
  r.round = 2;
  r.position_id = id;
  r.side = side;
  r.qty = 0.5;
  r.price = 29000.25;
  r.trigger_price = 29010.0;
  r.liquidation_price = 29050.0;
  r.bankruptcy_price = 28900.0;
  r.equity = 70.125;
  r.fee = 72.5;
  r.loss = 0.0;
  r.returned = 0.0;
  return r;
}

static liq_summary make_summary(void) {
  liq_summary s;
  memset(&s, 0, sizeof s);
  s.positions = 1000;
  s.liquidated = 123;
  s.liquidated_long = 100;
  s.liquidated_short = 23;
  s.liquidated_notional = 1234567890.4;
  s.margin_calls = 45;
  s.bad_debt = 2385.5;
  s.uncovered_loss = 0.0;
  s.fees = 617283.9;
  s.insurance_fund_start = 5.0e7;
  s.insurance_fund_end = 5.05e7;
  s.insurance_fund_min = 4.9e7;
  s.max_cascade_rounds = 3;
  s.start_price = 30000.0;
  s.min_price = 27000.0;
  s.max_price = 30100.0;
  s.min_price_exogenous = 28000.0;
  s.max_price_exogenous = 30050.0;
  s.drawdown = 0.1;
  s.drawdown_exogenous = 0.08;
  s.impact_at_low = log(27000.0 / 28000.0);
  s.impact_at_high = log(30100.0 / 30050.0);
  s.forced_share_of_fall = s.impact_at_low / log(27000.0 / 30000.0);
  s.forced_share_of_rise = s.impact_at_high / log(30100.0 / 30000.0);
  s.counterfactual = 1;
  s.liquidated_without_impact = 100;
  s.liquidated_notional_without_impact = 1.0e9;
  s.bad_debt_without_impact = 1000.5;
  s.steps = 10;
  s.collateral = 1.0e6;
  s.pnl_closed = -3.0e5;
  s.pnl_open = 1.0e4;
  s.returned = 2.0e5;
  s.open_equity = 7.1e5;
  return s;
}

/*
************************************************************************
** Reading back with plain sqlite3
************************************************************************
*/

static sqlite3 *open_raw(const char *path) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  return db;
}

/* The single value of a query as text, copied into buf ("<NULL>"). */
static const char *query_text(sqlite3 *db, const char *sql, char *buf,
                              size_t size) {
  sqlite3_stmt *p = NULL;
  const unsigned char *z;
  if (sqlite3_prepare_v2(db, sql, -1, &p, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  assert_int_equal(sqlite3_step(p), SQLITE_ROW);
  z = sqlite3_column_text(p, 0);
  snprintf(buf, size, "%s", z ? (const char *)z : "<NULL>");
  sqlite3_finalize(p);
  return buf;
}

/* Write one complete run: 'nSteps' steps, two liquidations per step > 0. */
static int64_t store_run(liq_store *st, const liq_scenario *sc, size_t nSteps) {
  liq_err err;
  liq_summary sm = make_summary();
  int64_t run_id = 0;
  size_t i;
  liq_err_clear(&err);
  assert_liq_ok(liq_store_begin_run(st, sc, sc->seed, &run_id, &err), &err);
  for (i = 0; i < nSteps; i++) {
    liq_step_row r = make_step(i, sc->stats.n_quantiles);
    assert_liq_ok(liq_store_step(st, &r, &err), &err);
    if (i > 0) {
      liq_liquidation_row a = make_liq(i, 10 * i, +1);
      liq_liquidation_row b = make_liq(i, 10 * i + 1, -1);
      assert_liq_ok(liq_store_liquidation(st, &a, &err), &err);
      assert_liq_ok(liq_store_liquidation(st, &b, &err), &err);
    }
  }
  assert_liq_ok(liq_store_finish_run(st, &sm, &err), &err);
  return run_id;
}

/*
************************************************************************
** Tests
************************************************************************
*/

static void test_store_run_roundtrip(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  liq_summary sm = make_summary();
  liq_step_row r0, r1, r2;
  liq_liquidation_row l1, l2;
  liq_adl_row a1 = { 2, 1, 7, -1, 0.5, 90.0, 0.25, 2.5, 1.5 };
  liq_adl_row a2 = { 2, 1, (size_t)-1, -1, 0.0, 85.0, 0.0, 4.0, NAN };
  int64_t run_id = 0;
  sqlite3 *db;
  char buf[256];

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_liq_ok(liq_store_begin_run(st, f->sc, 42, &run_id, &err), &err);
  assert_int_equal(run_id, 1);

  /* The runs row is visible to other connections before any row is. */
  db = open_raw(f->path);
  assert_string_equal(query_text(db, "SELECT status FROM runs", buf,
                                 sizeof buf), "running");
  sqlite3_close(db);

  r0 = make_step(0, 4);
  r1 = make_step(1, 4);
  r2 = make_step(2, 4);
  r1.cushion[1] = NAN;                       /* no open position: NULL */
  r2.price_low = NAN;
  assert_liq_ok(liq_store_step(st, &r0, &err), &err);
  assert_liq_ok(liq_store_step(st, &r1, &err), &err);
  assert_liq_ok(liq_store_step(st, &r2, &err), &err);
  l1 = make_liq(1, 5, +1);
  l2 = make_liq(2, 6, -1);
  l2.loss = 12.5;
  assert_liq_ok(liq_store_liquidation(st, &l1, &err), &err);
  assert_liq_ok(liq_store_liquidation(st, &l2, &err), &err);
  /* an ADL close at the bankruptcy price, and a charge to the whole short
  ** side (position_id NULL) */
  assert_liq_ok(liq_store_adl(st, &a1, &err), &err);
  assert_liq_ok(liq_store_adl(st, &a2, &err), &err);
  sm.forced_share_of_rise = NAN;
  sm.counterfactual = 0;
  assert_liq_ok(liq_store_finish_run(st, &sm, &err), &err);
  liq_store_close(st);

  db = open_raw(f->path);
  assert_string_equal(query_text(db, "PRAGMA journal_mode", buf, sizeof buf),
                      "wal");
  assert_string_equal(query_text(db, "SELECT value FROM meta WHERE key ="
                                     " 'schema_version'", buf, sizeof buf),
                      "3");
  /* runs */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM runs"), 1);
  assert_string_equal(query_text(db, "SELECT status FROM runs", buf,
                                 sizeof buf), "done");
  assert_string_equal(query_text(db, "SELECT scenario_name FROM runs", buf,
                                 sizeof buf), "store-test");
  assert_string_equal(query_text(db, "SELECT params FROM runs", buf,
                                 sizeof buf), zParams);
  assert_string_equal(query_text(db, "SELECT scenario_text FROM runs", buf,
                                 sizeof buf), zScenarioText);
  assert_string_equal(query_text(db, "SELECT scenario_path FROM runs", buf,
                                 sizeof buf), "scenarios/store-test.cfg");
  assert_int_equal(liq_test_query_int(db, "SELECT length(version) > 0 AND"
                                 " version <> 'unknown' FROM runs"), 1);
  assert_int_equal(liq_test_query_int(db, "SELECT seed FROM runs"), 42);
  assert_int_equal(liq_test_query_int(db, "SELECT steps FROM runs"), 10);
  assert_int_equal(liq_test_query_int(db, "SELECT positions FROM runs"), 1000);
  assert_int_equal(liq_test_query_int(db, "SELECT sweep_id IS NULL AND task_id IS NULL"
                                 " AND error IS NULL FROM runs"), 1);
  assert_int_equal(liq_test_query_int(db, "SELECT started_at LIKE '____-__-__T__:__:__.___Z'"
                                 " AND finished_at >= started_at FROM runs"), 1);
  /* steps */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 1"),
                   3);
  assert_int_equal(liq_test_query_int(db, "SELECT t_ms FROM steps WHERE step = 2"),
                   1700000120000LL);
  assert_rel(liq_test_query_double(db, "SELECT price FROM steps WHERE step = 2"),
             29800.0, 0.0);
  assert_rel(liq_test_query_double(db, "SELECT liquidated_notional FROM steps"
                              " WHERE step = 1"), 12345.678, 0.0);
  assert_int_equal(liq_test_query_int(db, "SELECT liquidations_long FROM steps"
                                 " WHERE step = 2"), 4);
  assert_int_equal(liq_test_query_int(db, "SELECT cascade_rounds FROM steps"
                                 " WHERE step = 2"), 2);
  assert_int_equal(liq_test_query_int(db, "SELECT open_long FROM steps WHERE step = 2"),
                   598);
  assert_int_equal(liq_test_query_int(db, "SELECT price_low IS NULL FROM steps"
                                 " WHERE step = 2"), 1);
  assert_int_equal(liq_test_query_int(db, "SELECT cushion_q05 IS NULL FROM steps"
                                 " WHERE step = 1"), 1);
  assert_rel(liq_test_query_double(db, "SELECT cushion_q05 FROM steps WHERE step = 2"),
             0.2, 0.0);
  assert_rel(liq_test_query_double(db, "SELECT cushion_q50 FROM steps WHERE step = 0"),
             0.4, 0.0);
  /* liquidations */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"), 2);
  assert_string_equal(query_text(db, "SELECT side FROM liquidations WHERE"
                                     " position_id = 5", buf, sizeof buf),
                      "long");
  assert_string_equal(query_text(db, "SELECT side FROM liquidations WHERE"
                                     " position_id = 6", buf, sizeof buf),
                      "short");
  assert_rel(liq_test_query_double(db, "SELECT loss FROM liquidations WHERE"
                              " position_id = 6"), 12.5, 0.0);
  assert_rel(liq_test_query_double(db, "SELECT trigger_price FROM liquidations WHERE"
                              " position_id = 5"), 29010.0, 0.0);
  assert_int_equal(liq_test_query_int(db, "SELECT round FROM liquidations WHERE"
                                 " position_id = 5"), 2);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM pragma_index_list("
                                 "'liquidations') WHERE name ="
                                 " 'liquidations_run_step'"), 1);
  /* summary */
  assert_int_equal(liq_test_query_int(db, "SELECT liquidated FROM summary"), 123);
  assert_int_equal(liq_test_query_int(db, "SELECT liquidated_short FROM summary"), 23);
  assert_rel(liq_test_query_double(db, "SELECT liquidated_notional FROM summary"),
             1234567890.4, 0.0);
  assert_rel(liq_test_query_double(db, "SELECT insurance_fund_min FROM summary"),
             4.9e7, 0.0);
  assert_rel(liq_test_query_double(db, "SELECT drawdown_exogenous FROM summary"),
             0.08, 0.0);
  assert_rel(liq_test_query_double(db, "SELECT open_equity FROM summary"), 7.1e5, 0.0);
  assert_int_equal(liq_test_query_int(db, "SELECT adl_notional FROM summary"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT forced_share_of_rise IS NULL FROM summary"),
                   1);
  assert_rel(liq_test_query_double(db, "SELECT forced_share_of_fall FROM summary"),
             log(27000.0 / 28000.0) / log(0.9), 1e-15);
  assert_int_equal(liq_test_query_int(db, "SELECT liquidated_without_impact IS NULL AND"
                                 " bad_debt_without_impact IS NULL FROM summary"), 1);
  assert_int_equal(liq_test_query_int(db, "SELECT max_cascade_rounds FROM summary"), 3);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM adl WHERE position_id = 7"
                                 " AND side = 'short' AND price = 90 AND rank_score = 1.5"), 1);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM adl WHERE position_id IS NULL"
                                 " AND side = 'short' AND haircut = 4 AND rank_score IS NULL"), 1);
  sqlite3_close(db);
}

static void test_store_second_run_appends(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  sqlite3 *db;

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 3), 1);
  liq_store_close(st);

  /* Reopening keeps the data; the next run gets the next id. */
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 5), 2);
  assert_int_equal(store_run(st, f->sc, 1), 3);   /* same connection */
  liq_store_close(st);

  db = open_raw(f->path);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM runs"), 3);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM runs"
                                 " WHERE status = 'done'"), 3);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 1"),
                   3);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 2"),
                   5);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"
                                 " WHERE run_id = 2"), 8);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM summary"), 3);
  sqlite3_close(db);

  /* Deleting a run deletes its rows (foreign keys, ON DELETE CASCADE). */
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON;"
                                    "DELETE FROM runs WHERE run_id = 2",
                                NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 2"),
                   0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"
                                 " WHERE run_id = 2"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM summary"), 2);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps"), 4);
  sqlite3_close(db);
}

static void test_store_quantile_columns(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  sqlite3 *db;
  char label[32];

  liq_quantile_label(0.001, label, sizeof label);
  assert_string_equal(label, "q00_1");
  liq_quantile_label(0.995, label, sizeof label);
  assert_string_equal(label, "q99_5");

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 2), 1);     /* default columns */

  f->sc->stats.n_quantiles = 3;
  f->sc->stats.quantiles[0] = 0.001;
  f->sc->stats.quantiles[1] = 0.5;
  f->sc->stats.quantiles[2] = 0.995;
  assert_int_equal(store_run(st, f->sc, 2), 2);
  assert_int_equal(store_run(st, f->sc, 2), 3);     /* columns exist now */
  liq_store_close(st);

  db = open_raw(f->path);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM pragma_table_info("
                                 "'steps') WHERE name IN ('cushion_q00_1',"
                                 " 'cushion_q99_5')"), 2);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM pragma_table_info("
                                 "'steps') WHERE name LIKE 'cushion_%'"), 6);
  /* make_step: cushion[i] = 0.1 (i + 1) in the scenario's order */
  assert_rel(liq_test_query_double(db, "SELECT cushion_q00_1 FROM steps"
                              " WHERE run_id = 2 AND step = 1"), 0.1, 0.0);
  assert_rel(liq_test_query_double(db, "SELECT cushion_q50 FROM steps"
                              " WHERE run_id = 2 AND step = 1"), 0.2, 0.0);
  assert_rel(liq_test_query_double(db, "SELECT cushion_q99_5 FROM steps"
                              " WHERE run_id = 2 AND step = 1"), 0.3, 1e-12);
  assert_int_equal(liq_test_query_int(db, "SELECT cushion_q01 IS NULL FROM steps"
                                 " WHERE run_id = 2 AND step = 1"), 1);
  assert_int_equal(liq_test_query_int(db, "SELECT cushion_q99_5 IS NULL FROM steps"
                                 " WHERE run_id = 1 AND step = 1"), 1);
  assert_rel(liq_test_query_double(db, "SELECT cushion_q50 FROM steps"
                              " WHERE run_id = 1 AND step = 1"), 0.4, 0.0);
  sqlite3_close(db);
}

static void test_store_no_quantiles(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  sqlite3 *db;

  f->sc->stats.n_quantiles = 0;
  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 4), 1);
  liq_store_close(st);
  db = open_raw(f->path);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps"
                                 " WHERE cushion_q01 IS NULL"), 4);
  sqlite3_close(db);
}

static void test_store_fail_run(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  liq_step_row r;
  liq_liquidation_row l;
  int64_t run_id = 0;
  sqlite3 *db;
  char buf[256];
  size_t i;

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 2), 1);
  assert_liq_ok(liq_store_begin_run(st, f->sc, 9, &run_id, &err), &err);
  assert_int_equal(run_id, 2);
  /* More than one batch, so some rows were committed before the failure. */
  for (i = 0; i < 25000; i++) {
    r = make_step(i, 4);
    assert_liq_ok(liq_store_step(st, &r, &err), &err);
  }
  l = make_liq(3, 1, +1);
  assert_liq_ok(liq_store_liquidation(st, &l, &err), &err);
  assert_liq_ok(liq_store_fail_run(st, "impact diverged at step 3", &err),
                &err);
  /* No active run any more. */
  r = make_step(0, 4);
  assert_int_equal(liq_store_step(st, &r, &err), LIQ_USAGE);
  assert_int_equal(liq_store_fail_run(st, "again", &err), LIQ_USAGE);
  /* The store stays usable. */
  assert_int_equal(store_run(st, f->sc, 2), 3);
  liq_store_close(st);

  db = open_raw(f->path);
  assert_string_equal(query_text(db, "SELECT status FROM runs WHERE run_id = 2",
                                 buf, sizeof buf), "failed");
  assert_string_equal(query_text(db, "SELECT error FROM runs WHERE run_id = 2",
                                 buf, sizeof buf), "impact diverged at step 3");
  assert_int_equal(liq_test_query_int(db, "SELECT finished_at IS NOT NULL FROM runs"
                                 " WHERE run_id = 2"), 1);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 2"),
                   0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"
                                 " WHERE run_id = 2"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM summary"
                                 " WHERE run_id = 2"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 1"),
                   2);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 3"),
                   2);
  sqlite3_close(db);
}

static void test_store_batches(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  sqlite3 *db;

  /* 45,000 step rows and 89,998 liquidation rows: several batch commits. */
  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 45000), 1);
  liq_store_close(st);
  db = open_raw(f->path);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps"), 45000);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"), 89998);
  assert_int_equal(liq_test_query_int(db, "SELECT max(step) FROM steps"), 44999);
  /* Liquidations go in groups of LIQ_STORE_LIQ_GROUP and a rest: still in
  ** the order given (position ids 10, 11, 20, 21, ...), none lost. */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM (SELECT position_id,"
                                          " lag(position_id) OVER (ORDER BY rowid) AS prev"
                                          " FROM liquidations) WHERE prev >= position_id"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT position_id FROM liquidations"
                                          " ORDER BY rowid DESC LIMIT 1"), 449991);
  sqlite3_close(db);
}

static void test_store_killed_run_stays_running(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  liq_step_row r = make_step(0, 4);
  int64_t run_id = 0;
  sqlite3 *db;
  char buf[64];

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_liq_ok(liq_store_begin_run(st, f->sc, 1, &run_id, &err), &err);
  assert_liq_ok(liq_store_step(st, &r, &err), &err);
  /* A second begin while a run is active is a usage error. */
  assert_int_equal(liq_store_begin_run(st, f->sc, 1, &run_id, &err),
                   LIQ_USAGE);
  assert_int_equal(run_id, 0);
  liq_store_close(st);                      /* no finish: as if killed */

  db = open_raw(f->path);
  assert_string_equal(query_text(db, "SELECT status FROM runs", buf,
                                 sizeof buf), "running");
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps"), 0);
  sqlite3_close(db);
}

/* `liqsim run` creates a database with large pages; an existing file keeps
** its own, and liq_store_open() (sweeps) keeps SQLite's default. */
static void test_store_open_run_page_size(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  sqlite3 *db;
  char other[560], buf[64];   /* remove_db() appends "-wal" in 600 */

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open_run(f->path, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 300), 1);
  liq_store_close(st);
  db = open_raw(f->path);
  assert_int_equal(liq_test_query_int(db, "PRAGMA page_size"), LIQ_STORE_RUN_PAGE_SIZE);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"), 598);
  sqlite3_close(db);

  /* a database made by liq_store_open() keeps its pages under open_run */
  snprintf(other, sizeof other, "%s.old.db", f->path);
  remove_db(other);
  assert_liq_ok(liq_store_open(other, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 2), 1);
  liq_store_close(st);
  assert_liq_ok(liq_store_open_run(other, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 300), 2);
  liq_store_close(st);
  db = open_raw(other);
  assert_int_equal(liq_test_query_int(db, "PRAGMA page_size"), 4096);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"), 600);
  assert_string_equal(query_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok");
  sqlite3_close(db);
  remove_db(other);
}

/* The book as run goes in groups of rows: every position once, in id
** order, with its own values, for books below, at and around a group. */
static void test_store_positions_groups(void **state) {
  static const size_t sizes[] = { 1, 3, 255, 256, 257, 600 };
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  liq_margin_params mp;
  liq_summary sm = make_summary();
  liq_book b;
  int64_t run_id = 0;
  sqlite3 *db;
  char sql[512];
  size_t k, i, n_max = 600;

  memset(&mp, 0, sizeof mp);
  mp.initial = 0.1;
  mp.maintenance = 0.05;
  b.side = malloc(n_max * sizeof *b.side);
  b.qty = malloc(n_max * sizeof *b.qty);
  b.entry = malloc(n_max * sizeof *b.entry);
  b.collateral = malloc(n_max * sizeof *b.collateral);
  b.leverage = malloc(n_max * sizeof *b.leverage);
  assert_true(b.side && b.qty && b.entry && b.collateral && b.leverage);
  for (i = 0; i < n_max; i++) {
    b.side[i] = i % 3 ? 1 : -1;
    b.qty[i] = 1.0 + (double)i;
    b.entry[i] = 100.0 + 0.25 * (double)i;
    b.leverage[i] = 2.0 + (double)(i % 7);
    b.collateral[i] = b.qty[i] * b.entry[i] / b.leverage[i];
  }
  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    b.n = sizes[k];
    assert_liq_ok(liq_store_begin_run(st, f->sc, 1, &run_id, &err), &err);
    assert_liq_ok(liq_store_positions(st, &b, &mp, &err), &err);
    assert_liq_ok(liq_store_finish_run(st, &sm, &err), &err);
  }
  liq_store_close(st);

  db = open_raw(f->path);
  for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    int64_t r = (int64_t)k + 1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM positions WHERE run_id = %lld",
             (long long)r);
    assert_int_equal(liq_test_query_int(db, sql), sizes[k]);
    /* ids 0..n-1, each once, in rowid order */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT position_id, row_number()"
             " OVER (ORDER BY rowid) - 1 AS k FROM positions WHERE run_id = %lld)"
             " WHERE position_id != k", (long long)r);
    assert_int_equal(liq_test_query_int(db, sql), 0);
    /* each row's values are its position's (qty = 1 + id, side by id % 3) */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM positions WHERE run_id = %lld AND"
             " (qty != 1.0 + position_id OR entry != 100.0 + 0.25 * position_id OR"
             " side != CASE WHEN position_id %% 3 THEN 'long' ELSE 'short' END OR"
             " leverage != 2.0 + position_id %% 7 OR"
             " abs(collateral * leverage - qty * entry) > 1e-9 * qty * entry)",
             (long long)r);
    assert_int_equal(liq_test_query_int(db, sql), 0);
  }
  /* the liquidation price under the rule: equity = maintenance x notional */
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM positions WHERE"
                   " abs(collateral + CASE side WHEN 'long' THEN 1 ELSE -1 END * qty *"
                   " (liquidation_price - entry) - 0.05 * qty * liquidation_price)"
                   " > 1e-6 * qty * entry"), 0);
  sqlite3_close(db);
  free(b.side);
  free(b.qty);
  free(b.entry);
  free(b.collateral);
  free(b.leverage);
}

/* The sink writes ctx->positions before its first row (or, when no row
** came, liq_store_sink_positions() does), once. */
static void test_store_sink_positions(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_store_sink_ctx ctx;
  liq_sink sink;
  liq_err err;
  liq_summary sm = make_summary();
  int8_t side[3] = { 1, -1, 1 };
  double qty[3] = { 1, 2, 3 }, entry[3] = { 100, 110, 120 };
  double coll[3] = { 10, 22, 36 }, lev[3] = { 10, 10, 10 };
  liq_book b = { 3, side, qty, entry, coll, lev };
  liq_step_row r = make_step(0, 4);
  int64_t run_id = 0;
  sqlite3 *db;
  int pass;

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  for (pass = 0; pass < 2; pass++) {   /* 0: with rows, 1: without */
    memset(&ctx, 0, sizeof ctx);
    ctx.st = st;
    ctx.sc = f->sc;
    ctx.n_steps = 2;
    ctx.positions = &b;
    sink = liq_store_sink(&ctx);
    assert_null(ctx.positions);           /* cleared: set it after the call */
    ctx.positions = &b;
    assert_liq_ok(liq_store_begin_run(st, f->sc, 1, &run_id, &err), &err);
    if (pass == 0) {
      assert_liq_ok(sink.step(sink.ud, &r, &err), &err);
      assert_null(ctx.positions);         /* written with the first row */
      r.step = 1;
      assert_liq_ok(sink.step(sink.ud, &r, &err), &err);
    }
    assert_liq_ok(liq_store_sink_positions(&ctx, &err), &err);
    assert_null(ctx.positions);
    assert_liq_ok(liq_store_sink_positions(&ctx, &err), &err);   /* no-op */
    assert_liq_ok(liq_store_finish_run(st, &sm, &err), &err);
  }
  liq_store_close(st);
  db = open_raw(f->path);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM positions WHERE run_id = 1"), 3);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM positions WHERE run_id = 2"), 3);
  assert_int_equal(liq_test_query_int(db, "SELECT sum(qty) FROM positions"), 12);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 1"), 2);
  sqlite3_close(db);
}

/* A run's rows are written with foreign keys off (store.c): they are on
** again after the run, whether it finished or failed, and a run whose
** runs row went away meanwhile fails instead of leaving orphan rows. */
static void test_store_foreign_keys_after_run(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  liq_step_row r = make_step(0, 4);
  liq_liquidation_row l = make_liq(0, 1, +1);
  liq_summary sm = make_summary();
  int64_t run_id = 0;
  sqlite3 *db, *other;
  size_t i;

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 5), 1);
  assert_int_equal(liq_test_query_int(st->db, "PRAGMA foreign_keys"), 1);

  assert_liq_ok(liq_store_begin_run(st, f->sc, 2, &run_id, &err), &err);
  assert_liq_ok(liq_store_step(st, &r, &err), &err);
  assert_int_equal(liq_test_query_int(st->db, "PRAGMA foreign_keys"), 0);
  assert_liq_ok(liq_store_fail_run(st, "stopped", &err), &err);
  assert_int_equal(liq_test_query_int(st->db, "PRAGMA foreign_keys"), 1);

  /* another connection deletes the run's row before its rows begin */
  assert_liq_ok(liq_store_begin_run(st, f->sc, 3, &run_id, &err), &err);
  assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
  assert_int_equal(sqlite3_exec(other, "DELETE FROM runs WHERE run_id = 3", NULL, NULL,
                                NULL), SQLITE_OK);
  sqlite3_close(other);
  for (i = 0; i < 600; i++) {         /* more than a group of liquidations */
    l.position_id = i;
    assert_liq_ok(liq_store_liquidation(st, &l, &err), &err);
  }
  assert_liq_ok(liq_store_step(st, &r, &err), &err);
  assert_int_equal(liq_store_finish_run(st, &sm, &err), LIQ_DB);
  assert_non_null(strstr(err.msg, "deleted"));
  liq_err_clear(&err);
  assert_liq_ok(liq_store_fail_run(st, "gone", &err), &err);
  assert_int_equal(liq_test_query_int(st->db, "PRAGMA foreign_keys"), 1);
  liq_store_close(st);

  db = open_raw(f->path);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"
                                          " WHERE run_id NOT IN (SELECT run_id FROM runs)"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps"
                                          " WHERE run_id NOT IN (SELECT run_id FROM runs)"), 0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM runs"), 2);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"), 8);
  sqlite3_close(db);
}

static void test_store_sink(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  liq_store_sink_ctx ctx;
  liq_sink sink;
  liq_summary sm = make_summary();
  int64_t run_id = 0;
  sqlite3 *db;
  char buf[64];
  size_t i;
  int pass;

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  /* pass 0: every 4th step + last, events on; pass 1: no steps, events on;
  ** pass 2: every step, events off. */
  for (pass = 0; pass < 3; pass++) {
    f->sc->stats.every = pass == 0 ? 4 : 1;
    f->sc->stats.steps = pass != 1;
    f->sc->stats.events = pass != 2;
    ctx.st = st;
    ctx.sc = f->sc;
    ctx.n_steps = 10;
    sink = liq_store_sink(&ctx);
    assert_ptr_equal(sink.ud, &ctx);
    /* events off: no liquidation or adl callback, so the engine makes no
    ** such rows */
    assert_int_equal(sink.liquidation == NULL, pass == 2);
    assert_int_equal(sink.adl == NULL, pass == 2);
    assert_liq_ok(liq_store_begin_run(st, f->sc, 1, &run_id, &err), &err);
    for (i = 0; i < 10; i++) {
      liq_step_row r = make_step(i, 4);
      liq_liquidation_row l = make_liq(i, i, +1);
      assert_liq_ok(sink.step(sink.ud, &r, &err), &err);
      if (sink.liquidation)
        assert_liq_ok(sink.liquidation(sink.ud, &l, &err), &err);
    }
    assert_liq_ok(liq_store_finish_run(st, &sm, &err), &err);
  }
  liq_store_close(st);

  db = open_raw(f->path);
  /* every = 4 over 10 steps: 0, 4, 8 and the last, 9 */
  assert_string_equal(query_text(db, "SELECT group_concat(step) FROM (SELECT"
                                     " step FROM steps WHERE run_id = 1"
                                     " ORDER BY step)", buf, sizeof buf),
                      "0,4,8,9");
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"
                                 " WHERE run_id = 1"), 10);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 2"),
                   0);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"
                                 " WHERE run_id = 2"), 10);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM steps WHERE run_id = 3"),
                   10);
  assert_int_equal(liq_test_query_int(db, "SELECT count(*) FROM liquidations"
                                 " WHERE run_id = 3"), 0);
  sqlite3_close(db);
}

static int report_to_string(const char *path, int64_t run_id, char **text,
                            liq_err *err) {
  size_t size = 0;
  FILE *out = open_memstream(text, &size);
  int rc;
  assert_non_null(out);
  rc = liq_store_report(path, run_id, out, err);
  fclose(out);
  return rc;
}

static void test_store_report(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  int64_t run_id = 0;
  char *text = NULL;

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  assert_int_equal(store_run(st, f->sc, 7), 1);
  assert_liq_ok(liq_store_begin_run(st, f->sc, 5, &run_id, &err), &err);
  assert_liq_ok(liq_store_fail_run(st, "out of memory in the engine", &err),
                &err);
  assert_liq_ok(liq_store_begin_run(st, f->sc, 6, &run_id, &err), &err);
  assert_int_equal(run_id, 3);
  /* Report while run 3 is open in this connection: the reader sees it
  ** 'running'. */
  assert_liq_ok(report_to_string(f->path, 0, &text, &err), &err);
  assert_non_null(strstr(text, "run 1: store-test, seed 7, done"));
  assert_non_null(strstr(text, "params {\"margin.initial\":0.02}"));
  assert_non_null(strstr(text, "liquidated               123 (long 100,"
                               " short 23), 12.30% of positions"));
  assert_non_null(strstr(text, "liquidated notional      $1,234,567,890\n"));
  assert_non_null(strstr(text, "bad debt                 $2,385.50\n"));
  assert_non_null(strstr(text, "insurance fund           start $50,000,000,"
                               " min $49,000,000, end $50,500,000\n"));
  assert_non_null(strstr(text, "price with impact        min 27,000.00,"
                               " max 30,100.00, drawdown 10.00%\n"));
  assert_non_null(strstr(text, "price exogenous          min 28,000.00,"
                               " max 30,050.00, drawdown 8.00%\n"));
  assert_non_null(strstr(text, "impact (log)             at the low -363.7 bp,"
                               " at the high +16.6 bp\n"));
  assert_non_null(strstr(text, "forced share             of the fall 34.52%,"
                               " of the rise 49.96%\n"));
  assert_non_null(strstr(text, "without impact           100 liquidated"
                               " ($1,000,000,000 notional), bad debt $1,000.50\n"));
  assert_non_null(strstr(text, "7 step rows, 12 liquidation rows"));
  assert_non_null(strstr(text, "steps with the most liquidations"));
  /* make_step: liquidations = 3 step; the top 5 are steps 6..2 */
  assert_non_null(strstr(text, "           6        29,400.00             18"
                               "           $74,074.07       2\n"));
  assert_non_null(strstr(text, "           2        29,800.00              6"));
  assert_null(strstr(text, "           1        29,900.00"));
  assert_non_null(strstr(text, "run 2: store-test, seed 5, failed"));
  assert_non_null(strstr(text, "error: out of memory in the engine"));
  assert_non_null(strstr(text, "no summary: the run failed"));
  assert_non_null(strstr(text, "run 3: store-test, seed 6, running"));
  assert_non_null(strstr(text, "no summary: the run is still running"));
  free(text);
  text = NULL;

  /* One run only. */
  assert_liq_ok(report_to_string(f->path, 2, &text, &err), &err);
  assert_null(strstr(text, "run 1:"));
  assert_non_null(strstr(text, "run 2:"));
  free(text);
  text = NULL;

  /* A run that does not exist. */
  assert_int_equal(report_to_string(f->path, 17, &text, &err), LIQ_USAGE);
  assert_string_equal(err.msg, "no run 17 in DB");
  free(text);
  text = NULL;
  liq_store_close(st);
}

static void test_store_report_errors(void **state) {
  fixture *f = *state;
  liq_err err;
  char *text = NULL;
  char path[512];

  /* No such file. */
  liq_err_clear(&err);
  assert_int_equal(report_to_string(f->path, 0, &text, &err), LIQ_IO);
  assert_non_null(strstr(err.msg, "cannot open database"));
  assert_string_equal(err.file, f->path);
  free(text);
  text = NULL;
  assert_int_equal(access(f->path, F_OK), -1);   /* and none was created */

  /* A file that is not a database. */
  liq_test_write_temp("price,volume\n1,2\n", ".csv", path, sizeof path);
  assert_int_equal(report_to_string(path, 0, &text, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "not a liqsim database"));
  free(text);
  text = NULL;

  /* Opening it to write fails too, with SQLite's message. */
  {
    liq_store *st = NULL;
    assert_int_equal(liq_store_open(path, &st, &err), LIQ_DB);
    assert_null(st);
    assert_non_null(strstr(err.msg, "file is not a database"));
    assert_string_equal(err.file, path);
  }
  remove(path);

  /* An empty database file has no tables: bad input, not a DB failure. */
  liq_test_write_temp("", ".db", path, sizeof path);
  assert_int_equal(report_to_string(path, 0, &text, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "not a liqsim database (it has no meta table)"));
  free(text);
  text = NULL;
  remove(path);
}

static void test_store_report_empty_db(void **state) {
  fixture *f = *state;
  liq_store *st = NULL;
  liq_err err;
  char *text = NULL;

  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(f->path, &st, &err), &err);
  liq_store_close(st);
  liq_store_close(NULL);                    /* a no-op */
  assert_liq_ok(report_to_string(f->path, 0, &text, &err), &err);
  assert_non_null(strstr(text, "no runs in"));
  free(text);
}

static void test_store_open_errors(void **state) {
  liq_store *st = NULL;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_int_equal(liq_store_open("/nonexistent-dir/x/y.db", &st, &err),
                   LIQ_DB);
  assert_null(st);
  assert_string_equal(err.file, "/nonexistent-dir/x/y.db");
  assert_int_equal(err.line, 0);
  assert_non_null(strstr(err.msg, "unable to open database file"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_store_run_roundtrip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_second_run_appends, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_quantile_columns, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_no_quantiles, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_fail_run, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_batches, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_killed_run_stays_running, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_open_run_page_size, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_foreign_keys_after_run, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_positions_groups, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_sink_positions, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_sink, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_report, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_report_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_report_empty_db, setup,
                                    teardown),
    cmocka_unit_test(test_store_open_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
