/*
** test_calibrate.c: initial-margin calibration (liq_calibrate.h).
**
** The closed form: GBM without drift and impact, every position a long at
** the same leverage 1/initial (the demand is above the cap) entered at
** the start price.  Each long is liquidated at the first close at or
** below p_liq = S0 (1 - imr) / (1 - mmr) (margin.c: c + q(p - e) = mmr q p
** with c = q e imr), so the liquidation probability is the probability
** that the discretely monitored GBM hits ln((1 - imr)/(1 - mmr)).  The
** Broadie-Glasserman-Kou correction turns the discrete barrier into a
** continuous one shifted away by 0.5826 sigma sqrt(dt); the continuous
** first-passage probability of X_t = nu t + sigma W_t (nu = -sigma^2/2)
** below b < 0 by T is
**   Phi((b - nu T)/(sigma sqrt T)) + exp(2 nu b / sigma^2) Phi((b + nu T)/(sigma sqrt T)).
** The calibrated initial margin (an order statistic of the replicates'
** critical margins) must have that root inside its exact interval.
*/
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <sqlite3.h>

#include "test_util.h"

#include "liq_calibrate.h"
#include "liq_scenario.h"

#define SIGMA   0.8
#define STEP_S  3600.0
#define STEPS   168
#define MMR     0.004
#define BGK     0.5826

static const char *const CLOSED_FORM =
  "name = \"closed-form\";\n"
  "seed = 11;\n"
  "steps = 168;\n"
  "step_seconds = 3600;\n"
  "price = { model = \"gbm\"; start = 100.0; drift = 0.0; volatility = 0.8; };\n"
  "book = { positions = 4; long_share = 1.0;\n"
  "  leverage = { values = [200.0]; weights = [1.0]; };\n"
  "  notional = { dist = \"fixed\"; median = 1000.0; };\n"
  "  entry = { spread = 0.0; }; };\n"
  "margin = { initial = 0.1; maintenance = 0.004; call_level = 1.0;\n"
  "  liquidation_fee = 0.0; };\n"
  "impact = { model = \"none\"; };\n"
  "insurance = { fund = 1.0e6; };\n"
  "stats = { quantiles = [0.5]; every = 1; steps = false; events = false; };\n";

static double first_passage_at(double imr, double sigma) {
  double T = STEPS * STEP_S / (365.0 * 86400.0);
  double dt = STEP_S / (365.0 * 86400.0);
  double nu = -0.5 * sigma * sigma, s = sigma * sqrt(T);
  double b = log((1.0 - imr) / (1.0 - MMR)) - BGK * sigma * sqrt(dt);
  return gsl_cdf_ugaussian_P((b - nu * T) / s) +
         exp(2.0 * nu * b / (sigma * sigma)) * gsl_cdf_ugaussian_P((b + nu * T) / s);
}

static double first_passage(double imr) { return first_passage_at(imr, SIGMA); }

static double fp_minus(double imr, void *target) {
  return first_passage(imr) - *(double *)target;
}

/* The same probability as a function of the volatility at imr = 0.1. */
static double fp_sigma_minus(double sigma, void *target) {
  return first_passage_at(0.1, sigma) - *(double *)target;
}

/* The root of f(x) = 0 on [lo, hi] by Brent. */
static double brent_root(double (*f)(double, void *), void *params, double lo,
                         double hi);

/* The initial margin with first-passage probability 'target'. */
static double closed_form_root(double target) {
  return brent_root(fp_minus, &target, 0.005, 0.9);
}

static double brent_root(double (*f)(double, void *), void *params, double lo,
                         double hi) {
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  gsl_function F;
  double r = NAN;
  int it;
  F.function = f;
  F.params = params;
  gsl_root_fsolver_set(s, &F, lo, hi);
  for (it = 0; it < 200; it++) {
    gsl_root_fsolver_iterate(s);
    r = gsl_root_fsolver_root(s);
    if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
                               gsl_root_fsolver_x_upper(s), 1e-10, 0) == GSL_SUCCESS)
      break;
  }
  gsl_root_fsolver_free(s);
  return r;
}

