/*
** test_fit.c: maximum-likelihood fits (core/fit.c): parameter recovery
** from long simulated paths, ln L and AIC checked against an independent
** evaluation of each density, nesting, gaps, errors, the printed section
** (loaded back through the scenario module).
**
** Paths come from fixed seeds, so every check is deterministic.  The
** tolerances of the recovery tests are about four times the scatter of
** the estimates over seeds at these lengths (measured once, by hand).
*/
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "liq_fit.h"
#include "liq_path.h"
#include "liq_seed.h"
#include "liq_scenario.h"

#define YEAR_S (365.0 * 86400.0)
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static double *returns_of(const liq_path *p, size_t *n) {
  double *r = malloc(p->n * sizeof *r);
  liq_err err;
  liq_err_clear(&err);
  assert_non_null(r);
  assert_liq_ok(liq_path_returns(p, r, n, NULL, &err), &err);
  return r;
}

/* ------------------------------------------------------------------------
** gbm: closed form
*/

static double gbm_lnl(const double *r, size_t n, double drift, double vol, double dt) {
  double m = (drift - 0.5 * vol * vol) * dt, s = vol * sqrt(dt), l = 0.0;
  size_t i;
  for (i = 0; i < n; i++) l += log(gsl_ran_gaussian_pdf(r[i] - m, s));
  return l;
}

static void test_fit_gbm_recovers(void **state) {
  const size_t n = 100000;
  const double mu = 0.5, vol = 0.9, dt_s = 300.0, dt = dt_s / YEAR_S;
  const double T = (double)(n - 1) * dt;
  liq_path *p = NULL;
  liq_fit_result f;
  liq_err err;
  double *r, lnl;
  size_t m = 0;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_gbm(200.0, mu, vol, dt_s, n, liq_seed(8, 0, LIQ_STREAM_PATH),
                             &p, &err), &err);
  assert_liq_ok(liq_fit_run(p, LIQ_FIT_GBM, &f, &err), &err);
  assert_int_equal(f.model, LIQ_FIT_GBM);
  assert_int_equal(f.n_returns, n - 1);
  assert_int_equal(f.n_skipped, 0);
  assert_int_equal(f.n_params, 2);
  assert_int_equal(f.iterations, 0);
  assert_rel(f.step_seconds, dt_s, 0.0);
  assert_rel(f.start, p->close[n - 1], 0.0);
  /* sd of the vol estimate: vol / sqrt(2 n); of the drift: vol / sqrt(T) */
  assert_true(fabs(f.volatility - vol) < 4.0 * vol / sqrt(2.0 * (double)n));
  assert_true(fabs(f.drift - mu) < 4.0 * vol / sqrt(T));
  assert_rel(f.daily_volatility, f.volatility / sqrt(365.0), 1e-15);
  /* ln L is the normal likelihood at the estimate, and the maximum */
  r = returns_of(p, &m);
  lnl = gbm_lnl(r, m, f.drift, f.volatility, dt);
  assert_rel(f.log_likelihood, lnl, 1e-10);
  assert_rel(f.aic, 4.0 - 2.0 * f.log_likelihood, 1e-15);
  assert_true(gbm_lnl(r, m, f.drift, f.volatility * 1.001, dt) < lnl);
  assert_true(gbm_lnl(r, m, f.drift, f.volatility * 0.999, dt) < lnl);
  assert_true(gbm_lnl(r, m, f.drift + 0.05, f.volatility, dt) < lnl);
  assert_true(gbm_lnl(r, m, f.drift - 0.05, f.volatility, dt) < lnl);
  free(r);
  liq_path_free(p);
}

