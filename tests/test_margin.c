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

/* Binance USDT-M BTCUSDT leverage and margin brackets (notional floor,
** max leverage, maintenance rate, maintenance amount "cum"), as published
** on Binance's leverage-and-margin page. */
static const double BTC_BRACKETS[10][4] = {
  { 0.0,         125.0, 0.004, 0.0 },
  { 50000.0,     100.0, 0.005, 50.0 },
  { 250000.0,     50.0, 0.01,  1300.0 },
  { 1000000.0,    20.0, 0.025, 16300.0 },
  { 10000000.0,   10.0, 0.05,  266300.0 },
  { 20000000.0,    5.0, 0.10,  1266300.0 },
  { 50000000.0,    4.0, 0.125, 2516300.0 },
  { 100000000.0,   3.0, 0.15,  5016300.0 },
  { 200000000.0,   2.0, 0.25,  25016300.0 },
  { 300000000.0,   1.0, 0.50,  100016300.0 },
};

static void btc_tiers(liq_margin_params *mp) {
  size_t k;
  mp->initial = 0.008;
  mp->n_tiers = 10;
  for (k = 0; k < 10; k++) {
    mp->tiers[k].floor = BTC_BRACKETS[k][0];
    mp->tiers[k].max_leverage = BTC_BRACKETS[k][1];
    mp->tiers[k].maintenance = BTC_BRACKETS[k][2];
  }
  liq_margin_complete_tiers(mp, NULL);
}

/* Binance's isolated one-way liquidation price:
** LP = (WB + cum - side * q * EP) / (q * MMR - side * q). */
static double binance_lp(int side, double q, double ep, double wb, size_t bracket) {
  double mmr = BTC_BRACKETS[bracket][2], cum = BTC_BRACKETS[bracket][3];
  return (wb + cum - side * q * ep) / (q * mmr - side * q);
}

static void test_tier_amounts_match_published(void **state) {
  liq_margin_params mp = { 0 };
  size_t k;
  (void)state;
  btc_tiers(&mp);
  for (k = 0; k < 10; k++) assert_rel(mp.tiers[k].amount + 1.0, BTC_BRACKETS[k][3] + 1.0, 1e-12);
  assert_rel(mp.maintenance, 0.004, 1e-15);
  /* MM is continuous at every floor. */
  for (k = 1; k < 10; k++) {
    double f = BTC_BRACKETS[k][0];
    assert_rel(liq_margin_mm(&mp, f * (1.0 - 1e-12)), liq_margin_mm(&mp, f), 1e-9);
  }
  assert_int_equal(liq_margin_bracket(&mp, 49999.0), 0);
  assert_int_equal(liq_margin_bracket(&mp, 50000.0), 1);
  assert_int_equal(liq_margin_bracket(&mp, 5e8), 9);
  /* Leverage caps per bracket, and the global 1/initial = 125x. */
  assert_rel(liq_margin_max_leverage(&mp, 1000.0), 125.0, 1e-12);
  assert_rel(liq_margin_max_leverage(&mp, 3e5), 50.0, 1e-12);
  assert_rel(liq_margin_max_leverage(&mp, 2.5e7), 5.0, 1e-12);
}

static void test_tier_liquidation_price_matches_binance(void **state) {
  liq_margin_params mp = { 0 };
  struct { int side; double q, ep, wb; size_t bracket; } cases[] = {
    {  1, 10.0, 30000.0, 30000.0, 2 },   /* 10x, 300k notional */
    {  1,  2.0, 30000.0,  3000.0, 1 },   /* 20x, 60k */
    {  1,  1.7, 30000.0,  5100.0, 0 },   /* opens in bracket 1, liquidates in 0 */
    { -1, 10.0, 30000.0, 30000.0, 2 },
    { -1,  1.6, 30000.0,  4800.0, 1 },   /* opens in 0 (48k), liquidates in 1 */
    {  1, 400.0, 30000.0, 1.2e6, 4 },    /* 10x, 12M notional */
    { -1, 0.01, 30000.0,  3.0, 0 },      /* 100x, tiny */
  };
  size_t i;
  (void)state;
  btc_tiers(&mp);
  for (i = 0; i < sizeof cases / sizeof *cases; i++) {
    double lp = liq_margin_rule_liq_price(&mp, cases[i].side, cases[i].q, cases[i].ep,
                                          cases[i].wb);
    double want = binance_lp(cases[i].side, cases[i].q, cases[i].ep, cases[i].wb,
                             cases[i].bracket);
    assert_rel(lp, want, 1e-12);
    /* The bracket used is the one of the notional at the liquidation price. */
    assert_int_equal(liq_margin_bracket(&mp, cases[i].q * lp), cases[i].bracket);
    /* And equity equals MM there. */
    assert_rel(liq_margin_equity(cases[i].side, cases[i].q, cases[i].ep, cases[i].wb, lp),
               liq_margin_mm(&mp, cases[i].q * lp), 1e-9);
  }
}

static void test_restore_share(void **state) {
  liq_margin_params mp = { 0 };
  double s;
  (void)state;
  mp.initial = 0.1;
  mp.maintenance = 0.05;
  /* Long 10x at 100 seen at 94: E = 4, MM = 4.7; buffer 0.1, no fee. */
  s = liq_margin_restore_share(&mp, 1, 1.0, 100.0, 10.0, 94.0, 0.1, 0.0);
  assert_rel(s, 1.0 - 4.0 / (1.1 * 0.05 * 94.0), 1e-12);
  /* A fee of 6 % > 1.1 * 5 %: closing more costs more than it frees. */
  assert_rel(liq_margin_restore_share(&mp, 1, 1.0, 100.0, 10.0, 94.0, 0.1, 0.06), 1.0, 0.0);
  /* Bankrupt: everything goes. */
  assert_rel(liq_margin_restore_share(&mp, 1, 1.0, 100.0, 10.0, 89.0, 0.1, 0.0), 1.0, 0.0);
  /* Under tiers the bisection lands on the same answer in bracket 0. */
  btc_tiers(&mp);
  s = liq_margin_restore_share(&mp, 1, 1.0, 30000.0, 300.0, 29800.0, 0.1, 0.0);
  assert_true(s > 0.0 && s < 1.0);
  assert_rel(300.0 - 200.0, 1.1 * liq_margin_mm(&mp, (1.0 - s) * 29800.0), 1e-9);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_liquidation_price_closed_form),
    cmocka_unit_test(test_known_values),
    cmocka_unit_test(test_threshold_price_for_calls),
    cmocka_unit_test(test_normalised_cushion),
    cmocka_unit_test(test_tier_amounts_match_published),
    cmocka_unit_test(test_tier_liquidation_price_matches_binance),
    cmocka_unit_test(test_restore_share),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