static liq_scenario *load_closed_form(void) {
  char path[512];
  liq_scenario *sc = NULL;
  liq_err err;
  liq_test_write_temp(CLOSED_FORM, ".cfg", path, sizeof path);
  assert_liq_ok(liq_scenario_load(path, NULL, 0, &sc, &err), &err);
  return sc;
}

static liq_calibrate_params params(int target, double max, size_t n) {
  liq_calibrate_params cp;
  memset(&cp, 0, sizeof cp);
  cp.present = 1;
  snprintf(cp.key, sizeof cp.key, "margin.initial");
  cp.lo = 0.02;
  cp.hi = 0.5;
  cp.target = target;
  cp.max = max;
  cp.replicates = n;
  cp.confidence = 0.95;
  cp.tolerance = 1e-4;
  return cp;
}

/* The answer is the order statistic c_(n - m), m = floor(max n), and not
** a neighbour of it: at most m replicates fail at the answer, and an
** evaluated value within 'tolerance' on the failing side has more than m
** (an off-by-one in the rank would leave that value meeting the target). */
static void assert_order_statistic(const liq_calibrate_result *res,
                                   const liq_calibrate_params *cp) {
  size_t i, m = (size_t)floor(cp->max * (double)cp->replicates + 1e-9);
  int neighbour = 0;
  assert_true(res->metric_at_value * (double)cp->replicates <= (double)m + 1e-9);
  for (i = 0; i < res->n_points; i++) {
    const liq_calibrate_point *p = &res->points[i];
    double gap = (double)res->direction * (p->value - res->value);
    if (gap > 0.0 && gap <= cp->tolerance * (1.0 + 1e-9) &&
        p->metric * (double)cp->replicates >= (double)m + 1.0 - 1e-9)
      neighbour = 1;
  }
  assert_true(neighbour);
}

static void test_closed_form_first_passage(void **state) {
  liq_scenario *sc = load_closed_form();
  liq_calibrate_params cp = params(LIQ_CAL_LIQUIDATION_PROBABILITY, 0.1, 2000);
  liq_calibrate_result res;
  liq_err err;
  double root = closed_form_root(0.1);
  (void)state;
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 2, &res, &err), &err);
  printf("closed form root %.5f; calibrated %.5f (CI %.5f to %.5f), metric "
         "%.4f se %.4f, %zu evaluations, %zu runs\n", root, res.value,
         res.ci_low, res.ci_high, res.metric_at_value, res.metric_se,
         res.n_points, res.runs);
  assert_int_equal(res.status, LIQ_CAL_OK);
  assert_int_equal(res.direction, -1);
  assert_true(res.has_value);
  assert_true(res.metric_at_value <= 0.1);
  assert_true(res.ci_low <= res.value && res.value <= res.ci_high);
  assert_true(res.ci_low - cp.tolerance <= root && root <= res.ci_high + cp.tolerance);
  /* the interval is informative: a few percent of the answer, not the range */
  assert_true(res.ci_high - res.ci_low < 0.2 * res.value);
  assert_order_statistic(&res, &cp);
  liq_calibrate_result_free(&res);
  liq_scenario_free(sc);
}

/* A key where more is riskier: the liquidation probability rises with
** price.volatility, so the answer is the largest volatility that meets
** the target; the closed form (at imr = 0.1) lies in its interval. */
static void test_closed_form_increasing(void **state) {
  liq_scenario *sc = load_closed_form();
  liq_calibrate_params cp = params(LIQ_CAL_LIQUIDATION_PROBABILITY, 0.1, 2000);
  liq_calibrate_result res;
  liq_err err;
  double target = 0.1, root = brent_root(fp_sigma_minus, &target, 0.05, 5.0);
  (void)state;
  snprintf(cp.key, sizeof cp.key, "price.volatility");
  cp.lo = 0.1;
  cp.hi = 2.0;
  cp.tolerance = 1e-3;
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 2, &res, &err), &err);
  printf("closed form volatility %.4f; calibrated %.4f (CI %.4f to %.4f)\n",
         root, res.value, res.ci_low, res.ci_high);
  assert_int_equal(res.status, LIQ_CAL_OK);
  assert_int_equal(res.direction, 1);
  assert_true(res.metric_at_value <= 0.1);
  assert_true(res.ci_low <= res.value && res.value <= res.ci_high);
  assert_true(res.ci_low - cp.tolerance <= root && root <= res.ci_high + cp.tolerance);
  assert_true(res.ci_high - res.ci_low < 0.2 * res.value);
  assert_order_statistic(&res, &cp);
  liq_calibrate_result_free(&res);
  liq_scenario_free(sc);
}