/* Returns across gaps of more than 1.5 spacings are left out, and the
** spacing used is the median one. */
static void test_fit_gbm_gaps(void **state) {
  const double c[7] = { 100.0, 101.0, 99.5, 180.0, 181.0, 179.0, 182.0 };
  const char *csv_text = "1000000000000,100\n"
                         "1000003600000,101\n"
                         "1000007200000,99.5\n"
                         "1000090000000,180\n"    /* 23 h later: an outage */
                         "1000093600000,181\n"
                         "1000097200000,179\n"
                         "1000100800000,182\n";
  char csv[512];
  liq_path *p = NULL;
  liq_fit_result f;
  liq_err err;
  double r[5], mean = 0.0, var = 0.0, dt = 3600.0 / YEAR_S;
  size_t i, k = 0;
  (void)state;
  liq_err_clear(&err);
  liq_test_write_temp(csv_text, ".csv", csv, sizeof csv);
  assert_liq_ok(liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err), &err);
  remove(csv);
  assert_liq_ok(liq_fit_run(p, LIQ_FIT_GBM, &f, &err), &err);
  for (i = 1; i < 7; i++)
    if (i != 3) r[k++] = log(c[i] / c[i - 1]);
  for (i = 0; i < 5; i++) mean += r[i] / 5.0;
  for (i = 0; i < 5; i++) var += (r[i] - mean) * (r[i] - mean) / 5.0;  /* ML */
  assert_int_equal(f.n_returns, 5);
  assert_int_equal(f.n_skipped, 1);
  assert_rel(f.step_seconds, 3600.0, 0.0);
  assert_rel(f.volatility, sqrt(var / dt), 1e-12);
  assert_rel(f.drift, mean / dt + 0.5 * var / dt, 1e-12);
  assert_rel(f.log_likelihood, -2.5 * (log(2.0 * M_PI * var) + 1.0), 1e-12);
  assert_rel(f.start, 182.0, 0.0);
  liq_path_free(p);
}

/* ------------------------------------------------------------------------
** jump
*/

/* ln L of the Merton model with 60 Poisson terms (no truncation to speak of). */
static double jump_lnl(const double *r, size_t n, const liq_fit_result *f, double dt) {
  double k = expm1(f->jump_mean + 0.5 * f->jump_sd * f->jump_sd);
  double lam = f->jump_intensity * dt, s2 = f->volatility * f->volatility * dt;
  double m = (f->drift - 0.5 * f->volatility * f->volatility - f->jump_intensity * k) * dt;
  double l = 0.0;
  size_t i;
  unsigned j;
  for (i = 0; i < n; i++) {
    double d = 0.0;
    for (j = 0; j < 60; j++)
      d += gsl_ran_poisson_pdf(j, lam) *
           gsl_ran_gaussian_pdf(r[i] - m - j * f->jump_mean,
                                sqrt(s2 + j * f->jump_sd * f->jump_sd));
    l += log(d);
  }
  return l;
}

static void test_fit_jump_recovers(void **state) {
  const size_t n = 20000;
  const double vol = 0.6, l = 400.0, a = -0.02, b = 0.04, dt_s = 3600.0;
  const double dt = dt_s / YEAR_S;
  liq_path *p = NULL;
  liq_fit_result f, g;
  liq_err err;
  double *r;
  size_t m = 0;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_jump(100.0, 0.2, vol, l, a, b, dt_s, n,
                              liq_seed(1, 3, LIQ_STREAM_PATH), &p, &err), &err);
  assert_liq_ok(liq_fit_run(p, LIQ_FIT_JUMP, &f, &err), &err);
  assert_int_equal(f.model, LIQ_FIT_JUMP);
  assert_int_equal(f.n_params, 5);
  assert_true(f.iterations > 0);
  assert_true(fabs(f.volatility / vol - 1.0) < 0.05);
  assert_true(fabs(f.jump_intensity / l - 1.0) < 0.2);
  assert_true(fabs(f.jump_mean - a) < 0.005);
  assert_true(fabs(f.jump_sd / b - 1.0) < 0.12);
  assert_true(isfinite(f.drift));
  assert_rel(f.daily_volatility,
             sqrt((f.volatility * f.volatility +
                   f.jump_intensity * (f.jump_mean * f.jump_mean + f.jump_sd * f.jump_sd)) /
                  365.0), 1e-14);
  /* ln L agrees with an independent evaluation; AIC = 2 k - 2 ln L */
  r = returns_of(p, &m);
  assert_rel(f.log_likelihood, jump_lnl(r, m, &f, dt), 1e-9);
  assert_rel(f.aic, 10.0 - 2.0 * f.log_likelihood, 1e-15);
  /* the jumps are real: far better than gbm, also by AIC */
  assert_liq_ok(liq_fit_run(p, LIQ_FIT_GBM, &g, &err), &err);
  assert_true(f.log_likelihood > g.log_likelihood + 100.0);
  assert_true(f.aic < g.aic);
  free(r);
  liq_path_free(p);
}

