/*
** test_backtest.c: margin backtests (core/backtest*.c, store_backtest.c).
**
** The coverage statistics are checked against published tables:
**   - Basel Committee (1996), "Supervisory framework for the use of
**     'backtesting' in conjunction with the internal models approach to
**     market risk capital requirements", Table 2: cumulative probabilities
**     of 0..10 exceptions in 250 observations of a 99 % model, and the
**     zones green 0-4, yellow 5-9, red 10+;
**   - Kupiec (1995), "Techniques for verifying the accuracy of risk
**     measurement models", J. Derivatives 3(2), Table 3 (reproduced in
**     Jorion, "Value at Risk", 3rd ed., ch. 6): the non-rejection regions
**     of the POF test at 5 % test size for T = 255, 510, 1000 and
**     p = 0.01 .. 0.10;
**   - Christoffersen (1998), "Evaluating interval forecasts", Int. Econ.
**     Rev. 39(4): the paper gives the LR_ind and LR_cc formulas but no
**     numeric hit sequence; the clustered example below (T = 250, p = 4 %,
**     exceedances on days 40-42, 100-101, 200-204, a textbook exercise) is
**     worked by hand from those formulas, the intermediate counts in the
**     comment so the numbers can be re-derived.
** The models are checked for the properties a referee checks: no
** look-ahead (changing bar t onwards leaves bar t's margin unchanged),
** the side of an exceedance, hand-computed HS and EWMA margins, gaps,
** the margin file's errors at FILE:LINE, and the APC tools' bounds.
*/
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <sqlite3.h>

#include "liq_backtest.h"
#include "liq_path.h"
#include "liq_scenario.h"

/* ------------------------------------------------------------------------
** Basel traffic light
*/

static void test_basel_1996_table(void **state) {
  /* Basel (1996) Table 2, 250 observations, 99 % coverage: cumulative
  ** probability of k or fewer exceptions, in percent (two decimals). */
  static const double cum[11] = { 8.11, 28.58, 54.32, 75.81, 89.22, 95.88,
                                  98.63, 99.60, 99.89, 99.97, 99.99 };
  static const int zone[11] = { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2 };
  size_t k, g, y;
  (void)state;
  for (k = 0; k <= 10; k++) {
    double c = 100.0 * liq_binomial_cdf(k, 250, 0.01);
    assert_true(fabs(c - cum[k]) < 0.005 + 1e-9);
    assert_int_equal(liq_traffic_light_zone(k, 250, 0.99), zone[k]);
  }
  assert_int_equal(liq_traffic_light_zone(60, 250, 0.99), LIQ_ZONE_RED);
  liq_traffic_light_bounds(250, 0.99, &g, &y);
  assert_int_equal(g, 4);
  assert_int_equal(y, 9);
  assert_string_equal(liq_zone_name(LIQ_ZONE_YELLOW), "yellow");
}

static void test_traffic_light_other_levels(void **state) {
  /* The same rule (P(X <= k) < 95 % green, < 99.99 % yellow) at other
  ** coverage levels, bounds computed independently with exact rational
  ** binomial sums (Python fractions/math.comb). */
  static const struct { double c; size_t g, y; } t[] = {
    { 0.975, 10, 16 }, { 0.95, 17, 26 }, { 0.98, 8, 14 }, { 0.97, 11, 18 },
    { 0.995, 2, 6 }, { 0.999, 0, 3 } };
  size_t i, g, y;
  (void)state;
  for (i = 0; i < sizeof t / sizeof t[0]; i++) {
    liq_traffic_light_bounds(250, t[i].c, &g, &y);
    assert_int_equal(g, t[i].g);
    assert_int_equal(y, t[i].y);
  }
}

/* ------------------------------------------------------------------------
** Kupiec
*/

static void test_kupiec_1995_regions(void **state) {
  /* Kupiec (1995) Table 3: N in (lo, hi) is not rejected at 5 %.  lo = -1
  ** where the table gives only "N < hi" (p = 0.01, T = 255: the LR at N = 0
  ** is 5.13 > 3.84, so the LR does reject 0; we check the upper bound). */
  static const struct { double p; size_t T; int lo, hi; } t[] = {
    { 0.01, 255, -1, 7 },   { 0.01, 510, 1, 11 },   { 0.01, 1000, 4, 17 },
    { 0.025, 255, 2, 12 },  { 0.025, 510, 6, 21 },  { 0.025, 1000, 15, 36 },
    { 0.05, 255, 6, 21 },   { 0.05, 510, 16, 36 },  { 0.05, 1000, 37, 65 },
    { 0.075, 255, 11, 28 }, { 0.075, 510, 27, 51 }, { 0.075, 1000, 59, 92 },
    { 0.10, 255, 16, 36 },  { 0.10, 510, 38, 65 },  { 0.10, 1000, 81, 120 } };
  size_t i, N;
  (void)state;
  for (i = 0; i < sizeof t / sizeof t[0]; i++) {
    for (N = 0; N <= (size_t)t[i].hi + 5; N++) {
      double lr, pv;
      int inside = (int)N < t[i].hi && (t[i].lo < 0 ? N >= 1 : (int)N > t[i].lo);
      liq_kupiec_pof(t[i].T, N, t[i].p, &lr, &pv);
      if (inside != (pv >= 0.05))
        fail_msg("p %g T %zu N %zu: LR %g p-value %g, table says %s", t[i].p,
                 t[i].T, N, lr, pv, inside ? "accept" : "reject");
    }
  }
}

static void test_kupiec_values_and_edges(void **state) {
  double lr, pv;
  (void)state;
  /* x = n p exactly: no evidence, LR 0. */
  liq_kupiec_pof(250, 10, 0.04, &lr, &pv);
  assert_true(fabs(lr) < 1e-12);
  assert_rel(pv, 1.0, 1e-12);
  /* x = 0: LR = -2 n ln(1 - p) (0 ln 0 = 0); 250, 1 %: 5.0252 */
  liq_kupiec_pof(250, 0, 0.01, &lr, &pv);
  assert_rel(lr, -2.0 * 250.0 * log(0.99), 1e-12);
  assert_rel(pv, gsl_cdf_chisq_Q(lr, 1.0), 1e-12);
  /* x = n: LR = -2 n ln p */
  liq_kupiec_pof(20, 20, 0.01, &lr, &pv);
  assert_rel(lr, -2.0 * 20.0 * log(0.01), 1e-12);
  /* n = 0 */
  liq_kupiec_pof(0, 0, 0.01, &lr, &pv);
  assert_true(lr == 0.0 && pv == 1.0);
  /* 250 days, 99 %, 10 exceptions (Basel's red threshold): by hand
  ** -2[240 ln .99 + 10 ln .01] + 2[240 ln .96 + 10 ln .04] = 12.9555 */
  liq_kupiec_pof(250, 10, 0.01, &lr, &pv);
  assert_rel(lr, -2.0 * (240.0 * log(0.99) + 10.0 * log(0.01)) +
                   2.0 * (240.0 * log(0.96) + 10.0 * log(0.04)), 1e-12);
  assert_true(lr > 12.955 && lr < 12.956);
}