/* A continuous target (mean liquidated share of open interest) on the
** same book: Brent stops with a failing value within 'tolerance' below
** the answer, the answer meets the target, and the bootstrap interval
** holds the answer and is informative. */
static void test_continuous_target(void **state) {
  liq_scenario *sc = load_closed_form();
  liq_calibrate_params cp = params(LIQ_CAL_LIQUIDATED_SHARE_MEAN, 0.1, 1000);
  liq_calibrate_result res;
  liq_err err;
  size_t i;
  int below = 0;
  (void)state;
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 2, &res, &err), &err);
  printf("Brent %.5f (bootstrap CI %.5f to %.5f, se %.4f), %zu evaluations\n",
         res.value, res.ci_low, res.ci_high, res.metric_se, res.n_points);
  assert_int_equal(res.status, LIQ_CAL_OK);
  assert_int_equal(res.direction, -1);
  assert_true(res.metric_at_value <= 0.1);
  for (i = 0; i < res.n_points; i++) {
    const liq_calibrate_point *p = &res.points[i];
    if (p->value < res.value && res.value - p->value <= cp.tolerance && p->metric > 0.1)
      below = 1;
    assert_int_equal(p->runs, 1000);        /* continuous: every replicate runs */
  }
  assert_true(below);
  assert_true(res.ci_low <= res.value && res.value <= res.ci_high);
  assert_true(res.ci_high - res.ci_low < 0.3 * res.value);
  assert_true(res.metric_se > 0.0);
  liq_calibrate_result_free(&res);
  liq_scenario_free(sc);
}

/* Every margin of the range meets a loose target; none meets an
** impossible one.  No value either way, the metric at both ends. */
static void test_whole_range_and_none(void **state) {
  liq_scenario *sc = load_closed_form();
  liq_calibrate_params cp = params(LIQ_CAL_LIQUIDATION_PROBABILITY, 0.99, 200);
  liq_calibrate_result res;
  liq_err err;
  (void)state;
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 2, &res, &err), &err);
  assert_int_equal(res.status, LIQ_CAL_ALL_MEET);
  assert_false(res.has_value);
  assert_true(res.metric_lo > res.metric_hi);
  assert_true(res.metric_lo <= 0.99);
  assert_non_null(strstr(res.note, "whole range"));
  assert_int_equal(res.n_points, 5);
  liq_calibrate_result_free(&res);

  cp.max = 0.0;          /* even 50 % initial margin liquidates some paths? */
  cp.lo = 0.02;
  cp.hi = 0.05;
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 2, &res, &err), &err);
  assert_int_equal(res.status, LIQ_CAL_NONE_MEET);
  assert_false(res.has_value);
  assert_true(res.metric_hi > 0.0);
  assert_non_null(strstr(res.note, "no value"));
  liq_calibrate_result_free(&res);
  liq_scenario_free(sc);
}