/* gbm is jump with no jumps: on gbm data the jump fit does at least as
** well (nested models), and not much better. */
static void test_fit_jump_nests_gbm(void **state) {
  liq_path *p = NULL;
  liq_fit_result f, g;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_gbm(100.0, 0.0, 0.7, 3600.0, 8000, 21, &p, &err), &err);
  assert_liq_ok(liq_fit_run(p, LIQ_FIT_GBM, &g, &err), &err);
  assert_liq_ok(liq_fit_run(p, LIQ_FIT_JUMP, &f, &err), &err);
  assert_true(f.log_likelihood >= g.log_likelihood - 1e-6 * fabs(g.log_likelihood));
  /* 3 extra parameters: twice the gain is ~chi^2(3)-sized, not hundreds */
  assert_true(f.log_likelihood - g.log_likelihood < 15.0);
  liq_path_free(p);
}

/* ------------------------------------------------------------------------
** garch
*/

/* ln L of GARCH(1,1)-t with h_1 = the ML variance of the returns. */
static double garch_lnl(const double *r, size_t n, const liq_fit_result *f) {
  double mean = 0.0, h = 0.0, l = 0.0, c = sqrt((f->garch_nu - 2.0) / f->garch_nu);
  size_t i;
  for (i = 0; i < n; i++) mean += r[i] / (double)n;
  for (i = 0; i < n; i++) h += (r[i] - mean) * (r[i] - mean) / (double)n;
  for (i = 0; i < n; i++) {
    double e = r[i] - f->garch_mu, sc = sqrt(h) * c;
    l += log(gsl_ran_tdist_pdf(e / sc, f->garch_nu) / sc);
    h = f->garch_omega + f->garch_alpha * e * e + f->garch_beta * h;
  }
  return l;
}

static void test_fit_garch_recovers(void **state) {
  const size_t n = 30000;
  const double mu = 1e-5, om = 2e-6, al = 0.08, be = 0.9, nu = 5.0;
  liq_path *p = NULL;
  liq_fit_result f, g;
  liq_err err;
  double *r, h;
  size_t m = 0, i;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_garch(100.0, mu, om, al, be, nu, NAN, 3600.0, n,
                               liq_seed(1, 4, LIQ_STREAM_PATH), &p, &err), &err);
  assert_liq_ok(liq_fit_run(p, LIQ_FIT_GARCH, &f, &err), &err);
  assert_int_equal(f.model, LIQ_FIT_GARCH);
  assert_int_equal(f.n_params, 5);
  assert_rel(f.step_seconds, 3600.0, 0.0);
  assert_true(fabs(f.garch_alpha - al) < 0.02);
  assert_true(fabs(f.garch_beta - be) < 0.02);
  assert_true(fabs(f.garch_nu - nu) < 0.8);
  assert_true(fabs(f.garch_omega / om - 1.0) < 0.25);
  /* the mean of the returns: sd of the estimate ~ sqrt(uncond / n) */
  assert_true(fabs(f.garch_mu - mu) < 4.0 * sqrt(om / (1.0 - al - be) / (double)n));
  assert_true(f.garch_alpha + f.garch_beta < 1.0);
  assert_rel(f.daily_volatility,
             sqrt(f.garch_omega / (1.0 - f.garch_alpha - f.garch_beta) * 24.0), 1e-12);
  r = returns_of(p, &m);
  assert_rel(f.log_likelihood, garch_lnl(r, m, &f), 1e-9);
  assert_rel(f.aic, 10.0 - 2.0 * f.log_likelihood, 1e-15);
  /* the variance after the last return continues the recursion */
  {
    double mean = 0.0;
    for (i = 0; i < m; i++) mean += r[i] / (double)m;
    h = 0.0;
    for (i = 0; i < m; i++) h += (r[i] - mean) * (r[i] - mean) / (double)m;
    for (i = 0; i < m; i++) {
      double e = r[i] - f.garch_mu;
      h = f.garch_omega + f.garch_alpha * e * e + f.garch_beta * h;
    }
    assert_rel(f.garch_variance_next, h, 1e-9);
  }
  assert_liq_ok(liq_fit_run(p, LIQ_FIT_GBM, &g, &err), &err);
  assert_true(f.aic < g.aic);
  free(r);
  liq_path_free(p);
}

/* ------------------------------------------------------------------------
** Errors
*/

