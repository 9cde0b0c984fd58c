/*
** test_impact.c: the impact formulas (linear and square-root) in closed form.
*/
#include <math.h>
#include <stdio.h>

#include "liq_impact.h"
#include "liq_scenario.h"
#include "liq_test_support.h"

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

/*
** Used to: readDepthFile() had no BOM handling (the price and book
** readers strip it), so a depth CSV saved by a spreadsheet with a BOM
** failed with 'pct "\xEF\xBB\xBFpct" is not a number'.  Now it is
** stripped.
*/
static void test_depth_file_bom(void **state) {
  char dir[256], csv[512], text[4096];
  liq_scenario *sc = NULL;
  liq_err err;
  size_t n_depth;
  int rc;
  (void)state;
  liq_test_temp_dir("liqsim-impact", dir, sizeof dir);
  liq_test_write_text(dir, "depth_bom.csv",
             "\xEF\xBB\xBF" "pct,bid,ask\n0.1,1000,1000\n0.5,5000,5000\n",
             csv, sizeof csv);
  snprintf(text, sizeof text,
           LIQ_TEST_GBM_HEAD LIQ_TEST_BOOK_MARGIN
           "impact = { model = \"depth\"; depth_file = \"%s\"; };\n", csv);
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "depth.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  n_depth = sc->impact.n_depth;
  liq_scenario_free(sc);
  assert_int_equal(n_depth, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_none_is_zero),
    cmocka_unit_test(test_linear),
    cmocka_unit_test(test_sqrt),
    cmocka_unit_test(test_sqrt_cascade_costs_one_trade),
    cmocka_unit_test(test_depth_file_bom),
  };
  return cmocka_run_group_tests(tests, NULL, liq_test_remove_temp_dirs);
}
