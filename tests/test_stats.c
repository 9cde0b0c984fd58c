/*
** test_stats.c: nearest-rank quantiles (against exact rational arithmetic
** for decimal q), the stored-step predicate, step quantiles and sweep
** aggregates, the k-th of two sorted sequences against brute force,
** drawdowns.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include <stdio.h>

#include <sqlite3.h>

#include "liq_engine.h"
#include "liq_err.h"
#include "liq_inputs.h"
#include "liq_scenario.h"
#include "liq_stats.h"
#include "liq_store.h"
#include "stats_int.h"
#include "liq_test_support.h"

static double at(const void *ctx, size_t i) { return ((const double *)ctx)[i]; }

static int cmp_double(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

static void test_rank(void **state) {
  (void)state;
  assert_int_equal(liq_stats_rank(0.5, 4), 1);
  assert_int_equal(liq_stats_rank(0.25, 4), 0);
  assert_int_equal(liq_stats_rank(0.26, 4), 1);
  assert_int_equal(liq_stats_rank(0.01, 1), 0);
  assert_int_equal(liq_stats_rank(0.999, 10), 9);
  assert_int_equal(liq_stats_rank(0.01, 1000), 9);
}

static void test_quantile_nearest_rank(void **state) {
  double x[20], one = 7.5;
  size_t i;
  (void)state;
  for (i = 0; i < 20; i++) x[i] = (double)(i + 1);    /* 1..20 */
  assert_true(liq_stats_quantile(x, 20, 0.50) == 10.0);   /* ceil(10) */
  assert_true(liq_stats_quantile(x, 20, 0.95) == 19.0);   /* ceil(19), not 20 */
  assert_true(liq_stats_quantile(x, 20, 0.99) == 20.0);   /* ceil(19.8) */
  assert_true(liq_stats_quantile(x, 20, 1.00) == 20.0);
  assert_true(liq_stats_quantile(x, 20, 0.01) == 1.0);
  assert_true(liq_stats_quantile(x, 10, 0.95) == 10.0);   /* ceil(9.5) */
  assert_true(liq_stats_quantile(x, 3, 0.50) == 2.0);     /* ceil(1.5) */
  assert_true(liq_stats_quantile(&one, 1, 0.99) == 7.5);
  assert_true(isnan(liq_stats_quantile(x, 0, 0.5)));
}


/*
** Used to disagree: step quantiles took ceil(q n) of the double product
** and sweep quantiles forgave its rounding, so for q = 0.07 at n = 100
** (0.07 * 100 = 7.000000000000001) the step rank was 8, the sweep rank 7.
** The exact rank of the decimal d / 10^k is ceil(d n / 10^k), computed in
** integers here for 1-, 2-, 3- and 4-digit decimals and many n.
*/
static size_t exact_rank(unsigned long long d, unsigned long long den, size_t n) {
  unsigned long long num = d * (unsigned long long)n;
  unsigned long long r = (num + den - 1) / den;       /* ceil(d n / den) */
  if (r < 1) r = 1;
  if (r > n) r = n;
  return (size_t)(r - 1);
}

static void check_decimals(unsigned long long den, size_t n) {
  unsigned long long d;
  for (d = 1; d < den; d++) {
    double q = (double)d / (double)den;
    size_t want = exact_rank(d, den, n);
    if (liq_stats_rank(q, n) != want)
      fail_msg("q = %llu/%llu, n = %zu: rank %zu, exact %zu", d, den, n,
               liq_stats_rank(q, n), want);
  }
}

static void test_rank_exact_for_decimals(void **state) {
  static const size_t big[] = { 100, 1000, 3000, 10000, 12345, 99999, 100000,
                                1000000, 12000099, 100000000 };
  size_t n, i;
  (void)state;
  /* the three cases that used to disagree */
  assert_int_equal(liq_stats_rank(0.07, 100), 6);
  assert_int_equal(liq_stats_rank(0.07, 3000), 209);
  assert_int_equal(liq_stats_rank(0.07, 100000), 6999);
  for (n = 1; n <= 2000; n++) {
    check_decimals(10, n);
    check_decimals(100, n);
    if (n <= 400 || n % 97 == 0) check_decimals(1000, n);
  }
  for (i = 0; i < sizeof big / sizeof big[0]; i++) {
    check_decimals(100, big[i]);
    check_decimals(1000, big[i]);
    check_decimals(10000, big[i]);
  }
}