static void test_fit_errors(void **state) {
  const double one[1] = { 10.0 };
  double c[150], cst[200];
  liq_path *p = NULL;
  liq_fit_result f;
  liq_err err;
  size_t i;
  (void)state;
  liq_err_clear(&err);
  /* one bar: no return */
  assert_liq_ok(liq_path_from_arrays(1, NULL, NULL, NULL, one, 60.0, &p, &err), &err);
  assert_int_equal(liq_fit_run(p, LIQ_FIT_GBM, &f, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "need at least"));
  liq_path_free(p);
  /* 149 returns: enough for gbm, too few for jump and garch */
  for (i = 0; i < 150; i++) c[i] = 100.0 * exp(0.01 * sin((double)i * 1.7));
  assert_liq_ok(liq_path_from_arrays(150, NULL, NULL, NULL, c, 60.0, &p, &err), &err);
  assert_liq_ok(liq_fit_run(p, LIQ_FIT_GBM, &f, &err), &err);
  liq_path_free(p);
  assert_liq_ok(liq_path_from_arrays(50, NULL, NULL, NULL, c, 60.0, &p, &err), &err);
  assert_int_equal(liq_fit_run(p, LIQ_FIT_JUMP, &f, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "fit jump: 49 usable returns"));
  assert_int_equal(liq_fit_run(p, LIQ_FIT_GARCH, &f, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "need at least 100"));
  assert_int_equal(f.log_likelihood, 0);
  liq_path_free(p);
  /* constant prices: no variance */
  for (i = 0; i < 200; i++) cst[i] = 42.0;
  assert_liq_ok(liq_path_from_arrays(200, NULL, NULL, NULL, cst, 60.0, &p, &err), &err);
  assert_int_equal(liq_fit_run(p, LIQ_FIT_GBM, &f, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "no variance"));
  assert_int_equal(liq_fit_run(p, LIQ_FIT_GARCH, &f, &err), LIQ_INPUT);
  /* bad calls */
  assert_int_equal(liq_fit_run(p, 7, &f, &err), LIQ_USAGE);
  assert_int_equal(liq_fit_run(NULL, LIQ_FIT_GBM, &f, &err), LIQ_USAGE);
  assert_int_equal(liq_fit_run(p, LIQ_FIT_GBM, NULL, &err), LIQ_USAGE);
  liq_path_free(p);
  /* names */
  assert_int_equal(liq_fit_model_parse("gbm"), LIQ_FIT_GBM);
  assert_int_equal(liq_fit_model_parse("jump"), LIQ_FIT_JUMP);
  assert_int_equal(liq_fit_model_parse("garch"), LIQ_FIT_GARCH);
  assert_int_equal(liq_fit_model_parse("GARCH"), -1);
  assert_int_equal(liq_fit_model_parse(NULL), -1);
  assert_string_equal(liq_fit_model_name(LIQ_FIT_JUMP), "jump");
  assert_null(liq_fit_model_name(3));
}

/* ------------------------------------------------------------------------
** The printed section loads as a scenario with the fitted values
*/

#define SECTION_REST                                                  \
  "name = \"fitted\";\n"                                              \
  "seed = 1;\n"                                                       \
  "steps = 10;\n"                                                     \
  "book = { positions = 100;\n"                                       \
  "  leverage = { values = [2, 4]; };\n"                              \
  "  notional = { dist = \"fixed\"; median = 250; }; };\n"            \
  "margin = { initial = 0.1; maintenance = 0.05; };\n"

static liq_scenario *load_section(const liq_fit_result *f) {
  FILE *tmp = tmpfile();
  char text[8192];
  size_t len;
  liq_scenario *sc = NULL;
  liq_err err;
  assert_non_null(tmp);
  liq_fit_print_section(f, tmp);
  rewind(tmp);
  len = fread(text, 1, sizeof text - sizeof SECTION_REST - 1, tmp);
  fclose(tmp);
  text[len] = '\0';
  assert_non_null(strstr(text, "# ln L = "));
  assert_non_null(strstr(text, "AIC = "));
  assert_non_null(strstr(text, "step_seconds = "));
  strcat(text, SECTION_REST);
  liq_err_clear(&err);
  assert_liq_ok(liq_scenario_load_string(text, "fitted.cfg", NULL, 0, &sc, &err), &err);
  return sc;
}

