/*
** test_margin.c: liquidation, bankruptcy and call prices against their
** closed forms, long and short, at several leverages.
*/
#include <math.h>

#include "liq_margin.h"
#include "test_util.h"

static void test_liquidation_price_closed_form(void **state) {
  static const double levs[] = { 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 125.0 };
  static const double mmrs[] = { 0.004, 0.005, 0.0125, 0.05 };
  size_t i, j;
  (void)state;
  for (i = 0; i < sizeof levs / sizeof *levs; i++) {
    for (j = 0; j < sizeof mmrs / sizeof *mmrs; j++) {
      double L = levs[i], m = mmrs[j], e = 2.385e4, q = 0.75;
      double c = q * e / L;
      double ps, pl;
      if (1.0 / L <= m) continue;  /* would open below maintenance */
      pl = liq_margin_liq_price(1, q, e, c, m);
      ps = liq_margin_liq_price(-1, q, e, c, m);
      /* Textbook forms: long e (1 - 1/L) / (1 - m), short e (1 + 1/L) / (1 + m). */
      assert_rel(pl, e * (1.0 - 1.0 / L) / (1.0 - m), 1e-14);
      assert_rel(ps, e * (1.0 + 1.0 / L) / (1.0 + m), 1e-14);
      /* At the liquidation price equity equals maintenance margin. */
      if (pl > 0.0)
        assert_rel(liq_margin_equity(1, q, e, c, pl), m * q * pl, 1e-9);
      assert_rel(liq_margin_equity(-1, q, e, c, ps), m * q * ps, 1e-9);
      /* Bankruptcy: equity is zero. */
      assert_rel(liq_margin_bankruptcy_price(1, q, e, c), e * (1.0 - 1.0 / L), 1e-14);
      assert_rel(liq_margin_bankruptcy_price(-1, q, e, c), e * (1.0 + 1.0 / L), 1e-14);
      /* The liquidation price sits between entry and bankruptcy. */
      assert_true(pl <= e && pl >= liq_margin_bankruptcy_price(1, q, e, c) - 1e-9 * e);
      assert_true(ps >= e && ps <= liq_margin_bankruptcy_price(-1, q, e, c));
    }
  }
}

static void test_known_values(void **state) {
  (void)state;
  /* 10x long at 100 with 0.5 % maintenance: 90 / 0.995. */
  assert_rel(liq_margin_liq_price(1, 1.0, 100.0, 10.0, 0.005), 90.45226130653266, 1e-14);
  /* 20x short at 30000 with 0.4 %: 31500 / 1.004. */
  assert_rel(liq_margin_liq_price(-1, 2.0, 30000.0, 3000.0, 0.004), 31374.50199203187, 1e-14);
  /* A 1x long is liquidated only at price 0. */
  assert_rel(liq_margin_liq_price(1, 1.0, 100.0, 100.0, 0.005) + 1.0, 1.0, 1e-15);
}

static void test_threshold_price_for_calls(void **state) {
  double e = 100.0, q = 1.0, c = 10.0;
  (void)state;
  /* Call at IM = 10 %: long threshold 90 / 0.9 = 100. */
  assert_rel(liq_margin_threshold_price(1, q, e, c, 0.1), 100.0, 1e-14);
  assert_rel(liq_margin_threshold_price(-1, q, e, c, 0.1), 110.0 / 1.1, 1e-14);
  /* A long never escapes a call rate >= 1. */
  assert_true(isinf(liq_margin_threshold_price(1, q, e, c, 1.0)));
}

static void test_normalised_cushion(void **state) {
  double e = 100.0, imr = 0.01, mmr = 0.005;
  double q = 1.0, c = imr * q * e;  /* full leverage */
  double pl = liq_margin_liq_price(1, q, e, c, mmr);
  double ps = liq_margin_liq_price(-1, q, e, c, mmr);
  (void)state;
  assert_rel(liq_margin_normalised_cushion(1, q, e, c, imr, mmr, e), 1.0, 1e-12);
  assert_rel(liq_margin_normalised_cushion(-1, q, e, c, imr, mmr, e), 1.0, 1e-12);
  assert_true(fabs(liq_margin_normalised_cushion(1, q, e, c, imr, mmr, pl)) < 1e-9);
  assert_true(fabs(liq_margin_normalised_cushion(-1, q, e, c, imr, mmr, ps)) < 1e-9);
  /* Lower leverage: more cushion. */
  assert_true(liq_margin_normalised_cushion(1, q, e, 2 * c, imr, mmr, e) > 1.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_liquidation_price_closed_form),
    cmocka_unit_test(test_known_values),
    cmocka_unit_test(test_threshold_price_for_calls),
    cmocka_unit_test(test_normalised_cushion),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