/* Step quantiles and sweep quantiles are one rule. */
static void test_step_and_sweep_quantiles_agree(void **state) {
  static const double qs[] = { 0.01, 0.05, 0.07, 0.25, 0.5, 0.95, 0.99 };
  size_t n = 3000, i, j;
  double *x = malloc(n * sizeof *x);
  (void)state;
  assert_non_null(x);
  for (i = 0; i < n; i++) x[i] = (double)i;
  for (j = 0; j < sizeof qs / sizeof qs[0]; j++) {
    liq_sorted_seq a = { n, at, x }, b = { 0, at, x };
    assert_true(liq_stats_quantile(x, n, qs[j]) ==
                liq_stats_kth_of_two(&a, &b, liq_stats_rank(qs[j], n)));
  }
  free(x);
}

static void test_step_stored(void **state) {
  liq_stats_params st = { 0 };
  (void)state;
  st.steps = 1;
  st.every = 1;
  assert_true(liq_stats_step_stored(&st, 0, 10));
  assert_true(liq_stats_step_stored(&st, 7, 10));
  st.every = 4;
  assert_true(liq_stats_step_stored(&st, 0, 10));
  assert_false(liq_stats_step_stored(&st, 3, 10));
  assert_true(liq_stats_step_stored(&st, 4, 10));
  assert_true(liq_stats_step_stored(&st, 9, 10));   /* the last */
  assert_false(liq_stats_step_stored(&st, 9, 11));
  st.every = 0;                                      /* treated as 1 */
  assert_true(liq_stats_step_stored(&st, 3, 10));
  st.steps = 0;
  assert_false(liq_stats_step_stored(&st, 0, 10));
  assert_false(liq_stats_step_stored(&st, 9, 10));
}

static void test_step_quantiles(void **state) {
  double lo[3] = { 1.0, 4.0, 6.0 }, sh[2] = { 2.0, 3.0 };
  liq_sorted_seq seq[2] = { { 3, at, lo }, { 2, at, sh } };
  liq_stats_params st = { 0 };
  double c[3], d[3];
  (void)state;
  st.n_quantiles = 3;
  st.quantiles[0] = 0.2;                  /* rank 0: 1 */
  st.quantiles[1] = 0.5;                  /* ceil(2.5) = 3: 3 */
  st.quantiles[2] = 0.99;                 /* 6 */
  liq_stats_step_quantiles(&st, 1, seq, seq, 1, c, d);
  assert_true(d[0] == 1.0 && d[1] == 3.0 && d[2] == 6.0);
  assert_true(c[0] == 1.0 && c[1] == 3.0 && c[2] == 6.0);
  liq_stats_step_quantiles(&st, 1, seq, seq, 0, c, d);
  assert_true(isnan(c[1]) && d[1] == 3.0);
  liq_stats_step_quantiles(&st, 0, seq, seq, 1, c, d);
  assert_true(isnan(c[0]) && isnan(d[0]));
  seq[0].n = seq[1].n = 0;
  liq_stats_step_quantiles(&st, 1, seq, seq, 1, c, d);
  assert_true(isnan(c[2]) && isnan(d[2]));
}

static void test_describe(void **state) {
  double v[5] = { 5.0, 1.0, 4.0, 2.0, 3.0 }, out[4];
  (void)state;
  liq_stats_describe(v, 5, out);
  assert_true(out[0] == 3.0);
  assert_true(out[1] == 3.0);            /* ceil(2.5) = 3rd */
  assert_true(out[2] == 5.0 && out[3] == 5.0);
  assert_true(v[0] == 1.0 && v[4] == 5.0); /* sorted in place */
  liq_stats_describe(v, 0, out);
  assert_true(isnan(out[0]) && isnan(out[1]) && isnan(out[3]));
}

