/*
** test_inputs.c: a replicate's seeds and its path and book (liq_inputs.h).
*/
#include <stdlib.h>

#include "test_util.h"

#include "liq_inputs.h"

#define SWEEP_CFG LIQ_TEST_DATA "/sweep_small.cfg"

/* Seeds depend on (seed, replicate) only: common random numbers. */
static void test_seeds(void **state) {
  size_t r, k;
  (void)state;
  for (r = 0; r < 50; r++) {
    assert_true(liq_inputs_path_seed(42, r) == liq_seed(42, r, LIQ_STREAM_PATH));
    assert_true(liq_inputs_book_seed(42, r) == liq_seed(42, r, LIQ_STREAM_BOOK));
    assert_true(liq_inputs_path_seed(42, r) != liq_inputs_book_seed(42, r));
    assert_true(liq_inputs_path_seed(42, r) != liq_inputs_path_seed(43, r));
    for (k = 0; k < r; k++) {
      assert_true(liq_inputs_path_seed(42, r) != liq_inputs_path_seed(42, k));
      assert_true(liq_inputs_book_seed(42, r) != liq_inputs_book_seed(42, k));
    }
  }
}

/* liq_inputs_build() is liq_path_build() and liq_book_build() with the
** replicate's seeds; different replicates draw different paths. */
static void test_build_uses_replicate_seeds(void **state) {
  liq_scenario *sc = NULL;
  liq_path *p0 = NULL, *p1 = NULL, *ref = NULL;
  liq_book *b0 = NULL, *b1 = NULL, *bref = NULL;
  liq_err err;
  size_t i;
  int differ = 0;
  (void)state;
  assert_liq_ok(liq_scenario_load(SWEEP_CFG, NULL, 0, &sc, &err), &err);
  assert_liq_ok(liq_inputs_build(sc, 0, &p0, &b0, &err), &err);
  assert_liq_ok(liq_inputs_build(sc, 1, &p1, &b1, &err), &err);
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds,
                               liq_inputs_path_seed(sc->seed, 1), &ref, &err), &err);
  assert_liq_ok(liq_book_build(sc, ref, liq_inputs_book_seed(sc->seed, 1), &bref, &err),
                &err);
  assert_int_equal(p1->n, ref->n);
  for (i = 0; i < p1->n; i++) assert_true(p1->close[i] == ref->close[i]);
  assert_int_equal(b1->n, bref->n);
  for (i = 0; i < b1->n; i++) assert_true(b1->qty[i] == bref->qty[i]);
  for (i = 0; i < p0->n; i++) differ |= p0->close[i] != p1->close[i];
  assert_true(differ);
  liq_book_free(b0);
  liq_book_free(b1);
  liq_book_free(bref);
  liq_path_free(p0);
  liq_path_free(p1);
  liq_path_free(ref);
  liq_scenario_free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seeds),
    cmocka_unit_test(test_build_uses_replicate_seeds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