/* ------------------------------------------------------------------------
** Christoffersen
*/

static void test_christoffersen_clustered(void **state) {
  /* T = 250, p = 4 %, hits on days 40, 41, 42, 100, 101, 200..204 (1-based).
  ** Transitions: n00 = 236, n01 = 3, n10 = 3, n11 = 7; pi01 = 3/239,
  ** pi11 = 7/10, pi = 10/249.  LR_ind = -2[239 ln(239/249) + 10 ln(10/249)]
  ** + 2[236 ln(236/239) + 3 ln(3/239) + 3 ln(3/10) + 7 ln(7/10)] = 39.4437;
  ** Kupiec LR = 0 (10 = 250 x 4 %), so LR_cc = 39.4437. */
  unsigned char h[250];
  static const int days[10] = { 40, 41, 42, 100, 101, 200, 201, 202, 203, 204 };
  liq_christoffersen c;
  int i;
  (void)state;
  memset(h, 0, sizeof h);
  for (i = 0; i < 10; i++) h[days[i] - 1] = 1;
  liq_christoffersen_test(h, NULL, 250, 0.04, &c);
  assert_int_equal(c.n00, 236);
  assert_int_equal(c.n01, 3);
  assert_int_equal(c.n10, 3);
  assert_int_equal(c.n11, 7);
  assert_rel(c.lr_ind, 39.44368459601805, 1e-10);
  assert_rel(c.lr_cc, 39.44368459601805, 1e-10);
  assert_rel(c.p_ind, gsl_cdf_chisq_Q(c.lr_ind, 1.0), 1e-12);
  assert_true(c.p_ind < 1e-9);
  assert_rel(c.p_cc, exp(-c.lr_cc / 2.0), 1e-10);   /* chi2(2) survival */

  /* The same ten hits spread every 25 days: no clustering.
  ** n00 = 230, n01 = 10, n10 = 9, n11 = 0: LR_ind = 0.751764. */
  memset(h, 0, sizeof h);
  for (i = 25; i <= 250; i += 25) h[i - 1] = 1;
  liq_christoffersen_test(h, NULL, 250, 0.04, &c);
  assert_int_equal(c.n11, 0);
  assert_rel(c.lr_ind, 0.7517635166763768, 1e-10);
  assert_true(c.p_ind > 0.3);
}

static void test_christoffersen_edges(void **state) {
  unsigned char h[100];
  liq_christoffersen c;
  double lr, pv;
  (void)state;
  /* No exceedance: LR_ind 0, LR_cc = Kupiec's. */
  memset(h, 0, sizeof h);
  liq_christoffersen_test(h, NULL, 100, 0.01, &c);
  assert_true(c.lr_ind == 0.0);
  assert_rel(c.p_ind, 1.0, 1e-12);
  liq_kupiec_pof(100, 0, 0.01, &lr, &pv);
  assert_rel(c.lr_cc, lr, 1e-12);
  /* One exceedance, on the last day: n10 = n11 = 0, pi11 undefined. */
  h[99] = 1;
  liq_christoffersen_test(h, NULL, 100, 0.01, &c);
  assert_int_equal(c.n10 + c.n11, 0);
  assert_true(isfinite(c.lr_ind) && c.lr_ind >= 0.0);
  assert_true(c.lr_ind < 1e-9);
  /* All exceedances: every transition 1 -> 1, nothing to compare. */
  memset(h, 1, sizeof h);
  liq_christoffersen_test(h, NULL, 100, 0.01, &c);
  assert_int_equal(c.n11, 99);
  assert_true(c.lr_ind < 1e-9 && isfinite(c.lr_cc));
  /* Fewer than two observations. */
  liq_christoffersen_test(h, NULL, 1, 0.01, &c);
  assert_true(c.lr_ind == 0.0);
  liq_christoffersen_test(h, NULL, 0, 0.01, &c);
  assert_true(c.lr_ind == 0.0 && c.lr_cc == 0.0);
}

/* A gap breaks the chain: hits 1 1 | 1 1 (a gap before the third) are
** two 1 -> 1 transitions, not three; a gap before every observation
** leaves no transition at all. */
static void test_christoffersen_gaps(void **state) {
  unsigned char h[4] = { 1, 1, 1, 1 }, gap[4] = { 0, 0, 1, 0 }, all[4] = { 1, 1, 1, 1 };
  unsigned char h2[6] = { 0, 1, 0, 1, 1, 0 }, gap2[6] = { 0, 0, 0, 0, 1, 0 };
  liq_christoffersen c;
  (void)state;
  liq_christoffersen_test(h, gap, 4, 0.01, &c);
  assert_int_equal(c.n11, 2);
  assert_int_equal(c.n00 + c.n01 + c.n10, 0);
  liq_christoffersen_test(h, all, 4, 0.01, &c);
  assert_int_equal(c.n00 + c.n01 + c.n10 + c.n11, 0);
  assert_true(c.lr_ind == 0.0);
  /* 0 1 0 1 | 1 0: n01 = 2, n10 = 2 and the 1 -> 1 across the gap is gone */
  liq_christoffersen_test(h2, gap2, 6, 0.01, &c);
  assert_int_equal(c.n01, 2);
  assert_int_equal(c.n10, 2);
  assert_int_equal(c.n11, 0);
  assert_int_equal(c.n00, 0);
}

/* GARCH's H-bar variance: the hourly BTC fits have alpha + beta = 1 to
** 12-13 digits, where the closed form H vbar + (h - vbar)(1 - ph^H)/(1 - ph)
** lost every digit (vbar = omega/(1 - ph) ~ 1e6 against a sum ~ 1e-3). */
static void test_garch_horizon_variance(void **state) {
  double omega = 1e-7, h = 1e-4, ph, want, got;
  size_t H = 24, k;
  (void)state;
  /* ph = 1 exactly (integrated GARCH): sum_k (h + k omega) */
  want = (double)H * h + omega * (double)(H * (H - 1) / 2);
  got = liq_garch_horizon_variance(omega, 1.0, h, H);
  assert_true(fabs(got / want - 1.0) < 1e-12);
  /* ph = 1 - 1e-13: the same to about 1e-11 */
  ph = 1.0 - 1e-13;
  got = liq_garch_horizon_variance(omega, ph, h, H);
  assert_true(fabs(got / want - 1.0) < 1e-9);
  /* a stationary case against the closed form, where it is accurate */
  ph = 0.9;
  want = 0.0;
  for (k = 0; k < H; k++)
    want += omega / (1.0 - ph) + pow(ph, (double)k) * (h - omega / (1.0 - ph));
  got = liq_garch_horizon_variance(omega, ph, h, H);
  assert_true(fabs(got / want - 1.0) < 1e-12);
  assert_true(fabs(liq_garch_horizon_variance(omega, ph, h, 1) - h) < 1e-20);
}