/* The same answer and the same evaluated points on 1 and 2 threads. */
static void test_deterministic_across_threads(void **state) {
  liq_scenario *sc = load_closed_form();
  liq_calibrate_params cp = params(LIQ_CAL_LIQUIDATION_PROBABILITY, 0.2, 300);
  liq_calibrate_result a, b;
  liq_err err;
  size_t i;
  (void)state;
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 1, &a, &err), &err);
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 2, &b, &err), &err);
  assert_int_equal(a.status, LIQ_CAL_OK);
  assert_true(a.value == b.value && a.ci_low == b.ci_low && a.ci_high == b.ci_high);
  assert_int_equal(a.n_points, b.n_points);
  for (i = 0; i < a.n_points; i++) {
    assert_true(a.points[i].value == b.points[i].value);
    assert_true(a.points[i].metric == b.points[i].metric);
  }
  liq_calibrate_result_free(&a);
  liq_calibrate_result_free(&b);

  /* a continuous target: Brent and the seeded bootstrap */
  cp = params(LIQ_CAL_LIQUIDATED_SHARE_MEAN, 0.2, 200);
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 1, &a, &err), &err);
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 2, &b, &err), &err);
  assert_int_equal(a.status, LIQ_CAL_OK);
  assert_true(a.value == b.value && a.ci_low == b.ci_low && a.ci_high == b.ci_high);
  assert_true(a.ci_low <= a.value + cp.tolerance && a.value <= a.ci_high + cp.tolerance);
  assert_true(a.metric_at_value <= 0.2);
  liq_calibrate_result_free(&a);
  liq_calibrate_result_free(&b);
  liq_scenario_free(sc);
}

/* Binomial order-statistic ranks: coverage at least the confidence, and
** one rank fewer on either side falls below it. */
static void test_quantile_ranks(void **state) {
  size_t l, u;
  double cov;
  (void)state;
  liq_calibrate_quantile_ranks(2000, 0.99, 0.95, &l, &u);
  assert_true(l >= 1 && u <= 2000 && l < 1980 && u > 1980);
  cov = gsl_cdf_binomial_P((unsigned)(u - 1), 0.99, 2000) -
        gsl_cdf_binomial_P((unsigned)(l - 1), 0.99, 2000);
  assert_true(cov >= 0.95);
  assert_true(gsl_cdf_binomial_P((unsigned)l, 0.99, 2000) > 0.025);
  /* and u is the smallest such rank: one rank lower leaves > a/2 above */
  assert_true(gsl_cdf_binomial_Q((unsigned)(u - 2), 0.99, 2000) > 0.025);
  /* recomputed independently (python, exact binomial): 1971 and 1989 */
  assert_int_equal(l, 1971);
  assert_int_equal(u, 1989);
  liq_calibrate_quantile_ranks(2000, 0.9, 0.95, &l, &u);
  assert_int_equal(l, 1773);
  assert_int_equal(u, 1827);
  /* too few draws for a finite upper bound of the 0.99 quantile */
  liq_calibrate_quantile_ranks(50, 0.99, 0.95, &l, &u);
  assert_int_equal(u, 51);
}

static void test_target_names(void **state) {
  int t;
  (void)state;
  for (t = 0; t < LIQ_CAL_N_TARGETS; t++)
    assert_int_equal(liq_calibrate_target_parse(liq_calibrate_target_name(t)), t);
  assert_int_equal(liq_calibrate_target_parse("bad_debt"), -1);
  assert_true(liq_calibrate_target_is_probability(LIQ_CAL_BAD_DEBT_PROBABILITY));
  assert_false(liq_calibrate_target_is_probability(LIQ_CAL_BAD_DEBT_Q99_OI));
}

