/*
** test_impact.c: the impact formulas (linear and square-root) in closed form.
*/
#include <math.h>

#include "liq_impact.h"
#include "test_util.h"

static liq_impact_params params(int model, double k, double volume) {
  liq_impact_params ip;
  ip.model = model;
  ip.coefficient = k;
  ip.daily_volume = volume;
  ip.daily_volatility = nan("");
  ip.max_rounds = 100;
  return ip;
}

static void test_none_is_zero(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_NONE, 1.0, 1e9);
  (void)state;
  assert_true(liq_impact_log_move(&ip, 0.04, 0.0, -1e12) == 0.0);
}

static void test_linear(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_LINEAR, 0.7, 2.0e10);
  (void)state;
  /* Selling 1e8 of 2e10 daily volume with k = 0.7: r = 0.0035. */
  assert_rel(liq_impact_log_move(&ip, 0.04, 0.0, -1.0e8), -0.0035, 1e-14);
  assert_rel(liq_impact_log_move(&ip, 0.04, 0.0, 1.0e8), 0.0035, 1e-14);
  /* Linear in size. */
  assert_rel(liq_impact_log_move(&ip, 0.04, 0.0, -3.0e8), 3.0 * liq_impact_log_move(&ip, 0.04, 0.0, -1.0e8), 1e-14);
  assert_true(liq_impact_log_move(&ip, 0.04, 0.0, 0.0) == 0.0);
}

static void test_sqrt(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.7, 2.0e10);
  double sigma = 0.8 / sqrt(365.0);
  (void)state;
  /* r = Y sigma_d sqrt(Q/V): 1 % of daily volume moves 0.07 sigma_d. */
  assert_rel(liq_impact_log_move(&ip, sigma, 0.0, -2.0e8), -0.7 * sigma * 0.1, 1e-14);
  /* Four times the size, twice the move. */
  assert_rel(liq_impact_log_move(&ip, sigma, 0.0, 8.0e8), 2.0 * liq_impact_log_move(&ip, sigma, 0.0, 2.0e8), 1e-14);
}

static void test_sqrt_cascade_costs_one_trade(void **state) {
  liq_impact_params ip = params(LIQ_IMPACT_SQRT, 0.7, 2.0e10);
  double sigma = 0.04, flow = 0.0, total = 0.0;
  int k;
  (void)state;
  /* Ten rounds of 1e7 sold move the price as one sale of 1e8. */
  for (k = 0; k < 10; k++) {
    total += liq_impact_log_move(&ip, sigma, flow, -1.0e7);
    flow -= 1.0e7;
  }
  assert_rel(total, liq_impact_level(&ip, sigma, -1.0e8), 1e-12);
  assert_rel(total, -0.7 * sigma * sqrt(1.0e8 / 2.0e10), 1e-12);
  /* A round against the flow moves back along the same curve. */
  assert_rel(liq_impact_log_move(&ip, sigma, -1.0e8, 1.0e8), -total, 1e-12);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_none_is_zero),
    cmocka_unit_test(test_linear),
    cmocka_unit_test(test_sqrt),
    cmocka_unit_test(test_sqrt_cascade_costs_one_trade),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
