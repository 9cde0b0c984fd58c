/*
** test_sink_thread.c: the writer thread passes every row, in order, to the
** inner sink; the inner sink's first error reaches the engine and finish.
*/
#include <stdlib.h>
#include <string.h>

#include "liq_sink_thread.h"
#include "test_util.h"

#define ROWS 100000   /* many blocks: the engine waits for free ones */

typedef struct recorder {
  size_t n;
  char kind[ROWS];
  size_t key[ROWS];     /* step, or position id */
  size_t fail_at;       /* fail on this row (0: never) */
} recorder;

static int rec(recorder *r, char kind, size_t key, liq_err *err) {
  if (r->fail_at && r->n + 1 == r->fail_at)
    return liq_errf(err, LIQ_DB, "x.db", 0, "disk full at row %zu", r->n + 1);
  r->kind[r->n] = kind;
  r->key[r->n] = key;
  r->n++;
  return LIQ_OK;
}

static int on_step(void *ud, const liq_step_row *row, liq_err *err) {
  return rec(ud, 's', row->step, err);
}

static int on_liq(void *ud, const liq_liquidation_row *row, liq_err *err) {
  return rec(ud, 'l', row->position_id, err);
}

static int on_adl(void *ud, const liq_adl_row *row, liq_err *err) {
  return rec(ud, 'a', row->position_id, err);
}

/* Push ROWS rows (kind by i % 3, key i) until the sink says stop; returns
** that status and the number pushed. */
static int push_all(const liq_sink *s, size_t *pushed, liq_err *err) {
  size_t i;
  int rc = LIQ_OK;
  for (i = 0; i < ROWS && rc == LIQ_OK; i++) {
    if (i % 3 == 0) {
      liq_step_row r;
      memset(&r, 0, sizeof r);
      r.step = i;
      rc = s->step(s->ud, &r, err);
    } else if (i % 3 == 1) {
      liq_liquidation_row r;
      memset(&r, 0, sizeof r);
      r.position_id = i;
      rc = s->liquidation(s->ud, &r, err);
    } else {
      liq_adl_row r;
      memset(&r, 0, sizeof r);
      r.position_id = i;
      rc = s->adl(s->ud, &r, err);
    }
  }
  *pushed = i;
  return rc;
}

static void test_rows_in_order(void **state) {
  recorder *r = calloc(1, sizeof *r);
  liq_sink inner = { on_step, on_liq, NULL, on_adl }, s;
  liq_sink_thread *t;
  liq_err err;
  size_t i, pushed;
  (void)state;
  inner.ud = r;
  liq_err_clear(&err);
  liq_sink_thread_start(&inner, &t, &s);
  assert_non_null(t);
  assert_ptr_equal(s.ud, t);
  assert_int_equal(push_all(&s, &pushed, &err), LIQ_OK);
  assert_int_equal(liq_sink_thread_finish(t, &err), LIQ_OK);
  assert_int_equal(r->n, ROWS);
  for (i = 0; i < ROWS; i++) {
    assert_int_equal(r->kind[i], "sla"[i % 3]);
    assert_int_equal(r->key[i], i);
  }
  free(r);
}

static void test_first_error_stops_the_run(void **state) {
  recorder *r = calloc(1, sizeof *r);
  liq_sink inner = { on_step, on_liq, NULL, on_adl }, s;
  liq_sink_thread *t;
  liq_err err;
  size_t pushed;
  (void)state;
  inner.ud = r;
  r->fail_at = 5000;
  liq_err_clear(&err);
  liq_sink_thread_start(&inner, &t, &s);
  assert_int_equal(push_all(&s, &pushed, &err), LIQ_DB);   /* the engine stops */
  assert_true(pushed < ROWS);
  assert_int_equal(liq_sink_thread_finish(t, &err), LIQ_DB);
  assert_non_null(strstr(err.msg, "disk full at row 5000"));
  assert_int_equal(r->n, 4999);                           /* nothing after it */
  free(r);
}

static void test_finish_without_rows(void **state) {
  liq_sink inner = { NULL, NULL, NULL, NULL }, s;
  liq_sink_thread *t;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  liq_sink_thread_start(&inner, &t, &s);
  /* NULL callbacks stay NULL: the engine makes no such rows */
  assert_null(s.step);
  assert_null(s.liquidation);
  assert_null(s.adl);
  assert_int_equal(liq_sink_thread_finish(t, &err), LIQ_OK);
  assert_int_equal(liq_sink_thread_finish(NULL, &err), LIQ_OK);
  inner.step = on_step;
  liq_sink_thread_start(&inner, &t, &s);
  assert_non_null(s.step);
  assert_null(s.liquidation);
  assert_null(s.adl);
  assert_int_equal(liq_sink_thread_finish(t, &err), LIQ_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rows_in_order),
    cmocka_unit_test(test_first_error_stops_the_run),
    cmocka_unit_test(test_finish_without_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