/* A bad calibrate section: LIQ_INPUT at its line, saying what is wrong. */
static void test_bad_sections(void **state) {
  static const struct { const char *section, *msg; } cases[] = {
    {"calibrate = { key = \"margin.initial\"; range = [0.01, 0.5];\n"
     "  target = \"bad_debt_rate\"; max = 0.01; };\n",
     "calibrate.target \"bad_debt_rate\" is unknown (expected"},
    {"calibrate = {\n  key = \"margin.initial\"; range = [0.5, 0.01];\n"
     "  target = \"bad_debt_probability\"; max = 0.01; };\n",
     "calibrate.range [0.5, 0.01] is empty"},
    {"calibrate = {\n  key = \"name\"; range = [0.01, 0.5];\n"
     "  target = \"bad_debt_probability\"; max = 0.01; };\n",
     "calibrate.key \"name\" is not a numeric scenario key"},
    {"calibrate = { key = \"margin.initial\"; range = [0.01, 0.5];\n"
     "  target = \"bad_debt_probability\"; max = 1.5; };\n",
     "calibrate.max must be in [0, 1) (a probability) for target "
     "bad_debt_probability, got 1.5"},
    {"calibrate = { key = \"margin.initial\"; range = [0.01, 0.5];\n"
     "  target = \"bad_debt_q99_oi\"; max = -0.1; };\n",
     "calibrate.max must be >= 0"},
    {"calibrate = {\n  key = \"book.positions\"; range = [10, 100];\n"
     "  target = \"bad_debt_probability\"; max = 0.01; };\n",
     "takes whole numbers"},
    {"calibrate = { key = \"margin.initial\";\n"
     "  target = \"bad_debt_probability\"; max = 0.01; };\n",
     "calibrate.range is required"},
    {"calibrate = { key = \"margin.initial\"; range = [0.01, 0.5];\n"
     "  target = \"bad_debt_probability\"; max = 0.01; replicates = 1; };\n",
     "calibrate.replicates"},
  };
  static const int lines[] = {16, 16, 16, 16, 16, 16, 15, 16};
  size_t i;
  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *text = malloc(strlen(CLOSED_FORM) + strlen(cases[i].section) + 1);
    liq_scenario *sc = NULL;
    liq_err err;
    strcpy(text, CLOSED_FORM);
    strcat(text, cases[i].section);
    liq_err_clear(&err);
    assert_int_equal(liq_scenario_load_string(text, "bad.cfg", NULL, 0, &sc, &err),
                     LIQ_INPUT);
    assert_null(sc);
    if (strstr(err.msg, cases[i].msg) == NULL || err.line != lines[i])
      fail_msg("case %zu: got line %d: %s", i, err.line, err.msg);
    assert_string_equal(err.file, "bad.cfg");
    free(text);
  }
}

/* A range end the scenario refuses (initial margin below maintenance) is
** LIQ_INPUT at calibrate.range, before anything runs. */
static void test_invalid_range_end(void **state) {
  liq_scenario *sc = load_closed_form();
  liq_calibrate_params cp = params(LIQ_CAL_LIQUIDATION_PROBABILITY, 0.1, 10);
  liq_calibrate_result res;
  liq_err err;
  (void)state;
  cp.lo = 0.001;
  cp.range_line = 7;
  assert_int_equal(liq_calibrate_run(sc, NULL, 0, &cp, 1, &res, &err), LIQ_INPUT);
  assert_int_equal(err.line, 7);
  assert_non_null(strstr(err.msg, "margin.initial = 0.001"));
  liq_calibrate_result_free(&res);
  liq_scenario_free(sc);
}