/* The garch quantile on the H-bar sd: exact t at H = 1; for H > 1 never
** below the normal's (the unit-variance t(3.23) is 1.411 at 95 %, below
** the normal's 1.645: a margin under both the H = 1 and the H = infinity
** quantile). */
static void test_garch_horizon_quantile(void **state) {
  double nu = 3.23, t95 = gsl_cdf_tdist_Pinv(0.95, nu) * sqrt((nu - 2.0) / nu);
  double t99 = gsl_cdf_tdist_Pinv(0.99, nu) * sqrt((nu - 2.0) / nu);
  (void)state;
  assert_true(t95 < gsl_cdf_ugaussian_Pinv(0.95));
  assert_rel(liq_garch_horizon_quantile(0.95, nu, 1), t95, 1e-12);
  assert_rel(liq_garch_horizon_quantile(0.99, nu, 1), t99, 1e-12);
  assert_rel(liq_garch_horizon_quantile(0.95, nu, 24), gsl_cdf_ugaussian_Pinv(0.95), 1e-12);
  assert_rel(liq_garch_horizon_quantile(0.99, nu, 24), t99, 1e-12);
}

static void test_procyclicality(void **state) {
  /* 1, 1, 2, 4, 1, 3 (x 0.01): peak/trough 4; the largest rise within a
  ** window of 2 points is 4 / 1 - 1 = 3 (points 1 -> 3), within 1 point
  ** 3 / 1 - 1 = 2 (points 4 -> 5). */
  static const double m[6] = { 0.01, 0.01, 0.02, 0.04, 0.01, 0.03 };
  double pt, inc;
  (void)state;
  liq_procyclicality(m, 6, 2, &pt, &inc);
  assert_rel(pt, 4.0, 1e-12);
  assert_rel(inc, 3.0, 1e-12);
  liq_procyclicality(m, 6, 1, &pt, &inc);
  assert_rel(inc, 2.0, 1e-12);
}

/* ------------------------------------------------------------------------
** Models
*/

/* A GBM-like path of n hourly closes from a fixed seed, with a -30 %
** crash over 'crash_len' bars starting at bar crash_at (0: none). */
static liq_path *test_path(size_t n, size_t crash_at, size_t crash_len) {
  double *c = malloc(n * sizeof *c);
  liq_path *p = NULL, *g = NULL;
  liq_err err;
  size_t i;
  liq_err_clear(&err);
  assert_non_null(c);
  assert_liq_ok(liq_path_gbm(30000.0, 0.0, 0.8, 3600.0, n, 7, &g, &err), &err);
  for (i = 0; i < n; i++) {
    c[i] = g->close[i];
    if (crash_len && i >= crash_at)
      c[i] *= exp(log(0.7) * fmin(1.0, (double)(i - crash_at + 1) / (double)crash_len));
  }
  assert_liq_ok(liq_path_from_arrays(n, NULL, NULL, NULL, c, 3600.0, &p, &err), &err);
  liq_path_free(g);
  free(c);
  return p;
}

static liq_backtest_result *run_model(const liq_path *p, int model, size_t H, size_t L,
                                      int apc) {
  liq_backtest_settings s;
  liq_backtest_result *r = NULL;
  liq_err err;
  liq_err_clear(&err);
  liq_backtest_defaults(&s);
  s.model = model;
  s.horizon_bars = H;
  s.lookback_bars = L;
  s.apc = apc;
  s.refit_bars = 100;
  assert_liq_ok(liq_backtest_run(p, "test.csv", &s, NULL, &r, &err), &err);
  return r;
}

static size_t index_of(const liq_backtest_result *r, int64_t t_ms) {
  size_t k;
  for (k = 0; k < r->n; k++)
    if (r->t_ms[k] == t_ms) return k;
  fail_msg("bar %lld not in the result", (long long)t_ms);
  return 0;
}

static void test_no_lookahead(void **state) {
  /* Replacing bars t.. by a crash must leave the margins of bars <= t
  ** unchanged (they use closes before t only) and change a later one. */
  static const int models[] = { LIQ_BT_HS, LIQ_BT_EWMA, LIQ_BT_FHS, LIQ_BT_GARCH };
  liq_path *a = test_path(1200, 0, 0), *b = test_path(1200, 900, 1);
  size_t i, k;
  (void)state;
  for (i = 0; i < sizeof models / sizeof models[0]; i++) {
    liq_backtest_result *ra = run_model(a, models[i], 4, 400, LIQ_APC_NONE);
    liq_backtest_result *rb = run_model(b, models[i], 4, 400, LIQ_APC_NONE);
    size_t t900 = index_of(ra, a->t_ms[900]);
    int changed = 0;
    assert_int_equal(ra->n, rb->n);
    for (k = 0; k <= t900; k++) {
      assert_true(ra->margin_long[k] == rb->margin_long[k]);
      assert_true(ra->margin_short[k] == rb->margin_short[k]);
    }
    for (k = t900 + 1; k < ra->n; k++)
      changed |= ra->margin_long[k] != rb->margin_long[k];
    assert_true(changed);
    /* The crash starting at bar 900 is a fall: bar 900's move exceeds
    ** the long's margin, never the short's. */
    assert_true(rb->exceed_long[t900]);
    assert_false(rb->exceed_short[t900]);
    assert_true(rb->move[t900] < log(0.75));
    liq_backtest_result_free(ra);
    liq_backtest_result_free(rb);
  }
  liq_path_free(a);
  liq_path_free(b);
}

/* The APC tools read the model's past margins (buffer's 30-day low,
** stress's ten-year high) and the HS floor over past windows only:
** a crash from bar 900 on leaves every posted margin up to bar 900 alone. */
static void test_no_lookahead_apc(void **state) {
  /* HS over 100 bars under its whole-history floor: the floor binds */
  static const int apcs[] = { LIQ_APC_BUFFER, LIQ_APC_FLOOR, LIQ_APC_STRESS,
                              LIQ_APC_FLOOR };
  static const int models[] = { LIQ_BT_EWMA, LIQ_BT_EWMA, LIQ_BT_EWMA, LIQ_BT_HS };
  static const size_t lookback[] = { 400, 400, 400, 100 };
  liq_path *a = test_path(1200, 0, 0), *b = test_path(1200, 900, 1);
  size_t i, k;
  (void)state;
  for (i = 0; i < sizeof apcs / sizeof apcs[0]; i++) {
    liq_backtest_result *ra = run_model(a, models[i], 4, lookback[i], apcs[i]);
    liq_backtest_result *rb = run_model(b, models[i], 4, lookback[i], apcs[i]);
    size_t t900 = index_of(ra, a->t_ms[900]);
    int changed = 0;
    for (k = 0; k <= t900; k++) {
      assert_true(ra->margin_long[k] == rb->margin_long[k]);
      assert_true(ra->margin_short[k] == rb->margin_short[k]);
    }
    for (k = t900 + 1; k < ra->n; k++)
      changed |= ra->margin_long[k] != rb->margin_long[k];
    assert_true(changed);
    liq_backtest_result_free(ra);
    liq_backtest_result_free(rb);
  }
  liq_path_free(a);
  liq_path_free(b);
}