/* One replicate's summary for test_point_aggregates: bad debt, uncovered
** loss, notional, rounds, forced share of the fall (NaN: undefined) and
** liquidations without impact (NaN: no counterfactual). */
static liq_stats_replicate replicate(double bad, double unc, double notional,
                                     double rounds, double share_fall,
                                     double liq_without) {
  liq_stats_replicate r;
  r.bad_debt = bad;
  r.uncovered_loss = unc;
  r.liquidated_notional = notional;
  r.max_cascade_rounds = rounds;
  r.liquidated = rounds * 10.0;
  r.impact_at_low = -0.01 * rounds;
  r.impact_at_high = 0.0;
  r.forced_share_of_fall = share_fall;
  r.forced_share_of_rise = NAN;
  r.liquidated_without_impact = liq_without;
  r.liquidated_notional_without_impact = isnan(liq_without) ? (double)NAN : 0.5 * notional;
  r.bad_debt_without_impact = isnan(liq_without) ? (double)NAN : 1.0;
  return r;
}

/* A grid point's aggregates: NaN bad debt counts as 0, undefined forced
** shares and missing counterfactuals are left out, probabilities are
** shares of replicates with a value > 0. */
static void test_point_aggregates(void **state) {
  liq_stats_point pt;
  liq_stats_point_result r;
  liq_stats_replicate rep[4];
  int k;
  (void)state;
  rep[0] = replicate(10.0, 0.0, 100.0, 3.0, 1.5, 20.0);
  rep[1] = replicate(NAN, 2.0, 300.0, 1.0, NAN, NAN);
  rep[2] = replicate(0.0, 0.0, 200.0, 2.0, 0.5, 10.0);
  rep[3] = replicate(30.0, NAN, 400.0, 4.0, 2.5, NAN);
  memset(&pt, 0, sizeof pt);
  for (k = 0; k < 4; k++) assert_int_equal(liq_stats_point_add(&pt, &rep[k]), LIQ_OK);
  liq_stats_point_finish(&pt, &r);
  assert_int_equal(r.n, 4);
  assert_true(r.bad_debt[0] == 10.0);            /* (10 + 0 + 0 + 30) / 4 */
  assert_true(r.bad_debt[1] == 0.0);             /* sorted 0 0 10 30: 2nd */
  assert_true(r.bad_debt[2] == 30.0 && r.bad_debt[3] == 30.0);
  assert_true(r.bad_debt_probability == 0.5);
  assert_true(r.uncovered_loss_probability == 0.25);
  assert_true(r.liquidated_notional[0] == 250.0 && r.liquidated_notional[1] == 200.0);
  assert_true(r.max_cascade_rounds[3] == 4.0);
  assert_true(r.liquidated[0] == 25.0);
  assert_rel(r.impact_at_low[0], -0.025, 1e-15);
  assert_int_equal(r.forced_share_of_fall_n, 3);
  assert_true(r.forced_share_of_fall[0] == 1.5);
  assert_int_equal(r.forced_share_of_rise_n, 0);
  assert_true(isnan(r.forced_share_of_rise[0]));
  assert_int_equal(r.counterfactual_n, 2);
  assert_true(r.liquidated_without_impact[0] == 15.0);
  assert_true(r.liquidated_notional_without_impact[0] == 75.0);
  assert_true(r.bad_debt_without_impact[0] == 1.0);
  liq_stats_point_reset(&pt);
  liq_stats_point_finish(&pt, &r);
  assert_int_equal(r.n, 0);
  assert_int_equal(r.counterfactual_n, 0);
  assert_true(isnan(r.bad_debt[0]) && isnan(r.bad_debt_probability));
  liq_stats_point_free(&pt);
}