/* The calibrations row and points of DB's calibration 1, as text. */
static void dump_calibration(const char *db, char *buf, size_t size) {
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  size_t len = 0;
  assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(h,
    "SELECT printf('%.17g %.17g %.17g %.17g %.17g %s %s %d %d', value, ci_low,"
    " ci_high, metric_at_value, metric_se, status, direction, evaluations, runs)"
    " FROM calibrations UNION ALL SELECT printf('%d %.17g %.17g %d', seq, value,"
    " metric, runs) FROM (SELECT * FROM calibration_points ORDER BY seq)",
    -1, &st, NULL), SQLITE_OK);
  buf[0] = '\0';
  while (sqlite3_step(st) == SQLITE_ROW && len + 1 < size)
    len += (size_t)snprintf(buf + len, size - len, "%s\n",
                            (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(h);
}

/* liqsim calibrate -j 1 and -j 2 store the same calibration. */
static void test_cli_deterministic(void **state) {
  char cmd[4096], a[16384], b[16384], dbs[2][64];
  int j;
  (void)state;
  /* Per process: a fixed name was shared by every checkout's test run on
  ** the machine, and a concurrent run deleted the database between this
  ** run's write and its read (SQLITE_CANTOPEN, 0xe). */
  for (j = 0; j < 2; j++)
    snprintf(dbs[j], sizeof dbs[j], "/tmp/liqsim-test-calibrate-%ld-j%d.db",
             (long)getpid(), j + 1);
  for (j = 0; j < 2; j++) {
    snprintf(cmd, sizeof cmd, "rm -f %s %s-wal %s-shm && %s calibrate %s/calibrate_small.cfg "
             "--quiet -j %d --out %s", dbs[j], dbs[j], dbs[j], LIQ_BINARY,
             LIQ_TEST_DATA, j + 1, dbs[j]);
    assert_int_equal(system(cmd), 0);
  }
  dump_calibration(dbs[0], a, sizeof a);
  dump_calibration(dbs[1], b, sizeof b);
  assert_true(strlen(a) > 100);
  assert_string_equal(a, b);
  for (j = 0; j < 2; j++) {
    snprintf(cmd, sizeof cmd, "rm -f %s %s-wal %s-shm", dbs[j], dbs[j], dbs[j]);
    assert_int_equal(system(cmd), 0);
  }
}

/* A hump: with only longs (long_share 1) or only shorts (0) one side of
** the path liquidates, with both every big move does; the liquidation
** probability over long_share peaks inside the range.  The calibration
** must say so, with the values where it breaks, and give no value. */
static void test_non_monotone_reported(void **state) {
  liq_scenario *sc = load_closed_form();
  liq_calibrate_params cp = params(LIQ_CAL_LIQUIDATION_PROBABILITY, 0.3, 200);
  liq_calibrate_result res;
  liq_override ov[1] = {{"margin.initial=0.1"}};
  liq_err err;
  (void)state;
  snprintf(cp.key, sizeof cp.key, "book.long_share");
  cp.lo = 0.0;
  cp.hi = 1.0;
  cp.tolerance = 1e-3;
  assert_liq_ok(liq_calibrate_run(sc, ov, 1, &cp, 2, &res, &err), &err);
  assert_int_equal(res.status, LIQ_CAL_NON_MONOTONE);
  assert_false(res.has_value);
  assert_non_null(strstr(res.note, "liquidation_probability is not monotone in "
                                   "book.long_share"));
  assert_int_equal(res.n_points, 5);       /* found on the grid, nothing solved */
  liq_calibrate_result_free(&res);
  liq_scenario_free(sc);
}

/* An answer the search could not re-check on every replicate says so in
** the note (the knob leaves no re-search, as if every one had found new
** flipping replicates); with the re-checks the note stays empty. */
static void test_unverified_answer_noted(void **state) {
  liq_scenario *sc = load_closed_form();
  liq_calibrate_params cp = params(LIQ_CAL_LIQUIDATION_PROBABILITY, 0.1, 200);
  liq_calibrate_result res;
  liq_err err;
  (void)state;
  cp.tolerance = 1e-3;
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 2, &res, &err), &err);
  assert_int_equal(res.status, LIQ_CAL_OK);
  assert_null(strstr(res.note, "not re-checked"));
  liq_calibrate_result_free(&res);
  setenv("LIQ_CALIBRATE_VERIFY_ROUNDS", "0", 1);
  assert_liq_ok(liq_calibrate_run(sc, NULL, 0, &cp, 2, &res, &err), &err);
  unsetenv("LIQ_CALIBRATE_VERIFY_ROUNDS");
  assert_int_equal(res.status, LIQ_CAL_OK);
  assert_non_null(strstr(res.note, "the answer was not re-checked on every replicate"));
  liq_calibrate_result_free(&res);
  liq_scenario_free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_target_names),
    cmocka_unit_test(test_quantile_ranks),
    cmocka_unit_test(test_bad_sections),
    cmocka_unit_test(test_invalid_range_end),
    cmocka_unit_test(test_closed_form_first_passage),
    cmocka_unit_test(test_closed_form_increasing),
    cmocka_unit_test(test_continuous_target),
    cmocka_unit_test(test_whole_range_and_none),
    cmocka_unit_test(test_non_monotone_reported),
    cmocka_unit_test(test_unverified_answer_noted),
    cmocka_unit_test(test_deterministic_across_threads),
    cmocka_unit_test(test_cli_deterministic),
  };
  gsl_set_error_handler_off();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