static void test_zone_needs_250(void **state) {
  /* 100 non-overlapping observations: no zone (Basel's rule at 3 or 100
  ** observations would call 0 exceedances yellow or worse). */
  liq_path *p = test_path(400, 0, 0);
  liq_backtest_result *r = run_model(p, LIQ_BT_EWMA, 2, 199, LIQ_APC_NONE);
  size_t k;
  (void)state;
  assert_int_equal(r->side[0].nonoverlap.n_obs, 100);
  assert_int_equal(r->side[0].zone, -1);
  assert_null(liq_zone_name(r->side[0].zone));
  for (k = 0; k < r->n; k++) assert_int_equal(r->zone_long[k], -1);
  assert_int_equal(r->side[1].windows[0] + r->side[1].windows[1] + r->side[1].windows[2], 0);
  liq_backtest_result_free(r);
  liq_path_free(p);
}

static void test_margin_at_matches_run(void **state) {
  /* The margin for a bar opening at T from the bars before T alone (what a
  ** scenario's margin.initial_from uses) is the backtest's margin at T. */
  static const int models[] = { LIQ_BT_HS, LIQ_BT_EWMA, LIQ_BT_FHS, LIQ_BT_GARCH };
  liq_path *p = test_path(900, 700, 3);
  liq_backtest_settings s;
  liq_err err;
  size_t i, k;
  (void)state;
  liq_err_clear(&err);
  for (i = 0; i < sizeof models / sizeof models[0]; i++) {
    liq_backtest_result *r = run_model(p, models[i], 4, 300, LIQ_APC_NONE);
    for (k = 0; k < r->n; k += models[i] == LIQ_BT_GARCH ? 100 : 37) {
      double ml, msh;
      liq_backtest_defaults(&s);
      s.model = models[i];
      s.horizon_bars = 4;
      s.lookback_bars = 300;
      s.refit_bars = 100;
      if (models[i] == LIQ_BT_GARCH) s.refit_bars = 100000;   /* fit at T itself */
      assert_liq_ok(liq_backtest_margin_at(p, "p.csv", &s, r->t_ms[k], &ml, &msh, &err),
                    &err);
      if (models[i] == LIQ_BT_GARCH) {
        /* the run refits every 100 bars: equal where it just refitted */
        if (k % 100 != 0) continue;
      }
      assert_rel(ml, r->margin_long[k], 1e-12);
      assert_rel(msh, r->margin_short[k], 1e-12);
    }
    liq_backtest_result_free(r);
  }
  /* From a file: the bars before T of tests/data/bt_prices.csv. */
  {
    liq_path *f = NULL;
    double a, b, c, d;
    liq_backtest_defaults(&s);
    s.model = LIQ_BT_EWMA;
    s.horizon_bars = 4;
    s.lookback_bars = 48;
    assert_liq_ok(liq_path_replay(LIQ_TEST_DATA "/bt_prices.csv", 0, 0, 0, 0, 0, &f, &err),
                  &err);
    assert_liq_ok(liq_backtest_margin_from_file(LIQ_TEST_DATA "/bt_prices.csv", &s,
                                                f->t_ms[150], &a, &b, &err), &err);
    assert_liq_ok(liq_backtest_margin_at(f, "f", &s, f->t_ms[150], &c, &d, &err), &err);
    assert_rel(a, c, 1e-14);
    assert_rel(b, d, 1e-14);
    /* Half an hour into bar 150: that bar has not closed, so the margin is
    ** the one at its open. */
    assert_liq_ok(liq_backtest_margin_from_file(LIQ_TEST_DATA "/bt_prices.csv", &s,
                                                f->t_ms[150] + 1800000, &a, &b, &err), &err);
    assert_rel(a, c, 1e-14);
    assert_rel(b, d, 1e-14);
    assert_liq_ok(liq_backtest_margin_from_file(LIQ_TEST_DATA "/bt_prices.csv", &s,
                                                INT64_MAX, &a, &b, &err), &err);
    assert_liq_ok(liq_backtest_margin_at(f, "f", &s, INT64_MAX, &c, &d, &err), &err);
    assert_rel(a, c, 1e-14);
    assert_true(a > 0.0 && a < 0.2);
    liq_path_free(f);
  }
  /* Too little history before T. */
  liq_backtest_defaults(&s);
  s.model = LIQ_BT_HS;
  s.horizon_bars = 4;
  s.lookback_bars = 300;
  {
    double ml, msh;
    assert_int_equal(liq_backtest_margin_at(p, "p.csv", &s, p->t_ms[200], &ml, &msh, &err),
                     LIQ_INPUT);
    assert_true(isnan(ml));
    s.model = LIQ_BT_FILE;
    assert_int_equal(liq_backtest_margin_at(p, "p.csv", &s, INT64_MAX, &ml, &msh, &err),
                     LIQ_USAGE);
  }
  liq_path_free(p);
}

static void test_calibrated_on_iid_returns(void **state) {
  /* On a GBM (iid normal returns, constant volatility) a 99 % one-bar HS
  ** over 2,000 bars is correctly specified: over 18,000 bars it should be
  ** exceeded about 180 times per side (binomial sd 13); Kupiec must not
  ** reject at 1 %.  A model that looked ahead or used the wrong tail would
  ** be far off. */
  liq_path *p = test_path(20001, 0, 0);
  liq_backtest_result *r = run_model(p, LIQ_BT_HS, 1, 2000, LIQ_APC_NONE);
  int side;
  (void)state;
  assert_int_equal(r->side[0].all.n_obs, 18000);
  for (side = 0; side < 2; side++) {
    size_t x = r->side[side].all.exceedances;
    if (!(x > 130 && x < 230)) fail_msg("side %d: %zu exceedances of 18000", side, x);
    assert_true(r->side[side].all.kupiec_p > 0.01);
  }
  liq_backtest_result_free(r);
  liq_path_free(p);
}

static void count_progress(void *ud, size_t done, size_t total) {
  size_t *c = ud;
  assert_true(done <= total);
  if (done == total) c[1]++;
  c[0]++;
}