static void test_kth_of_two_matches_merge(void **state) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  double a[64], b[64], all[128];
  int trial;
  (void)state;
  for (trial = 0; trial < 2000; trial++) {
    size_t na = gsl_rng_uniform_int(r, 20), nb = gsl_rng_uniform_int(r, 20), i, k;
    liq_sorted_seq sa, sb;
    if (na + nb == 0) continue;
    for (i = 0; i < na; i++) all[i] = a[i] = floor(10.0 * gsl_rng_uniform(r));
    for (i = 0; i < nb; i++) all[na + i] = b[i] = floor(10.0 * gsl_rng_uniform(r));
    qsort(a, na, sizeof *a, cmp_double);
    qsort(b, nb, sizeof *b, cmp_double);
    qsort(all, na + nb, sizeof *all, cmp_double);
    sa.n = na; sa.at = at; sa.ctx = a;
    sb.n = nb; sb.at = at; sb.ctx = b;
    for (k = 0; k < na + nb; k++) assert_true(liq_stats_kth_of_two(&sa, &sb, k) == all[k]);
  }
  gsl_rng_free(r);
}

static void test_drawdown(void **state) {
  liq_drawdown d = { 0.0, 0.0 };
  (void)state;
  liq_drawdown_add(&d, 100.0);
  liq_drawdown_add(&d, 80.0);
  liq_drawdown_add(&d, 120.0);
  liq_drawdown_add(&d, 90.0);
  assert_rel(d.max_dd, 0.25, 1e-15);
  assert_rel(d.peak, 120.0, 1e-15);
}

/*
** Used to fail.  liq_stats_quantile() documents x[ceil(p*n) - 1] and computes
** ceil(t - 1e-9 * t), t = p*n: for t > 1e7 the "forgiveness" (> 0.01)
** exceeds the fractional part of p*n.  n = 12,000,099 replicates at one
** grid point (allowed: up to 1e8 tasks), p = 0.99: p*n = 11,880,098.01,
** nearest rank 11,880,099, the function takes rank 11,880,098 -- the
** q99 / VaR-style columns of sweep_aggregates use this function.
*/
static void test_quantile_large_n(void **state) {
  const size_t n = 12000099u;
  double *x = malloc(n * sizeof *x), q50, q99;
  size_t i;
  (void)state;
  assert_non_null(x);
  for (i = 0; i < n; i++) x[i] = (double)(i + 1);     /* x_(k) = k */
  q50 = liq_stats_quantile(x, n, 0.5);
  q99 = liq_stats_quantile(x, n, 0.99);
  free(x);
  print_message("q50 = x_(%.0f), q99 = x_(%.0f)\n", q50, q99);
  assert_true(q50 == 6000050.0);                   /* ceil(6000049.5) */
  /* ceil(0.99 * 12000099) = ceil(11880098.01) = 11880099 */
  assert_true(q99 == 11880099.0);
}

/* Issue 12: Inf/NaN money or prices are a numerical failure naming the
** step or the summary field; NaN stays allowed where it means "not
** defined" (an impact share with no fall). */
static void test_non_finite_money_fails(void **state) {
  liq_step_row row;
  liq_summary sm;
  liq_err err;
  (void)state;
  memset(&row, 0, sizeof row);
  row.step = 17;
  row.price = row.price_exogenous = row.price_low = row.price_high = 100.0;
  assert_int_equal(liq_stats_check_step(&row, &err), LIQ_OK);
  row.fees = INFINITY;
  assert_int_equal(liq_stats_check_step(&row, &err), LIQ_NUMERIC);
  assert_non_null(strstr(err.msg, "numerical failure at step 17: fees is inf"));
  row.fees = 0.0;
  row.price = NAN;
  assert_int_equal(liq_stats_check_step(&row, &err), LIQ_NUMERIC);
  assert_non_null(strstr(err.msg, "step 17: price is"));

  memset(&sm, 0, sizeof sm);
  sm.start_price = 100.0;
  sm.forced_share_of_fall = NAN;          /* not defined: allowed */
  assert_int_equal(liq_stats_check_summary(&sm, &err), LIQ_OK);
  sm.pnl_closed = NAN;                    /* was stored as NULL */
  assert_int_equal(liq_stats_check_summary(&sm, &err), LIQ_NUMERIC);
  assert_non_null(strstr(err.msg, "pnl_closed"));
  sm.pnl_closed = 0.0;
  sm.bad_debt = INFINITY;
  assert_int_equal(liq_stats_check_summary(&sm, &err), LIQ_NUMERIC);
  assert_non_null(strstr(err.msg, "bad_debt is inf"));
}


