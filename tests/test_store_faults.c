/*
** test_store_faults.c: a run's rows are all or nothing (issue 12).
**
** A full disk is simulated with SQLite's max_page_count (no root, no
** tmpfs needed): the database may not grow past a few pages more than it
** has, so writing a run's rows fails with SQLITE_FULL part way.  The run
** must then be recorded 'failed' with why, and none of its step,
** liquidation or adl rows may stay.  Before the fix, rows were committed
** every 20,000 and marking the run failed itself hit the full disk.
*/
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "liq_store.h"
#include "store_int.h"          /* st->db, to cap the file's size */
#include "test_util.h"

static char zText[] = "name = \"faults\";\n";

static liq_scenario *make_scenario(void) {
  liq_scenario *sc = calloc(1, sizeof *sc);
  assert_non_null(sc);
  snprintf(sc->name, sizeof sc->name, "faults");
  sc->seed = 3;
  sc->steps = 100000;
  sc->step_seconds = 60.0;
  sc->book.positions = 1000;
  sc->stats.n_quantiles = 1;
  sc->stats.quantiles[0] = 0.5;
  sc->stats.every = 1;
  sc->stats.steps = 1;
  sc->stats.events = 1;
  sc->text = zText;
  return sc;
}

static int64_t count(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  sqlite3_stmt *q = NULL;
  int64_t n = -1;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
  if (sqlite3_step(q) == SQLITE_ROW) n = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  sqlite3_close(db);
  return n;
}

static void text_of(const char *path, const char *sql, char *buf, size_t size) {
  sqlite3 *db = NULL;
  sqlite3_stmt *q = NULL;
  buf[0] = '\0';
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
  if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
    snprintf(buf, size, "%s", (const char *)sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(db);
}

/* Write step and liquidation rows until the store refuses one. */
static int write_until_full(liq_store *st, size_t *n_written, liq_err *err) {
  liq_step_row row;
  liq_liquidation_row lr;
  size_t t;
  int rc = LIQ_OK;
  memset(&row, 0, sizeof row);
  memset(&lr, 0, sizeof lr);
  row.n_quantiles = 1;
  for (t = 0; t < 2000000 && rc == LIQ_OK; t++) {
    row.step = t;
    row.price = 100.0 + (double)t;
    row.cushion[0] = 0.5;
    row.distance[0] = 0.1;
    rc = liq_store_step(st, &row, err);
    lr.step = t;
    lr.price = row.price;
    if (rc == LIQ_OK) rc = liq_store_liquidation(st, &lr, err);
  }
  *n_written = t;
  return rc;
}

static void test_full_disk_leaves_no_rows(void **state) {
  char path[512], why[1100], pragma[64];
  liq_scenario *sc = make_scenario();
  liq_store *st = NULL;
  liq_err err;
  int64_t run_id = 0;
  sqlite3_stmt *q = NULL;
  int pages = 0;
  size_t n = 0;
  int rc;
  (void)state;

  liq_test_write_temp("", ".db", path, sizeof path);
  remove(path);
  liq_err_clear(&err);
  assert_liq_ok(liq_store_open(path, &st, &err), &err);
  assert_liq_ok(liq_store_begin_run(st, sc, 3, &run_id, &err), &err);
  /* the "disk": 2000 pages (8 MB) more than the file holds now: more
  ** than the 20,000 rows the old code committed per batch */
  assert_int_equal(sqlite3_prepare_v2(st->db, "PRAGMA page_count", -1, &q, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  pages = sqlite3_column_int(q, 0);
  sqlite3_finalize(q);
  snprintf(pragma, sizeof pragma, "PRAGMA max_page_count = %d", pages + 2000);
  assert_int_equal(sqlite3_exec(st->db, pragma, NULL, NULL, NULL), SQLITE_OK);

  rc = write_until_full(st, &n, &err);
  assert_int_equal(rc, LIQ_DB);
  assert_true(n > 20000);               /* a batch's worth went in before */
  assert_non_null(strstr(err.msg, "full"));
  snprintf(why, sizeof why, "%s", err.msg);
  /* SQLite rolled the run's transaction back: the rows after it may not
  ** start a new one, nor may the run finish with the rows it has left */
  {
    liq_err e2;
    liq_summary sm;
    liq_liquidation_row lr;
    memset(&sm, 0, sizeof sm);
    memset(&lr, 0, sizeof lr);
    sm.first_adl_step = -1;
    liq_err_clear(&e2);
    assert_int_equal(liq_store_liquidation(st, &lr, &e2), LIQ_DB);
    assert_int_equal(liq_store_finish_run(st, &sm, &e2), LIQ_DB);
    assert_non_null(strstr(e2.msg, "rolled back"));
  }
  assert_liq_ok(liq_store_fail_run(st, why, &err), &err);
  liq_store_close(st);

  assert_int_equal(count(path, "SELECT count(*) FROM runs WHERE status = 'failed'"), 1);
  text_of(path, "SELECT error FROM runs", why, sizeof why);
  assert_non_null(strstr(why, "full"));
  assert_int_equal(count(path, "SELECT count(*) FROM steps"), 0);
  assert_int_equal(count(path, "SELECT count(*) FROM liquidations"), 0);
  assert_int_equal(count(path, "SELECT count(*) FROM summary"), 0);
  free(sc);
  remove(path);
}

/* While a run writes, a reader sees none of its rows: they appear at once,
** with the summary, when it finishes. */
static void test_rows_appear_at_once(void **state) {
  char path[512];
  liq_scenario *sc = make_scenario();
  liq_store *st = NULL;
  liq_err err;
  liq_step_row row;
  liq_summary sm;
  int64_t run_id = 0;
  size_t t;
  (void)state;

  liq_test_write_temp("", ".db", path, sizeof path);
  remove(path);
  liq_err_clear(&err);
  memset(&row, 0, sizeof row);
  memset(&sm, 0, sizeof sm);
  assert_liq_ok(liq_store_open(path, &st, &err), &err);
  assert_liq_ok(liq_store_begin_run(st, sc, 3, &run_id, &err), &err);
  row.n_quantiles = 1;
  for (t = 0; t < 50000; t++) {        /* more than the old 20,000-row batch */
    row.step = t;
    row.price = 1.0;
    assert_liq_ok(liq_store_step(st, &row, &err), &err);
  }
  assert_int_equal(count(path, "SELECT count(*) FROM steps"), 0);
  assert_int_equal(count(path, "SELECT count(*) FROM runs WHERE status = 'running'"), 1);
  sm.first_adl_step = -1;
  assert_liq_ok(liq_store_finish_run(st, &sm, &err), &err);
  assert_int_equal(count(path, "SELECT count(*) FROM steps"), 50000);
  assert_int_equal(count(path, "SELECT count(*) FROM runs WHERE status = 'done'"), 1);
  liq_store_close(st);
  free(sc);
  remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_full_disk_leaves_no_rows),
    cmocka_unit_test(test_rows_appear_at_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