static void test_progress(void **state) {
  /* The callback sees about 100 calls and the end exactly once. */
  liq_path *p = test_path(1000, 0, 0);
  liq_backtest_settings s;
  liq_backtest_result *r = NULL;
  liq_err err;
  size_t c[2] = { 0, 0 };
  (void)state;
  liq_err_clear(&err);
  liq_backtest_defaults(&s);
  s.model = LIQ_BT_EWMA;
  s.horizon_bars = 2;
  s.lookback_bars = 100;
  s.progress = count_progress;
  s.progress_ud = c;
  assert_liq_ok(liq_backtest_run(p, "p.csv", &s, NULL, &r, &err), &err);
  assert_true(c[0] >= 90 && c[0] <= 110);
  assert_int_equal(c[1], 1);
  liq_backtest_result_free(r);
  liq_path_free(p);
}

/* A garch refit that fails (a lookback of constant prices) keeps the
** previous parameters until the next scheduled refit: 600 flat bars with
** refits every 100 bars fail about 5 times, not once a bar. */
static void test_garch_failed_refit_waits(void **state) {
  enum { N = 1400, FLAT = 800, L = 200 };
  double *c = malloc(N * sizeof *c);
  liq_path *g = NULL, *p = NULL;
  liq_backtest_result *r;
  liq_err err;
  size_t i;
  (void)state;
  liq_err_clear(&err);
  assert_non_null(c);
  assert_liq_ok(liq_path_gbm(30000.0, 0.0, 0.8, 3600.0, N, 11, &g, &err), &err);
  for (i = 0; i < N; i++) c[i] = i < FLAT ? g->close[i] : g->close[FLAT - 1];
  assert_liq_ok(liq_path_from_arrays(N, NULL, NULL, NULL, c, 3600.0, &p, &err), &err);
  r = run_model(p, LIQ_BT_GARCH, 1, L, LIQ_APC_NONE);
  /* windows wholly flat: bars FLAT + L + 1 .. N - 1 (399 bars, 4 refits) */
  assert_true(r->garch_fit_failures >= 3);
  assert_true(r->garch_fit_failures <= 5);
  assert_true(r->garch_fits <= r->n / 100 + 2);
  liq_backtest_result_free(r);
  liq_path_free(p);
  liq_path_free(g);
  free(c);
}

static void test_rise_exceeds_short(void **state) {
  /* The mirror: a +40 % jump at bar 700 exceeds the short's margin. */
  double c[1000];
  liq_path *g = test_path(1000, 0, 0), *p = NULL;
  liq_backtest_result *r;
  liq_err err;
  size_t i, k;
  (void)state;
  liq_err_clear(&err);
  for (i = 0; i < 1000; i++) c[i] = g->close[i] * (i >= 700 ? 1.4 : 1.0);
  assert_liq_ok(liq_path_from_arrays(1000, NULL, NULL, NULL, c, 3600.0, &p, &err), &err);
  r = run_model(p, LIQ_BT_EWMA, 1, 300, LIQ_APC_NONE);
  k = index_of(r, p->t_ms[700]);
  assert_true(r->exceed_short[k]);
  assert_false(r->exceed_long[k]);
  assert_rel(r->price[k], c[699], 1e-15);           /* entry: the close before */
  assert_rel(r->move[k], log(c[700] / c[699]), 1e-12);
  liq_backtest_result_free(r);
  liq_path_free(g);
  liq_path_free(p);
}

static void test_hs_by_hand(void **state) {
  /* 8 bars, H = 2, L = 5: bar 6's windows are s = 1..4, moves
  ** ln(c[s+1]/c[s-1]).  Closes 100, 101, 99, 102, 98, 103, 100, 97. */
  static const double c[8] = { 100, 101, 99, 102, 98, 103, 100, 97 };
  double mv[4], lo, hi, v;
  liq_path *p = NULL;
  liq_backtest_result *r;
  liq_err err;
  size_t s, i, j, k;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_from_arrays(8, NULL, NULL, NULL, c, 3600.0, &p, &err), &err);
  r = run_model(p, LIQ_BT_HS, 2, 5, LIQ_APC_NONE);
  /* margins for t = 6 .. 6 (n - H = 6) */
  assert_int_equal(r->n, 1);
  for (s = 1; s <= 4; s++) mv[s - 1] = log(c[s + 1] / c[s - 1]);
  for (i = 0; i < 4; i++)           /* sort 4 values */
    for (j = i + 1; j < 4; j++)
      if (mv[j] < mv[i]) { v = mv[i]; mv[i] = mv[j]; mv[j] = v; }
  /* nearest rank: 1 % of 4 -> the smallest, 99 % of 4 -> the largest */
  lo = mv[0];
  hi = mv[3];
  k = 0;
  assert_rel(r->margin_long[k], 1.0 - exp(lo), 1e-12);
  assert_rel(r->margin_short[k], exp(hi) - 1.0, 1e-12);
  assert_rel(r->move[k], log(c[7] / c[5]), 1e-12);
  liq_backtest_result_free(r);
  liq_path_free(p);
}

/* HS tails are mirror order statistics: 100 one-bar moves at 99 % give
** the smallest for the long and the largest for the short (the 99 %
** nearest rank of 100 would be the second largest). */
static void test_hs_tails_mirror(void **state) {
  enum { N = 102 };
  double c[N], lo = HUGE_VAL, hi = -HUGE_VAL;
  liq_path *p = NULL;
  liq_backtest_result *r;
  liq_err err;
  size_t s;
  (void)state;
  liq_err_clear(&err);
  c[0] = 100.0;
  for (s = 1; s < N; s++) {
    double m = 0.001 * ((double)((s * 37) % 100) - 49.5);   /* distinct moves */
    c[s] = c[s - 1] * exp(m);
    if (s <= 100) {
      lo = fmin(lo, log(c[s] / c[s - 1]));
      hi = fmax(hi, log(c[s] / c[s - 1]));
    }
  }
  assert_liq_ok(liq_path_from_arrays(N, NULL, NULL, NULL, c, 3600.0, &p, &err), &err);
  r = run_model(p, LIQ_BT_HS, 1, 100, LIQ_APC_NONE);
  assert_true(r->n >= 1);
  assert_true(r->t_ms[0] == p->t_ms[101]);    /* its lookback: moves 1..100 */
  assert_rel(r->margin_long[0], 1.0 - exp(lo), 1e-12);
  assert_rel(r->margin_short[0], exp(hi) - 1.0, 1e-12);
  liq_backtest_result_free(r);
  liq_path_free(p);
}