/* ------------------------------------------------------------------------
** stats.every = k: a stored step row carries the flows of every step since
** the previous stored row (liq_stats_step_fold()), so the sums over the
** stored rows equal the summary for every k.  Each case runs a shipped
** scenario (funding, ADL, top-ups, partial liquidations) through the store
** sink into a temporary database, as `liqsim run` does, and compares SQL
** sums over `steps` with `summary`.
*/
#define SCEN(name) LIQ_SOURCE_DIR "/scenarios/" name

static double every_query_double(sqlite3 *h, const char *sql) {
  sqlite3_stmt *s = NULL;
  double v;
  if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
    print_error("%s: %s\n", sql, sqlite3_errmsg(h));
    fail();
  }
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  v = sqlite3_column_type(s, 0) == SQLITE_NULL ? (double)NAN
                                               : sqlite3_column_double(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* Run 'cfg' with stats.every = every (and a small book) into 'db';
** returns the number of steps of its path. */
static size_t run_into(const char *cfg, const char *extra, int every,
                       const char *db) {
  char every_set[64];
  liq_override ov[4];
  liq_scenario *sc = NULL;
  liq_path *path = NULL;
  liq_book *book = NULL;
  liq_store *st = NULL;
  liq_store_sink_ctx ctx;
  liq_sink sink;
  liq_summary sm;
  liq_err err;
  int64_t run_id = 0;
  size_t n;

  snprintf(every_set, sizeof every_set, "stats.every=%d", every);
  ov[0].assignment = "book.positions=4000";
  ov[1].assignment = every_set;
  ov[2].assignment = "stats.events=false";
  ov[3].assignment = extra;
  liq_err_clear(&err);
  assert_liq_ok(liq_scenario_load(cfg, ov, extra ? 4 : 3, &sc, &err), &err);
  assert_liq_ok(liq_inputs_build(sc, 0, &path, &book, &err), &err);
  assert_liq_ok(liq_store_open(db, &st, &err), &err);
  assert_liq_ok(liq_store_begin_run(st, sc, sc->seed, &run_id, &err), &err);
  ctx.st = st;
  ctx.sc = sc;
  ctx.n_steps = path->n;
  sink = liq_store_sink(&ctx);
  memset(&sm, 0, sizeof sm);
  assert_liq_ok(liq_engine_run(sc, path, book, &sink, &sm, &err), &err);
  assert_liq_ok(liq_store_finish_run(st, &sm, &err), &err);
  n = path->n;
  liq_store_close(st);
  liq_book_free(book);
  liq_path_free(path);
  liq_scenario_free(sc);
  return n;
}

/* sum(steps.col) of run 'id' against summary.scol, relative 1e-9. */
static void check_sum(sqlite3 *h, int id, const char *agg, const char *col,
                      const char *scol) {
  char sql[512];
  double a, b;
  snprintf(sql, sizeof sql, "SELECT %s(%s) FROM steps WHERE run_id=%d", agg, col, id);
  a = every_query_double(h, sql);
  snprintf(sql, sizeof sql, "SELECT %s FROM summary WHERE run_id=%d", scol, id);
  b = every_query_double(h, sql);
  if (!(fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b))))) {
    print_error("run %d: %s(steps.%s) = %.17g, summary.%s = %.17g\n", id, agg,
                col, a, scol, b);
    fail();
  }
}

/* What makes the scenario worth testing happened: a test of sums that are
** all zero could not fail. */
static void check_nonvacuous(sqlite3 *h, const char *what) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT %s FROM summary WHERE run_id=1", what);
  if (!(every_query_double(h, sql) != 0.0)) {
    print_error("summary.%s is 0 on this scenario\n", what);
    fail();
  }
}