static void test_fit_print_section(void **state) {
  liq_path *p = NULL;
  liq_fit_result f;
  liq_scenario *sc;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_jump(25000.0, 0.1, 0.5, 300.0, -0.01, 0.03, 900.0, 3000, 4, &p,
                              &err), &err);

  assert_liq_ok(liq_fit_run(p, LIQ_FIT_GBM, &f, &err), &err);
  sc = load_section(&f);
  assert_int_equal(sc->price.model, LIQ_PRICE_GBM);
  assert_rel(sc->price.start, p->close[p->n - 1], 1e-9);
  assert_rel(sc->price.drift, f.drift, 1e-9);
  assert_rel(sc->price.volatility, f.volatility, 1e-9);
  assert_rel(sc->step_seconds, 900.0, 0.0);
  liq_scenario_free(sc);

  assert_liq_ok(liq_fit_run(p, LIQ_FIT_JUMP, &f, &err), &err);
  sc = load_section(&f);
  assert_int_equal(sc->price.model, LIQ_PRICE_JUMP);
  assert_rel(sc->price.volatility, f.volatility, 1e-9);
  assert_rel(sc->price.jump_intensity, f.jump_intensity, 1e-9);
  assert_rel(sc->price.jump_mean, f.jump_mean, 1e-9);
  assert_rel(sc->price.jump_sd, f.jump_sd, 1e-9);
  liq_scenario_free(sc);

  assert_liq_ok(liq_fit_run(p, LIQ_FIT_GARCH, &f, &err), &err);
  sc = load_section(&f);
  assert_int_equal(sc->price.model, LIQ_PRICE_GARCH);
  assert_rel(sc->price.garch_mu, f.garch_mu, 1e-9);
  assert_rel(sc->price.garch_omega, f.garch_omega, 1e-9);
  assert_true(sc->price.garch_alpha == f.garch_alpha);   /* printed in full */
  assert_true(sc->price.garch_beta == f.garch_beta);
  assert_rel(sc->price.garch_nu, f.garch_nu, 1e-9);
  assert_rel(sc->price.garch_variance0, f.garch_variance_next, 1e-9);
  liq_scenario_free(sc);
  liq_path_free(p);
}

/* An integrated garch fit (alpha + beta = 1 within 1e-3) prints no daily
** volatility: the unconditional variance does not exist.  The section
** still loads. */
static void test_fit_garch_integrated(void **state) {
  liq_fit_result f;
  liq_scenario *sc;
  FILE *tmp = tmpfile();
  char text[8192];
  size_t len;
  (void)state;
  memset(&f, 0, sizeof f);
  f.model = LIQ_FIT_GARCH;
  f.n_returns = 1000;
  f.n_params = 5;
  f.step_seconds = 3600.0;
  f.start = 60000.0;
  f.garch_omega = 1.9e-7;
  f.garch_alpha = 0.070662453020015281;
  f.garch_beta = 0.92933754697984505;        /* 1 - alpha - beta ~ 1e-13 */
  f.garch_nu = 3.2;
  f.garch_variance_next = 1.6e-5;
  f.daily_volatility = 5696.53;              /* what it used to print */
  assert_true(liq_fit_garch_integrated(&f));
  assert_non_null(tmp);
  liq_fit_print_section(&f, tmp);
  rewind(tmp);
  len = fread(text, 1, sizeof text - 1, tmp);
  fclose(tmp);
  text[len] = '\0';
  assert_non_null(strstr(text, "no daily volatility"));
  assert_non_null(strstr(text, "the unconditional variance does not exist"));
  assert_null(strstr(text, "5696"));
  assert_null(strstr(text, "leave out for the unconditional"));
  sc = load_section(&f);
  liq_scenario_free(sc);
  /* 1 - alpha - beta = 0.0076: an ordinary fit, daily volatility printed. */
  f.garch_beta = 0.86875580523816065;
  f.garch_alpha = 0.1236579846741494;
  assert_false(liq_fit_garch_integrated(&f));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fit_gbm_recovers),
    cmocka_unit_test(test_fit_gbm_gaps),
    cmocka_unit_test(test_fit_jump_recovers),
    cmocka_unit_test(test_fit_jump_nests_gbm),
    cmocka_unit_test(test_fit_garch_recovers),
    cmocka_unit_test(test_fit_errors),
    cmocka_unit_test(test_fit_print_section),
    cmocka_unit_test(test_fit_garch_integrated),
  };
  gsl_set_error_handler_off();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