static void test_ewma_by_hand(void **state) {
  /* EWMA variance from r_1 .. r_{t-1}, lambda 0.94 per day on hourly
  ** bars: l = 0.94^(1/24) per bar; seed r_1^2. */
  liq_path *p = test_path(600, 0, 0);
  liq_backtest_result *r = run_model(p, LIQ_BT_EWMA, 3, 200, LIQ_APC_NONE);
  double l = pow(0.94, 1.0 / 24.0), s2 = 0.0, q;
  size_t t, k = 50, bar = 201 + 50;         /* the first margin bar is L + 1 */
  (void)state;
  assert_true(p->t_ms[bar] == r->t_ms[k]);
  for (t = 1; t < bar; t++) {
    double x = log(p->close[t] / p->close[t - 1]);
    s2 = t == 1 ? x * x : l * s2 + (1.0 - l) * x * x;
  }
  q = gsl_cdf_ugaussian_Pinv(0.99) * sqrt(3.0 * s2);
  assert_rel(r->margin_long[k], 1.0 - exp(-q), 1e-10);
  assert_rel(r->margin_short[k], exp(q) - 1.0, 1e-10);
  liq_backtest_result_free(r);
  liq_path_free(p);
}

static void test_gap_leaves_move_out(void **state) {
  /* Hourly bars with one 5-hour hole: the windows across it are not
  ** observed (NaN move, no exceedance), the others are. */
  double c[400];
  liq_path *p = NULL;
  liq_backtest_result *r;
  liq_err err;
  size_t i, k, nan_moves = 0;
  (void)state;
  liq_err_clear(&err);
  for (i = 0; i < 400; i++) c[i] = 100.0 * exp(0.01 * sin((double)i * 1.3));
  assert_liq_ok(liq_path_from_arrays(400, NULL, NULL, NULL, c, 3600.0, &p, &err), &err);
  for (i = 300; i < 400; i++) p->t_ms[i] += 5 * 3600000LL;
  r = run_model(p, LIQ_BT_HS, 3, 100, LIQ_APC_NONE);
  for (k = 0; k < r->n; k++)
    if (isnan(r->move[k])) {
      nan_moves++;
      assert_false(r->exceed_long[k] || r->exceed_short[k]);
    }
  assert_int_equal(nan_moves, 3);            /* windows starting at 298, 299, 300 */
  assert_int_equal(r->side[0].all.n_obs, r->n - 3);
  liq_backtest_result_free(r);
  liq_path_free(p);
}

static void test_apc_bounds(void **state) {
  liq_path *p = test_path(3000, 2000, 2);
  liq_backtest_result *r0 = run_model(p, LIQ_BT_EWMA, 6, 500, LIQ_APC_NONE);
  liq_backtest_result *rb = run_model(p, LIQ_BT_EWMA, 6, 500, LIQ_APC_BUFFER);
  liq_backtest_result *rf = run_model(p, LIQ_BT_EWMA, 6, 500, LIQ_APC_FLOOR);
  liq_backtest_result *rs = run_model(p, LIQ_BT_EWMA, 6, 500, LIQ_APC_STRESS);
  size_t k, j;
  int buffered = 0, released = 0, floored = 0;
  double hi = 0.0;
  (void)state;
  /* No --from: the evaluation starts at the first margin, so the APC
  ** history is r0's series.  buffer = max(m, 1.25 x the 30-day (720-bar)
  ** low), stress = 0.75 m + 0.25 x the highest margin so far (within ten
  ** years), floor >= m. */
  for (k = 0; k < r0->n; k++) {
    double m = r0->margin_long[k], lo = m;
    for (j = k > 720 ? k - 720 : 0; j <= k; j++) lo = fmin(lo, r0->margin_long[j]);
    hi = fmax(hi, m);
    assert_true(rb->model_long[k] == m);
    assert_rel(rb->margin_long[k], fmax(m, 1.25 * lo), 1e-14);
    buffered |= rb->margin_long[k] > 1.2499 * m;
    released |= rb->margin_long[k] < 1.01 * m;  /* a rise ate the buffer */
    assert_true(rf->margin_long[k] >= m);
    floored |= rf->margin_long[k] > m;
    assert_rel(rs->margin_long[k], 0.75 * m + 0.25 * hi, 1e-14);
  }
  if (!(buffered && released)) fail_msg("buffered %d released %d", buffered, released);
  assert_true(floored);                      /* the floor binds somewhere */
  assert_true(rs->side[0].peak_to_trough <= r0->side[0].peak_to_trough);
  liq_backtest_result_free(r0);
  liq_backtest_result_free(rb);
  liq_backtest_result_free(rf);
  liq_backtest_result_free(rs);
  liq_path_free(p);
}

static void test_bad_settings(void **state) {
  liq_path *p = test_path(100, 0, 0);
  liq_backtest_settings s;
  liq_backtest_result *r = NULL;
  liq_err err;
  (void)state;
  liq_backtest_defaults(&s);
  s.model = LIQ_BT_EWMA;
  s.confidence = 1.0;
  assert_int_equal(liq_backtest_run(p, "x.csv", &s, NULL, &r, &err), LIQ_USAGE);
  assert_non_null(strstr(err.msg, "(0, 1)"));
  s.confidence = 0.99;
  s.horizon_bars = 100;                     /* as many bars as the data */
  assert_int_equal(liq_backtest_run(p, "x.csv", &s, NULL, &r, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "longer than the data"));
  assert_string_equal(err.file, "x.csv");
  s.horizon_bars = 24;                      /* default lookback: a year > data */
  assert_int_equal(liq_backtest_run(p, "x.csv", &s, NULL, &r, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "lookback"));
  s.lookback_bars = 50;
  s.has_from = 1;
  s.from_ms = p->t_ms[99] + 1;              /* empty window */
  assert_int_equal(liq_backtest_run(p, "x.csv", &s, NULL, &r, &err), LIQ_INPUT);
  assert_null(r);
  liq_path_free(p);
}

/* ------------------------------------------------------------------------
** Margin files
*/