/* 'extra': one more --set, or NULL. */
static void check_scenario(const char *cfg, const char *extra, const char *needs) {
  static const int every[] = { 1, 2, 3, 7, 60, 1439, 1440, 5000 };
  size_t k, n = 0;
  char db[512];
  sqlite3 *h;
  liq_test_write_temp("", ".db", db, sizeof db);
  remove(db);
  for (k = 0; k < sizeof every / sizeof every[0]; k++) n = run_into(cfg, extra, every[k], db);
  assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  check_nonvacuous(h, "liquidated");
  check_nonvacuous(h, needs);
  for (k = 0; k < sizeof every / sizeof every[0]; k++) {
    int id = (int)k + 1;
    size_t e = (size_t)every[k];
    /* every e-th step from 0, plus the last step when it is not one. */
    size_t rows = (n + e - 1) / e + ((n - 1) % e != 0);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM steps WHERE run_id=%d", id);
    assert_int_equal((size_t)every_query_double(h, sql), rows);
    snprintf(sql, sizeof sql, "SELECT max(step) FROM steps WHERE run_id=%d", id);
    assert_int_equal((size_t)every_query_double(h, sql), n - 1);
    check_sum(h, id, "sum", "liquidations", "liquidated");
    check_sum(h, id, "sum", "liquidations_long", "liquidated_long");
    check_sum(h, id, "sum", "liquidations_short", "liquidated_short");
    check_sum(h, id, "sum", "liquidated_notional", "liquidated_notional");
    check_sum(h, id, "sum", "fees", "fees");
    check_sum(h, id, "sum", "bad_debt", "bad_debt");
    check_sum(h, id, "sum", "uncovered_loss", "uncovered_loss");
    check_sum(h, id, "sum", "partial_liquidations", "partial_liquidations");
    check_sum(h, id, "sum", "funding", "funding_long");
    check_sum(h, id, "sum", "funding_short", "funding_short");
    check_sum(h, id, "sum", "funding_external", "funding_external");
    check_sum(h, id, "sum", "topups", "topups");
    check_sum(h, id, "sum", "topup_collateral", "topup_collateral");
    check_sum(h, id, "sum", "adl_count", "adl_count");
    check_sum(h, id, "sum", "adl_notional", "adl_notional");
    check_sum(h, id, "sum", "haircut", "haircut");
    check_sum(h, id, "max", "margin_calls", "margin_calls");
    check_sum(h, id, "max", "cascade_rounds", "max_cascade_rounds");
    check_sum(h, id, "min", "price_low", "min_price");
    check_sum(h, id, "max", "price_high", "max_price");
    /* Levels are the stored step's own: the same as in the every = 1 run. */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM steps a JOIN steps b ON a.step = b.step"
             " WHERE a.run_id=%d AND b.run_id=1 AND (a.price IS NOT b.price"
             " OR a.insurance_fund IS NOT b.insurance_fund"
             " OR a.open_interest_long IS NOT b.open_interest_long"
             " OR a.cushion_q50 IS NOT b.cushion_q50)", id);
    assert_int_equal((size_t)every_query_double(h, sql), 0);
  }
  sqlite3_close(h);
  remove(db);
}

static void test_every_funding(void **state) {
  (void)state;
  check_scenario(SCEN("funding.cfg"), NULL, "funding_long");
}

static void test_every_adl(void **state) {
  (void)state;
  check_scenario(SCEN("adl.cfg"), "insurance.fund=100", "adl_count");
}

static void test_every_topup(void **state) {
  (void)state;
  check_scenario(SCEN("topup.cfg"), NULL, "topups");
}

static void test_every_partial(void **state) {
  (void)state;
  check_scenario(SCEN("partial-chunk.cfg"), NULL, "partial_liquidations");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rank),
    cmocka_unit_test(test_quantile_nearest_rank),
    cmocka_unit_test(test_rank_exact_for_decimals),
    cmocka_unit_test(test_step_and_sweep_quantiles_agree),
    cmocka_unit_test(test_step_stored),
    cmocka_unit_test(test_step_quantiles),
    cmocka_unit_test(test_describe),
    cmocka_unit_test(test_point_aggregates),
    cmocka_unit_test(test_kth_of_two_matches_merge),
    cmocka_unit_test(test_drawdown),
    cmocka_unit_test(test_quantile_large_n),
    cmocka_unit_test(test_non_finite_money_fails),
    cmocka_unit_test(test_every_funding),
    cmocka_unit_test(test_every_adl),
    cmocka_unit_test(test_every_topup),
    cmocka_unit_test(test_every_partial),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
