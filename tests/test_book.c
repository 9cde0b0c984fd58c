/*
** test_book.c: synthetic books are deterministic, respect the leverage cap
** and the long share, and hold no position that is already liquidatable.
*/
#include <math.h>

#include "liq_book.h"
#include "liq_margin.h"
#include "ref_engine.h"
#include "test_util.h"

static void scenario(liq_scenario *sc) {
  liq_test_scenario_init(sc);
  sc->book.positions = 5000;
  sc->book.long_share = 0.6;
  sc->book.n_leverage = 4;
  sc->book.leverage[0] = 2; sc->book.leverage[1] = 20;
  sc->book.leverage[2] = 100; sc->book.leverage[3] = 200;
  sc->book.weights[0] = 0.25; sc->book.weights[1] = 0.25;
  sc->book.weights[2] = 0.25; sc->book.weights[3] = 0.25;
  sc->book.notional_dist = LIQ_NOTIONAL_LOGNORMAL;
  sc->book.notional_median = 5000.0;
  sc->book.notional_sigma = 1.5;
  sc->book.entry_spread = 0.02;
}

static void test_generate_invariants(void **state) {
  liq_scenario sc;
  liq_book *b = NULL;
  liq_err err;
  size_t i, longs = 0, capped = 0;
  double start = 30000.0;
  (void)state;
  scenario(&sc);
  assert_liq_ok(liq_book_generate(&sc.book, &sc.margin, start, 9, &b, &err), &err);
  assert_int_equal(b->n, 5000);
  for (i = 0; i < b->n; i++) {
    double notional = b->qty[i] * b->entry[i];
    longs += b->side[i] > 0;
    assert_true(b->qty[i] > 0.0 && b->entry[i] > 0.0 && b->collateral[i] > 0.0);
    assert_true(b->leverage[i] <= 1.0 / sc.margin.initial + 1e-9);
    capped += b->leverage[i] == 1.0 / sc.margin.initial;
    assert_rel(b->collateral[i], notional / b->leverage[i], 1e-12);
    /* Above maintenance at the start price. */
    assert_true(liq_margin_equity(b->side[i], b->qty[i], b->entry[i], b->collateral[i], start) >
                sc.margin.maintenance * b->qty[i] * start);
  }
  assert_int_equal(longs, 3000);
  /* 200x demand is capped at 1/initial = 100x. */
  assert_true(capped > 1000);
  liq_book_free(b);
}

static void test_deterministic(void **state) {
  liq_scenario sc;
  liq_book *a = NULL, *b = NULL, *c = NULL;
  liq_err err;
  size_t i, differ = 0;
  (void)state;
  scenario(&sc);
  assert_liq_ok(liq_book_generate(&sc.book, &sc.margin, 100.0, 5, &a, &err), &err);
  assert_liq_ok(liq_book_generate(&sc.book, &sc.margin, 100.0, 5, &b, &err), &err);
  assert_liq_ok(liq_book_generate(&sc.book, &sc.margin, 100.0, 6, &c, &err), &err);
  for (i = 0; i < a->n; i++) {
    assert_true(a->qty[i] == b->qty[i] && a->entry[i] == b->entry[i] &&
                a->collateral[i] == b->collateral[i] && a->side[i] == b->side[i]);
    differ += a->qty[i] != c->qty[i];
  }
  assert_true(differ > a->n / 2);
  liq_book_free(a);
  liq_book_free(b);
  liq_book_free(c);
}

static void test_fixed_notional_at_start(void **state) {
  liq_scenario sc;
  liq_book *b = NULL;
  liq_err err;
  size_t i;
  (void)state;
  scenario(&sc);
  sc.book.notional_dist = LIQ_NOTIONAL_FIXED;
  sc.book.entry_spread = 0.0;
  assert_liq_ok(liq_book_generate(&sc.book, &sc.margin, 250.0, 1, &b, &err), &err);
  for (i = 0; i < b->n; i++) {
    assert_true(b->entry[i] == 250.0);
    assert_rel(b->qty[i] * b->entry[i], 5000.0, 1e-14);
  }
  liq_book_free(b);
  liq_book_free(NULL);
}

static void test_rejects_bad_start(void **state) {
  liq_scenario sc;
  liq_book *b = NULL;
  liq_err err;
  (void)state;
  scenario(&sc);
  assert_int_equal(liq_book_generate(&sc.book, &sc.margin, 0.0, 1, &b, &err), LIQ_INPUT);
  assert_null(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_generate_invariants),
    cmocka_unit_test(test_deterministic),
    cmocka_unit_test(test_fixed_notional_at_start),
    cmocka_unit_test(test_rejects_bad_start),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