static void test_margin_file(void **state) {
  liq_path *p = test_path(10, 0, 0);
  char path[512], text[2048];
  liq_margin_series *m = NULL;
  liq_backtest_settings s;
  liq_backtest_result *r = NULL;
  liq_err err;
  size_t i, len = 0;
  (void)state;
  liq_err_clear(&err);
  len += (size_t)snprintf(text + len, sizeof text - len, "open_time_ms,long,short\n");
  for (i = 0; i < 10; i++)
    len += (size_t)snprintf(text + len, sizeof text - len, "%lld,0.05,0.06\n",
                            (long long)p->t_ms[i]);
  liq_test_write_temp(text, ".csv", path, sizeof path);
  assert_liq_ok(liq_margin_series_read(path, &m, &err), &err);
  assert_int_equal(m->n, 10);
  assert_int_equal(m->line[0], 2);
  liq_backtest_defaults(&s);
  s.model = LIQ_BT_FILE;
  s.horizon_bars = 2;
  assert_liq_ok(liq_backtest_run(p, "p.csv", &s, m, &r, &err), &err);
  assert_int_equal(r->n, 8);                /* bars 1 .. n - H */
  assert_rel(r->margin_long[0], 0.05, 1e-14);
  assert_rel(r->margin_short[0], 0.06, 1e-14);
  liq_backtest_result_free(r);
  liq_margin_series_free(m);
  unlink(path);

  /* A missing bar: the error is at the line of the row after it. */
  len = (size_t)snprintf(text, sizeof text, "open_time_ms,long,short\n");
  for (i = 0; i < 10; i++)
    if (i != 4)
      len += (size_t)snprintf(text + len, sizeof text - len, "%lld,0.05,0.06\n",
                              (long long)p->t_ms[i]);
  liq_test_write_temp(text, ".csv", path, sizeof path);
  assert_liq_ok(liq_margin_series_read(path, &m, &err), &err);
  assert_int_equal(liq_backtest_run(p, "p.csv", &s, m, &r, &err), LIQ_INPUT);
  assert_string_equal(err.file, path);
  assert_int_equal(err.line, 6);
  assert_non_null(strstr(err.msg, "no margin row"));
  liq_margin_series_free(m);
  unlink(path);

  /* Bad rows, each at its line. */
  {
    static const struct { const char *text; int line; const char *frag; } bad[] = {
      { "open_time_ms,long,short\n0,0.1,0.1\n3600000,abc,0.1\n", 3, "long margin" },
      { "0,0.1,0.1\n3600000,1.5,0.1\n", 2, "[0, 1)" },
      { "0,0.1,0.1\n3600000,0.1,-0.1\n", 2, "short margin" },
      { "0,0.1,0.1\n0,0.1,0.1\n", 2, "not after" },
      { "0,0.1\n", 1, "3 columns" },
      { "time,long,short\nx,0.1,0.1\n", 2, "not a number" },
      { "\n", 1, "no margin rows" } };
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      liq_test_write_temp(bad[i].text, ".csv", path, sizeof path);
      liq_err_clear(&err);
      assert_int_equal(liq_margin_series_read(path, &m, &err), LIQ_INPUT);
      assert_null(m);
      assert_int_equal(err.line, bad[i].line);
      if (strstr(err.msg, bad[i].frag) == NULL) fail_msg("%s", err.msg);
      unlink(path);
    }
  }
  liq_path_free(p);
}

/* ------------------------------------------------------------------------
** Storage
*/

static void test_store(void **state) {
  liq_path *p = test_path(800, 600, 4);
  liq_backtest_result *r = run_model(p, LIQ_BT_HS, 1, 200, LIQ_APC_NONE);
  liq_backtest_meta meta = { "prices.csv", NULL };
  char db[512];
  sqlite3 *h = NULL;
  sqlite3_stmt *s = NULL;
  int64_t id1 = 0, id2 = 0;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  liq_test_write_temp("", ".db", db, sizeof db);
  unlink(db);
  /* A table as an older liqsim wrote it (no zone_cdf): the column is added. */
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_exec(h, "CREATE TABLE backtests(backtest_id INTEGER NOT NULL,"
    " side TEXT NOT NULL, file TEXT, model TEXT NOT NULL, params TEXT, confidence REAL,"
    " horizon_bars INTEGER, n_obs INTEGER, exceedances INTEGER, kupiec_lr REAL,"
    " kupiec_p REAL, christoffersen_lr_ind REAL, christoffersen_p_ind REAL,"
    " christoffersen_lr_cc REAL, christoffersen_p_cc REAL, zone TEXT,"
    " peak_to_trough REAL, max_increase_30d REAL, created_at TEXT, version TEXT, apc TEXT,"
    " lookback_bars INTEGER, step_seconds REAL, first_t_ms INTEGER, last_t_ms INTEGER,"
    " n_obs_nonoverlap INTEGER, exceedances_nonoverlap INTEGER,"
    " kupiec_lr_nonoverlap REAL, kupiec_p_nonoverlap REAL,"
    " christoffersen_lr_ind_nonoverlap REAL, christoffersen_p_ind_nonoverlap REAL,"
    " christoffersen_lr_cc_nonoverlap REAL, christoffersen_p_cc_nonoverlap REAL,"
    " zone_n_obs INTEGER, zone_exceedances INTEGER, windows_green INTEGER,"
    " windows_yellow INTEGER, windows_red INTEGER, PRIMARY KEY(backtest_id, side))",
    NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(h);
  h = NULL;
  assert_liq_ok(liq_backtest_store(db, &meta, r, &id1, &err), &err);
  assert_liq_ok(liq_backtest_store(db, &meta, r, &id2, &err), &err);
  assert_int_equal(id1, 1);
  assert_int_equal(id2, 2);
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(h,
    "SELECT count(*), sum(exceed_long), sum(move IS NULL) FROM backtest_points"
    " WHERE backtest_id = 2", -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(s, 0), (sqlite3_int64)r->n);
  assert_int_equal(sqlite3_column_int64(s, 1), (sqlite3_int64)r->side[0].all.exceedances);
  sqlite3_finalize(s);
  assert_int_equal(sqlite3_prepare_v2(h,
    "SELECT side, model, exceedances, zone, kupiec_p, json_extract(params, '$.lookback_bars'),"
    " zone_cdf"
    " FROM backtests WHERE backtest_id = 1 ORDER BY side", -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(s, 0), "long");
  assert_string_equal((const char *)sqlite3_column_text(s, 1), "hs");
  assert_int_equal(sqlite3_column_int64(s, 2), (sqlite3_int64)r->side[0].all.exceedances);
  /* 599 observations: a zone for the last 250 and one window per point from
  ** the 250th on */
  assert_int_equal(r->side[0].all.n_obs, 599);
  assert_int_equal(r->side[0].windows[0] + r->side[0].windows[1] + r->side[0].windows[2],
                   599 - 249);
  assert_non_null(sqlite3_column_text(s, 3));
  assert_string_equal((const char *)sqlite3_column_text(s, 3), liq_zone_name(r->side[0].zone));
  assert_int_equal(sqlite3_column_int64(s, 5), 200);
  assert_rel(sqlite3_column_double(s, 6),
             liq_binomial_cdf(r->side[0].zone_exceedances, 250, 0.01), 1e-12);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(s, 0), "short");
  assert_int_equal(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  sqlite3_close(h);
  unlink(db);
  liq_backtest_result_free(r);
  liq_path_free(p);
}

/* ------------------------------------------------------------------------
** margin.initial_from
*/

#define BT_PRICES LIQ_TEST_DATA "/bt_prices.csv"
#define GBM_PRICE "{ model = \"gbm\"; start = 7000.0; volatility = 0.8; };" \
                  " steps = 10; step_seconds = 3600"

/* A small scenario whose price section and margin section are given. */
static int load_with(const char *price, const char *margin, liq_scenario **sc,
                     liq_err *err) {
  char text[4096];
  snprintf(text, sizeof text,
           "name = \"bt-link\";\n"
           "price = %s;\n"
           "book = { positions = 10; long_share = 0.5;\n"
           "  leverage = { values = [2.0, 5.0]; weights = [0.5, 0.5]; };\n"
           "  notional = { dist = \"fixed\"; median = 1000.0; }; entry = { spread = 0.0; }; };\n"
           "margin = %s;\n"
           "impact = { model = \"none\"; };\n", price, margin);
  liq_err_clear(err);
  return liq_scenario_load_string(text, "link.cfg", NULL, 0, sc, err);
}

static void test_initial_from_scenario(void **state) {
  liq_scenario *sc = NULL;
  liq_backtest_settings s;
  liq_path *f = NULL;
  liq_err err;
  double ml, msh;
  (void)state;
  liq_err_clear(&err);
  liq_backtest_defaults(&s);
  s.model = LIQ_BT_EWMA;
  s.horizon_bars = 4;
  s.lookback_bars = 48;

  /* A generated path: the margin after the history's last bar. */
  assert_liq_ok(load_with(GBM_PRICE,
                          "{ initial_from = { model = \"ewma\"; file = \"" BT_PRICES "\";"
                          " confidence = 0.99; horizon_bars = 4; lookback_bars = 48; };"
                          " maintenance = 0.005; }", &sc, &err), &err);
  assert_liq_ok(liq_backtest_margin_from_file(BT_PRICES, &s, INT64_MAX, &ml, &msh, &err),
                &err);
  assert_true(sc->margin.initial_from.present);
  assert_rel(sc->margin.initial, ml, 1e-15);
  assert_rel(sc->margin.initial_from.short_rate, msh, 1e-15);
  /* the chosen rate is in the params JSON the runs row stores */
  assert_non_null(strstr(sc->params_json, "\"margin.initial\":"));
  assert_non_null(strstr(sc->params_json, "\"model\":\"ewma\""));
  liq_scenario_free(sc);

  /* A replay from a window start: the margin for the run's first bar, from
  ** the history before it. */
  assert_liq_ok(liq_path_replay(BT_PRICES, 0, 0, 0, 0, 0, &f, &err), &err);
  {
    char price[512];
    snprintf(price, sizeof price, "{ model = \"replay\"; file = \"%s\"; from = %lld; }",
             BT_PRICES, (long long)f->t_ms[120]);
    assert_liq_ok(load_with(price, "{ initial_from = { model = \"hs\"; file = \""
                            BT_PRICES "\"; horizon_bars = 4; lookback_bars = 48; };"
                            " maintenance = 0.001; }", &sc, &err), &err);
    s.model = LIQ_BT_HS;
    assert_liq_ok(liq_backtest_margin_at(f, "f", &s, f->t_ms[120], &ml, &msh, &err), &err);
    assert_rel(sc->margin.initial, ml, 1e-15);
    assert_int_equal(sc->margin.initial_from.at_ms, f->t_ms[120]);
    liq_scenario_free(sc);
  }
  liq_path_free(f);
}

static void test_initial_from_errors(void **state) {
  /* Each bad margin section fails at the line of the offending setting
  ** (the margin section is on line 6 of load_with's text). */
  static const struct { const char *margin; const char *frag; } bad[] = {
    { "{ initial_from = { model = \"var\"; file = \"" BT_PRICES "\"; }; maintenance = 0.005; }",
      "must be \"hs\", \"ewma\", \"fhs\" or \"garch\"" },
    { "{ initial = 0.02; initial_from = { model = \"hs\"; file = \"" BT_PRICES "\"; };"
      " maintenance = 0.005; }", "exclude each other" },
    { "{ initial_from = { model = \"hs\"; file = \"" BT_PRICES "\"; confidence = 1.5; };"
      " maintenance = 0.005; }", "confidence" },
    { "{ initial_from = { model = \"ewma\"; file = \"" BT_PRICES "\"; };"
      " maintenance = 0.005; }", "lookback" },                 /* 365 days > 200 bars */
    { "{ initial_from = { model = \"ewma\"; file = \"" LIQ_TEST_DATA "/no_such.csv\"; };"
      " maintenance = 0.005; }", "cannot be opened" },
    { "{ initial_from = { file = \"" BT_PRICES "\"; }; maintenance = 0.005; }", "model" },
    { "{ initial_from = { model = \"hs\"; file = \"" BT_PRICES "\"; horizon_bars = 4;"
      " lookback_bars = 48; }; maintenance = 0.5; }", "below margin.initial" },
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    liq_scenario *sc = NULL;
    liq_err err;
    int rc = load_with(GBM_PRICE, bad[i].margin, &sc, &err);
    assert_int_equal(rc, LIQ_INPUT);
    assert_null(sc);
    assert_string_equal(err.file, "link.cfg");
    assert_int_equal(err.line, 6);
    if (strstr(err.msg, bad[i].frag) == NULL) fail_msg("case %zu: %s", i, err.msg);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_basel_1996_table),
    cmocka_unit_test(test_traffic_light_other_levels),
    cmocka_unit_test(test_kupiec_1995_regions),
    cmocka_unit_test(test_kupiec_values_and_edges),
    cmocka_unit_test(test_christoffersen_clustered),
    cmocka_unit_test(test_christoffersen_edges),
    cmocka_unit_test(test_christoffersen_gaps),
    cmocka_unit_test(test_procyclicality),
    cmocka_unit_test(test_garch_horizon_variance),
    cmocka_unit_test(test_garch_horizon_quantile),
    cmocka_unit_test(test_garch_failed_refit_waits),
    cmocka_unit_test(test_no_lookahead),
    cmocka_unit_test(test_no_lookahead_apc),
    cmocka_unit_test(test_zone_needs_250),
    cmocka_unit_test(test_margin_at_matches_run),
    cmocka_unit_test(test_calibrated_on_iid_returns),
    cmocka_unit_test(test_progress),
    cmocka_unit_test(test_rise_exceeds_short),
    cmocka_unit_test(test_hs_by_hand),
    cmocka_unit_test(test_hs_tails_mirror),
    cmocka_unit_test(test_ewma_by_hand),
    cmocka_unit_test(test_gap_leaves_move_out),
    cmocka_unit_test(test_apc_bounds),
    cmocka_unit_test(test_bad_settings),
    cmocka_unit_test(test_margin_file),
    cmocka_unit_test(test_store),
    cmocka_unit_test(test_initial_from_scenario),
    cmocka_unit_test(test_initial_from_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
