/*
** test_engine.c: the fast engine against the O(N*T) reference engine on
** random scenarios, hand-computed wicks and cascades, and conservation of
** money.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "liq_book.h"
#include "liq_engine.h"
#include "liq_impact.h"
#include "liq_margin.h"
#include "engine_fixtures.h"
#include "ref_engine.h"
#include "liq_test_support.h"

/* A random small scenario that liquidates a lot. */
static void scenario_random(gsl_rng *r, liq_scenario *sc) {
  static const double levs[6] = { 2.0, 5.0, 10.0, 20.0, 50.0, 100.0 };
  size_t k;
  liq_test_scenario_init(sc);
  sc->book.positions = 20 + gsl_rng_uniform_int(r, 300);
  sc->book.long_share = gsl_rng_uniform(r);
  sc->book.n_leverage = 6;
  for (k = 0; k < 6; k++) {
    sc->book.leverage[k] = levs[k];
    sc->book.weights[k] = gsl_rng_uniform(r);
  }
  sc->book.notional_dist = gsl_rng_uniform(r) < 0.5 ? LIQ_NOTIONAL_FIXED : LIQ_NOTIONAL_LOGNORMAL;
  sc->book.notional_median = 1000.0;
  sc->book.notional_sigma = 1.5;
  sc->book.entry_spread = 0.05 * gsl_rng_uniform(r);
  sc->margin.initial = 0.01 + 0.1 * gsl_rng_uniform(r);
  sc->margin.maintenance = sc->margin.initial * (0.2 + 0.7 * gsl_rng_uniform(r));
  sc->margin.call_level = 1.0 + gsl_rng_uniform(r);
  if (sc->margin.call_level * sc->margin.initial > 1.0) sc->margin.call_level = 1.0;
  sc->margin.liquidation_fee = 0.02 * gsl_rng_uniform(r);
  sc->impact.model = (int)gsl_rng_uniform_int(r, 3);
  /* Daily volume from half to five times the book's notional (about 3000
  ** per position): strong impact, but prices stay finite. */
  sc->impact.daily_volume = 3000.0 * (double)sc->book.positions * (0.5 + 4.5 * gsl_rng_uniform(r));
  sc->impact.coefficient = 2.0 * gsl_rng_uniform(r);
  sc->impact.max_rounds = gsl_rng_uniform(r) < 0.3 ? 1 + (int)gsl_rng_uniform_int(r, 3) : 100;
  sc->insurance.fund = gsl_rng_uniform(r) < 0.5 ? 0.0 : 1e3 * gsl_rng_uniform(r);
}

static void assert_same_double(double a, double b) {
  if (isnan(a) && isnan(b)) return;
  assert_true(a == b);
}

#define assert_close(a, b) assert_close_at((a), (b), #a, __FILE__, __LINE__)
static void assert_close_at(double a, double b, const char *what,
                            const char *file, int line) {
  if ((isnan(a) && isnan(b)) || a == b) return;
  if (fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)))) return;
  print_error("%s: fast %.17g, reference %.17g\n", what, a, b);
  _fail(file, line);
}

static void compare_runs(const capture *f, const capture *g,
                         const liq_summary *sf, const liq_summary *sg) {
  size_t i, q;
  assert_int_equal(f->n_steps, g->n_steps);
  assert_int_equal(f->n_liqs, g->n_liqs);
  for (i = 0; i < f->n_liqs; i++) {
    const liq_liquidation_row *a = &f->liqs[i], *b = &g->liqs[i];
    assert_int_equal(a->step, b->step);
    assert_int_equal(a->round, b->round);
    assert_int_equal(a->position_id, b->position_id);
    assert_int_equal(a->side, b->side);
    assert_same_double(a->price, b->price);
    assert_same_double(a->trigger_price, b->trigger_price);
    assert_same_double(a->fee, b->fee);
    assert_same_double(a->loss, b->loss);
  }
  for (i = 0; i < f->n_steps; i++) {
    const liq_step_row *a = &f->steps[i], *b = &g->steps[i];
    assert_int_equal(a->liquidations_long, b->liquidations_long);
    assert_int_equal(a->liquidations_short, b->liquidations_short);
    assert_int_equal(a->cascade_rounds, b->cascade_rounds);
    assert_int_equal(a->margin_calls, b->margin_calls);
    assert_int_equal(a->open_long, b->open_long);
    assert_int_equal(a->open_short, b->open_short);
    assert_same_double(a->price, b->price);
    assert_same_double(a->price_low, b->price_low);
    assert_same_double(a->price_high, b->price_high);
    assert_same_double(a->liquidated_notional, b->liquidated_notional);
    assert_same_double(a->insurance_fund, b->insurance_fund);
    assert_same_double(a->bad_debt, b->bad_debt);
    assert_same_double(a->uncovered_loss, b->uncovered_loss);
    assert_close(a->open_interest_long, b->open_interest_long);
    assert_close(a->open_interest_short, b->open_interest_short);
    assert_int_equal(a->n_quantiles, b->n_quantiles);
    for (q = 0; q < a->n_quantiles; q++) assert_close(a->cushion[q], b->cushion[q]);
  }
  assert_int_equal(sf->liquidated, sg->liquidated);
  assert_int_equal(sf->max_cascade_rounds, sg->max_cascade_rounds);
  assert_int_equal(sf->margin_calls, sg->margin_calls);
  assert_same_double(sf->min_price, sg->min_price);
  assert_same_double(sf->max_price, sg->max_price);
  assert_same_double(sf->drawdown, sg->drawdown);
  assert_same_double(sf->impact_at_low, sg->impact_at_low);
  assert_same_double(sf->impact_at_high, sg->impact_at_high);
  assert_same_double(sf->forced_share_of_fall, sg->forced_share_of_fall);
  assert_same_double(sf->forced_share_of_rise, sg->forced_share_of_rise);
  assert_same_double(sf->insurance_fund_min, sg->insurance_fund_min);
  assert_same_double(sf->bad_debt, sg->bad_debt);
}

/* collateral + PnL == returned + fees + open equity - bad debt, and the
** fund moved by fees minus the bad debt it covered. */
static void assert_conserved(const liq_summary *s) {
  double lhs = s->collateral + s->pnl_closed + s->pnl_open;
  double rhs = s->returned + s->fees + s->open_equity - s->bad_debt;
  double fund = s->insurance_fund_start + s->fees - (s->bad_debt - s->uncovered_loss);
  double scale = fmax(1.0, s->insurance_fund_start + s->fees + s->bad_debt);
  assert_rel(lhs, rhs, 1e-9);
  assert_true(fabs(fund - s->insurance_fund_end) <= 1e-9 * scale);
  assert_true(s->uncovered_loss >= 0.0 && s->uncovered_loss <= s->bad_debt * (1 + 1e-12));
}

/* ---- one random trial: both engines on one scenario, path and book ---- */

typedef struct trial {
  liq_scenario sc;
  liq_path    *path;
  liq_book    *book;
  capture      f, g;       /* the fast and the reference engine's rows */
  liq_summary  smf, smg;
} trial;

/* Draw the book of t->sc at the path's first open from 'seed'. */
static void trial_book(trial *t, unsigned long seed) {
  liq_err err;
  assert_liq_ok(liq_book_generate(&t->sc.book, &t->sc.margin, t->path->open[0], seed,
                                  &t->book, &err), &err);
}

/* Run the fast and the reference engine, capturing both. */
static void trial_run_both(trial *t) {
  liq_sink sf = { cap_step, cap_liq, &t->f, NULL }, sg = { cap_step, cap_liq, &t->g, NULL };
  liq_err err;
  assert_liq_ok(liq_engine_run(&t->sc, t->path, t->book, &sf, &t->smf, &err), &err);
  assert_liq_ok(ref_engine_run(&t->sc, t->path, t->book, &sg, &t->smg, &err), &err);
}

static void trial_free(trial *t) {
  cap_free(&t->f);
  cap_free(&t->g);
  liq_book_free(t->book);
  path_del(t->path);
  memset(t, 0, sizeof *t);
}

static void test_fast_engine_matches_reference(void **state) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int i, total_liq = 0, cut = 0, multi = 0;
  (void)state;
  for (i = 0; i < 400; i++) {
    trial t = { 0 };
    gsl_rng_set(r, 1000u + (unsigned)i);
    scenario_random(r, &t.sc);
    t.path = path_random(r, 20 + gsl_rng_uniform_int(r, 120), 100.0,
                         0.002 + 0.03 * gsl_rng_uniform(r), i % 2);
    trial_book(&t, 1000u + (unsigned)i);
    trial_run_both(&t);
    compare_runs(&t.f, &t.g, &t.smf, &t.smg);
    assert_conserved(&t.smf);
    total_liq += (int)t.smf.liquidated;
    cut += t.smf.max_cascade_rounds == t.sc.impact.max_rounds && t.sc.impact.max_rounds < 100;
    multi += t.smf.max_cascade_rounds >= 2;
    trial_free(&t);
  }
  /* The random scenarios must actually exercise cascades. */
  assert_true(total_liq > 10000);
  assert_true(multi > 50);
  assert_true(cut > 5);
  gsl_rng_free(r);
}

/* price.substeps: the engines agree on sub-bar paths too (both visit
** liq_path_waypoints(); test_path checks the bridge itself), the money
** identity holds (test_cli checks K = 1 against the engine from before
** sub-steps, to the bit). */
static void test_substeps_match_reference(void **state) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int i, more = 0;
  (void)state;
  for (i = 0; i < 60; i++) {
    trial t = { 0 };
    liq_summary sm1;
    liq_err err;
    gsl_rng_set(r, 7000u + (unsigned)i);
    scenario_random(r, &t.sc);
    t.path = path_random(r, 20 + gsl_rng_uniform_int(r, 60), 100.0,
                         0.002 + 0.03 * gsl_rng_uniform(r), i % 2);
    t.path->step_seconds = 60.0;
    t.path->daily_volatility = 0.2 * gsl_rng_uniform(r);
    t.path->bridge_seed = 99u + (unsigned)i;
    /* a half-life near the sub-step: the flow decays between sub-steps */
    if (i % 3 == 1) t.sc.impact.half_life_seconds = 5.0 + 60.0 * gsl_rng_uniform(r);
    trial_book(&t, 7000u + (unsigned)i);
    t.path->substeps = 1;
    assert_liq_ok(liq_engine_run(&t.sc, t.path, t.book, NULL, &sm1, &err), &err);
    t.path->substeps = 2 + (size_t)(i % 7);
    trial_run_both(&t);
    compare_runs(&t.f, &t.g, &t.smf, &t.smg);
    assert_conserved(&t.smf);
    more += t.smf.liquidated != sm1.liquidated || t.smf.bad_debt != sm1.bad_debt;
    trial_free(&t);
  }
  assert_true(more > 5);   /* the sub-bar path changes outcomes */
  gsl_rng_free(r);
}

/*
** price.substeps: the bar's time passes between its sub-bar waypoints, so
** the forced flow decays between them (half_life_seconds).  One close-only
** bar of 400 s with K = 4 must run as the four 100 s bars through the
** same prices: a cascade at the first sub-step has decayed by 2^-2 at the
** next (half-life 50 s), instead of adding to it undecayed as if the whole
** bar were one instant.
*/
static void test_substeps_decay_within_the_bar(void **state) {
  enum { N = 40, K = 4 };
  int side[N];
  double qty[N], entry[N], coll[N], w[LIQ_PATH_MAX_WAYPOINTS];
  liq_summary sa, sb;
  capture ca = { 0 }, cb = { 0 };
  liq_sink ka = { cap_step, cap_liq, &ca, NULL }, kb = { cap_step, cap_liq, &cb, NULL };
  liq_scenario sc;
  liq_err err;
  liq_path *a = path_new(1, 0), *b = path_new(K, 0);
  liq_book *book;
  size_t i;
  int n;
  (void)state;
  for (i = 0; i < N; i++) {
    side[i] = 1;
    qty[i] = 1.0;
    entry[i] = 100.0;
    coll[i] = 1.5 + 0.5 * (double)i;   /* liquidation prices spread over the fall */
  }
  book = book_of(N, side, qty, entry, coll);
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.01;
  sc.margin.maintenance = 0.005;
  sc.margin.liquidation_fee = 0.0;
  sc.impact.model = LIQ_IMPACT_LINEAR;
  sc.impact.coefficient = 1.0;
  sc.impact.daily_volume = 4.0e4;
  sc.impact.half_life_seconds = 50.0;
  a->open[0] = 100.0;
  a->close[0] = 80.0;
  a->step_seconds = 400.0;
  a->daily_volatility = 0.3;
  a->substeps = K;
  a->bridge_seed = 5;
  n = liq_path_waypoints(a, 0, w);
  assert_int_equal(n, K + 1);
  b->step_seconds = 400.0 / K;
  for (i = 0; i < K; i++) {
    b->t_ms[i] = (int64_t)i * 100000;
    b->open[i] = w[i];
    b->close[i] = w[i + 1];
  }
  assert_liq_ok(liq_engine_run(&sc, a, book, &ka, &sa, &err), &err);
  assert_liq_ok(liq_engine_run(&sc, b, book, &kb, &sb, &err), &err);
  assert_true(sa.liquidated > 5);
  assert_int_equal(sa.liquidated, sb.liquidated);
  assert_rel(sa.liquidated_notional, sb.liquidated_notional, 1e-12);
  assert_rel(ca.steps[0].price, cb.steps[K - 1].price, 1e-12);
  assert_rel(sa.min_price, sb.min_price, 1e-12);
  cap_free(&ca);
  cap_free(&cb);
  /* and the reference engine agrees */
  assert_liq_ok(ref_engine_run(&sc, a, book, &kb, &sb, &err), &err);
  assert_int_equal(sa.liquidated, sb.liquidated);
  assert_rel(sa.liquidated_notional, sb.liquidated_notional, 1e-12);
  assert_rel(sa.min_price, sb.min_price, 1e-12);
  cap_free(&cb);
  liq_book_free(book);
  path_del(a);
  path_del(b);
}

/* Mark bars: the trade bar times exp(noise), its wicks widened or
** narrowed, so that a mark low can sit above or below the trade low. */
static void add_mark(gsl_rng *r, liq_path *p, double sd) {
  size_t t;
  p->mark_open = malloc(p->n * sizeof *p->mark_open);
  p->mark_high = malloc(p->n * sizeof *p->mark_high);
  p->mark_low = malloc(p->n * sizeof *p->mark_low);
  p->mark_close = malloc(p->n * sizeof *p->mark_close);
  assert_true(p->mark_open && p->mark_high && p->mark_low && p->mark_close);
  for (t = 0; t < p->n; t++) {
    double o = p->open[t] * exp(sd * gsl_ran_gaussian(r, 1.0));
    double c = p->close[t] * exp(sd * gsl_ran_gaussian(r, 1.0));
    p->mark_open[t] = o;
    p->mark_close[t] = c;
    p->mark_high[t] = fmax(fmax(o, c), p->high[t] * exp(sd * gsl_ran_gaussian(r, 1.0)));
    p->mark_low[t] = fmin(fmin(o, c), p->low[t] * exp(sd * gsl_ran_gaussian(r, 1.0)));
  }
}

/* price.mark_file: the engines agree when triggers use a mark price that
** differs from the trade price (fills at the trade price), with and
** without sub-steps, and the money identity holds. */
static void test_mark_price_matches_reference(void **state) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int i, differ = 0;
  (void)state;
  for (i = 0; i < 80; i++) {
    trial t = { 0 };
    liq_summary sm0;
    liq_err err;
    gsl_rng_set(r, 9100u + (unsigned)i);
    scenario_random(r, &t.sc);
    t.path = path_random(r, 20 + gsl_rng_uniform_int(r, 60), 100.0,
                         0.002 + 0.03 * gsl_rng_uniform(r), i % 2);
    t.path->daily_volatility = 0.1;
    t.path->bridge_seed = (uint64_t)i;
    t.path->substeps = i % 3 == 0 ? 3 : 1;
    trial_book(&t, 9100u + (unsigned)i);
    assert_liq_ok(liq_engine_run(&t.sc, t.path, t.book, NULL, &sm0, &err), &err);
    add_mark(r, t.path, 0.004);
    trial_run_both(&t);
    compare_runs(&t.f, &t.g, &t.smf, &t.smg);
    assert_conserved(&t.smf);
    differ += t.smf.liquidated != sm0.liquidated;
    trial_free(&t);
  }
  assert_true(differ > 10);   /* the mark changes who is liquidated */
  gsl_rng_free(r);
}

/* A long 10x at 100 with 5 % maintenance liquidates at 94.7368: a trade
** wick to 94 with a mark low of 95 does not liquidate it; a mark low of
** 94.5 does, and the fill is at the trade price (94 at the wick). */
static void test_mark_triggers_trade_fills(void **state) {
  int side[1] = { 1 };
  double qty[1] = { 1.0 }, entry[1] = { 100.0 }, coll[1] = { 10.0 };
  double mark_low[2] = { 95.0, 94.5 };
  int k;
  (void)state;
  for (k = 0; k < 2; k++) {
    liq_book *b = book_of(1, side, qty, entry, coll);
    liq_path *p = path_new(1, 1);
    liq_scenario sc;
    liq_summary sm;
    liq_err err;
    capture c = { 0 };
    liq_sink sink = { cap_step, cap_liq, &c, NULL };
    liq_test_scenario_init(&sc);
    sc.margin.initial = 0.1;
    sc.margin.maintenance = 0.05;
    sc.margin.liquidation_fee = 0.0;
    p->open[0] = 100.0; p->high[0] = 100.5; p->low[0] = 94.0; p->close[0] = 99.0;
    p->mark_open = malloc(sizeof(double));
    p->mark_high = malloc(sizeof(double));
    p->mark_low = malloc(sizeof(double));
    p->mark_close = malloc(sizeof(double));
    p->mark_open[0] = 100.0; p->mark_high[0] = 100.4;
    p->mark_low[0] = mark_low[k]; p->mark_close[0] = 99.0;
    assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
    assert_int_equal(sm.liquidated, (size_t)k);
    if (k == 1) {
      assert_rel(c.liqs[0].price, 94.0, 1e-12);          /* trade fill */
      assert_rel(c.liqs[0].trigger_price, 94.5, 1e-12);  /* mark trigger */
    }
    assert_rel(sm.min_price, 94.0, 1e-12);               /* the trade low */
    cap_free(&c);
    liq_book_free(b);
    path_del(p);
  }
}

static void test_wick_liquidates(void **state) {
  /* Long 10x at 100 with 5 % maintenance: p_liq = 90 / 0.95 = 94.7368. */
  int side[1] = { 1 };
  double qty[1] = { 1.0 }, entry[1] = { 100.0 }, coll[1] = { 10.0 };
  liq_book *b = book_of(1, side, qty, entry, coll);
  liq_path *p = path_new(1, 1);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  capture c = { 0 };
  liq_sink sink = { cap_step, cap_liq, &c };
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  p->open[0] = 100.0; p->high[0] = 101.0; p->low[0] = 94.0; p->close[0] = 99.0;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  assert_int_equal(sm.liquidated, 1);
  assert_int_equal(c.n_liqs, 1);
  assert_rel(c.liqs[0].trigger_price, 94.0, 1e-15);
  assert_rel(c.liqs[0].liquidation_price, 90.0 / 0.95, 1e-15);
  assert_rel(sm.min_price_exogenous, 94.0, 1e-15);
  /* The same bar without its wick liquidates nothing. */
  p->has_ohlc = 0;
  assert_liq_ok(liq_engine_run(&sc, p, b, NULL, &sm, &err), &err);
  assert_int_equal(sm.liquidated, 0);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
}

static void test_two_round_cascade_by_hand(void **state) {
  /* Longs A (p_liq 90/0.95 = 94.737) and B (p_liq 80/0.95 = 84.211), 1 unit
  ** each; linear impact k = 1, V = 626.67: selling 94 moves ln p by -0.15. */
  int side[3] = { 1, 1, 1 };
  double qty[3] = { 1.0, 1.0, 1.0 }, entry[3] = { 100.0, 100.0, 100.0 };
  double coll[3] = { 10.0, 20.0, 40.0 };
  liq_book *b = book_of(3, side, qty, entry, coll);
  liq_path *p = path_new(1, 0);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  capture c = { 0 };
  liq_sink sink = { cap_step, cap_liq, &c };
  double V = 94.0 / 0.15, p1, f1, p2, f2, eqA, eqB, fee = 0.01;
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  sc.margin.liquidation_fee = fee;
  sc.impact.model = LIQ_IMPACT_LINEAR;
  sc.impact.coefficient = 1.0;
  sc.impact.daily_volume = V;
  sc.insurance.fund = 0.5;
  path_set_bar(p, 0, 100.0, 94.0);
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  /* Round 1: A at 94, price to 94 e^-0.15 = 80.906; the fill is the mean
  ** price along the linear curve, 94 (1 - e^-0.15) / 0.15 = 87.290. */
  p1 = 94.0 * exp(-0.15);
  f1 = 94.0 * (1.0 - exp(-0.15)) / 0.15;
  eqA = 10.0 + (f1 - 100.0);                    /* -2.710: bad debt */
  /* Round 2: B at p1 (< 84.211), sells p1 notional. */
  p2 = p1 * exp(-p1 / V);
  f2 = p1 * (1.0 - exp(-p1 / V)) / (p1 / V);
  eqB = 20.0 + (f2 - 100.0);                    /* -5.61...: still beyond B's bankruptcy */
  assert_int_equal(sm.liquidated, 2);
  assert_int_equal(sm.max_cascade_rounds, 2);
  assert_int_equal(c.n_liqs, 2);
  assert_int_equal(c.liqs[0].position_id, 0);
  assert_int_equal(c.liqs[0].round, 1);
  assert_int_equal(c.liqs[1].position_id, 1);
  assert_int_equal(c.liqs[1].round, 2);
  assert_rel(c.liqs[0].price, f1, 1e-14);
  assert_rel(c.liqs[1].price, f2, 1e-14);
  assert_rel(c.steps[0].price, p2, 1e-14);
  assert_rel(c.liqs[0].equity, eqA, 1e-12);
  assert_rel(c.liqs[0].loss, fmax(-eqA, 0.0), 1e-12);
  assert_rel(c.liqs[0].fee, fmin(fee * f1, fmax(eqA, 0.0)) + 0.0, 1e-12);
  assert_rel(c.liqs[1].equity, eqB, 1e-12);
  assert_rel(sm.bad_debt, fmax(-eqA, 0.0) + fmax(-eqB, 0.0), 1e-12);
  /* The fund (0.5) pays what it can; the rest is uncovered. */
  assert_rel(sm.uncovered_loss, sm.bad_debt - 0.5, 1e-12);
  assert_rel(sm.insurance_fund_end, 0.0, 1e-15);
  /* C (p_liq 60/0.95 = 63.16) survives. */
  assert_int_equal(c.steps[0].open_long, 1);
  /* The low is p2 against an exogenous low of 94; the high is the start. */
  assert_rel(sm.impact_at_low, log(p2 / 94.0), 1e-13);
  assert_true(sm.impact_at_high == 0.0);
  assert_rel(sm.forced_share_of_fall, log(p2 / 94.0) / log(p2 / 100.0), 1e-13);
  assert_true(isnan(sm.forced_share_of_rise));
  assert_int_equal(sm.counterfactual, 0);
  assert_conserved(&sm);
  /* Without impact only A goes, at 94, with equity 4 left: no bad debt. */
  sc.stats.counterfactual = 1;
  assert_liq_ok(liq_engine_run(&sc, p, b, NULL, &sm, &err), &err);
  assert_int_equal(sm.counterfactual, 1);
  assert_int_equal(sm.liquidated, 2);
  assert_int_equal(sm.liquidated_without_impact, 1);
  assert_rel(sm.liquidated_notional_without_impact, 94.0, 1e-14);
  assert_true(sm.bad_debt_without_impact == 0.0);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
}

static void test_short_squeeze_moves_price_up(void **state) {
  /* Short 10x at 100, 5 % mm: p_liq = 110 / 1.05 = 104.76. */
  int side[2] = { -1, -1 };
  double qty[2] = { 1.0, 2.0 }, entry[2] = { 100.0, 100.0 }, coll[2] = { 10.0, 60.0 };
  liq_book *b = book_of(2, side, qty, entry, coll);
  liq_path *p = path_new(1, 0);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  sc.impact.model = LIQ_IMPACT_SQRT;
  sc.impact.coefficient = 1.0;
  sc.impact.daily_volume = 1000.0;
  sc.impact.daily_volatility = 0.5;
  path_set_bar(p, 0, 100.0, 105.0);
  assert_liq_ok(liq_engine_run(&sc, p, b, NULL, &sm, &err), &err);
  /* Round 1 buys 105: ln move = 0.5 * sqrt(0.105) = 0.162 -> 123.5, which
  ** liquidates the second short (p_liq 130 / 1.05 = 123.81)? 105 e^0.162 =
  ** 123.46 < 123.81: it survives. */
  assert_int_equal(sm.liquidated_short, 1);
  assert_rel(sm.max_price, 105.0 * exp(0.5 * sqrt(0.105)), 1e-14);
  assert_rel(sm.impact_at_high, 0.5 * sqrt(0.105), 1e-14);
  assert_rel(sm.forced_share_of_rise, 0.5 * sqrt(0.105) / log(sm.max_price / 100.0), 1e-14);
  assert_true(isnan(sm.forced_share_of_fall));
  liq_book_free(b);
  path_del(p);
}

static void test_margin_calls_counted(void **state) {
  /* Longs at 100 with 10 % collateral: im 10 %, mm 5 %, call at IM.
  ** p_call = 90 / 0.9 = 100; p_liq = 94.74.  At 97 the first is in call;
  ** the second (collateral 20: p_call 80/0.9 = 88.9) is not. */
  int side[2] = { 1, 1 };
  double qty[2] = { 1.0, 1.0 }, entry[2] = { 100.0, 100.0 }, coll[2] = { 10.0, 20.0 };
  liq_book *b = book_of(2, side, qty, entry, coll);
  liq_path *p = path_new(2, 0);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  capture c = { 0 };
  liq_sink sink = { cap_step, NULL, &c };
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  p->open[0] = 100.0; p->close[0] = 97.0;
  p->open[1] = 97.0; p->close[1] = 99.0;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  assert_int_equal(c.steps[0].margin_calls, 1);
  assert_int_equal(c.steps[1].margin_calls, 1);
  assert_int_equal(sm.margin_calls, 1);
  assert_int_equal(sm.liquidated, 0);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
}

static void test_conservation_with_big_book(void **state) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  liq_scenario sc;
  liq_book *book = NULL;
  liq_path *path;
  liq_summary sm;
  liq_err err;
  (void)state;
  gsl_rng_set(r, 7);
  liq_test_scenario_init(&sc);
  sc.book.positions = 20000;
  sc.book.long_share = 0.7;
  sc.book.notional_dist = LIQ_NOTIONAL_LOGNORMAL;
  sc.book.notional_sigma = 1.5;
  sc.book.entry_spread = 0.02;
  sc.book.n_leverage = 3;
  sc.book.leverage[0] = 5; sc.book.leverage[1] = 20; sc.book.leverage[2] = 100;
  sc.book.weights[0] = 1; sc.book.weights[1] = 1; sc.book.weights[2] = 1;
  sc.margin.liquidation_fee = 0.005;
  sc.impact.model = LIQ_IMPACT_SQRT;
  sc.impact.coefficient = 0.7;
  sc.impact.daily_volume = 2e6;
  sc.insurance.fund = 1e4;
  path = path_random(r, 1440, 100.0, 0.003, 1);
  assert_liq_ok(liq_book_generate(&sc.book, &sc.margin, path->open[0], 3, &book, &err), &err);
  assert_liq_ok(liq_engine_run(&sc, path, book, NULL, &sm, &err), &err);
  assert_true(sm.liquidated > 1000);
  assert_conserved(&sm);
  liq_book_free(book);
  path_del(path);
  gsl_rng_free(r);
}

/* ---- exchange rules --------------------------------------------------- */



/* A random scenario with the exchange rules switched on at random. */
static void scenario_random_rules(gsl_rng *r, liq_scenario *sc) {
  scenario_random(r, sc);
  if (gsl_rng_uniform(r) < 0.3) set_tiers(sc, 0.2 + gsl_rng_uniform(r));
  sc->margin.partial_mode = (int)gsl_rng_uniform_int(r, 3);
  sc->margin.partial_buffer = 0.3 * gsl_rng_uniform(r);
  sc->margin.partial_share = 0.1 + 0.8 * gsl_rng_uniform(r);
  sc->margin.partial_cooldown = (int)gsl_rng_uniform_int(r, 4);
  sc->margin.topup_share = gsl_rng_uniform(r) < 0.5 ? gsl_rng_uniform(r) : 0.0;
  sc->margin.topup_delay = (int)gsl_rng_uniform_int(r, 4);
  if (gsl_rng_uniform(r) < 0.5) {
    sc->funding.mode = LIQ_FUNDING_CONSTANT;
    sc->funding.rate = 0.004 * (gsl_rng_uniform(r) - 0.3);
    sc->funding.interval_seconds = 60.0 * (double)(1 + gsl_rng_uniform_int(r, 10));
  }
  if (gsl_rng_uniform(r) < 0.5) sc->impact.half_life_seconds = 60.0 + 3600.0 * gsl_rng_uniform(r);
  if (gsl_rng_uniform(r) < 0.3) sc->impact.permanent = gsl_rng_uniform(r);
  if (gsl_rng_uniform(r) < 0.2) set_depth(sc);
  sc->insurance.policy = (int)gsl_rng_uniform_int(r, 4);
  sc->insurance.fund = gsl_rng_uniform(r) < 0.7 ? 0.0 : 200.0 * gsl_rng_uniform(r);
  sc->seed = gsl_rng_get(r);
}

static void assert_conserved_all(const liq_summary *s) {
  double lhs = s->collateral + s->topup_collateral + s->pnl_closed + s->pnl_open -
               s->funding_long - s->funding_short - s->haircut;
  double rhs = s->returned + s->fees + s->open_equity - s->bad_debt;
  double fund = s->insurance_fund_start + s->fees -
                (s->bad_debt - s->haircut - s->uncovered_loss);
  double scale = fmax(1.0, s->collateral + fabs(s->pnl_closed) + fabs(s->pnl_open) +
                               s->bad_debt + s->topup_collateral);
  if (!(fabs(lhs - rhs) <= 1e-9 * scale))
    print_error("money: lhs %.17g rhs %.17g (collateral %g topups %g pnl %g/%g funding %g/%g "
                "haircut %g returned %g fees %g open %g bad debt %g, max price %g)\n",
                lhs, rhs, s->collateral, s->topup_collateral, s->pnl_closed, s->pnl_open,
                s->funding_long, s->funding_short, s->haircut, s->returned, s->fees,
                s->open_equity, s->bad_debt, s->max_price);
  assert_true(fabs(lhs - rhs) <= 1e-9 * scale);
  assert_true(fabs(fund - s->insurance_fund_end) <= 1e-9 * scale);
  assert_true(s->uncovered_loss >= -1e-9 * scale && s->haircut >= -1e-9 * scale);
}


static void compare_rule_runs(const liq_scenario *sc, capture *f, capture *g,
                              const liq_summary *sf, const liq_summary *sg) {
  size_t i, q;
  assert_int_equal(f->n_steps, g->n_steps);
  assert_int_equal(f->n_liqs, g->n_liqs);
  if (f->n_liqs > 0) {
    qsort(f->liqs, f->n_liqs, sizeof *f->liqs, by_step_round_id);
    qsort(g->liqs, g->n_liqs, sizeof *g->liqs, by_step_round_id);
  }
  for (i = 0; i < f->n_liqs; i++) {
    assert_int_equal(f->liqs[i].step, g->liqs[i].step);
    assert_int_equal(f->liqs[i].round, g->liqs[i].round);
    assert_int_equal(f->liqs[i].position_id, g->liqs[i].position_id);
    assert_close(f->liqs[i].price, g->liqs[i].price);
    assert_close(f->liqs[i].share, g->liqs[i].share);
    assert_close(f->liqs[i].loss, g->liqs[i].loss);
  }
  for (i = 0; i < f->n_steps; i++) {
    const liq_step_row *a = &f->steps[i], *b = &g->steps[i];
    assert_int_equal(a->liquidations_long, b->liquidations_long);
    assert_int_equal(a->liquidations_short, b->liquidations_short);
    assert_int_equal(a->partial_liquidations, b->partial_liquidations);
    assert_int_equal(a->cascade_rounds, b->cascade_rounds);
    assert_int_equal(a->topups, b->topups);
    assert_int_equal(a->adl_count, b->adl_count);
    assert_int_equal(a->open_long, b->open_long);
    assert_int_equal(a->open_short, b->open_short);
    if (sc->margin.n_tiers == 0) assert_int_equal(a->margin_calls, b->margin_calls);
    assert_close(a->price, b->price);
    assert_close(a->insurance_fund, b->insurance_fund);
    assert_close(a->bad_debt, b->bad_debt);
    assert_close(a->uncovered_loss, b->uncovered_loss);
    assert_close(a->haircut, b->haircut);
    assert_close(a->funding, b->funding);
    assert_close(a->funding_short, b->funding_short);
    assert_close(a->topup_collateral, b->topup_collateral);
    assert_close(a->open_interest_long, b->open_interest_long);
    assert_close(a->open_interest_short, b->open_interest_short);
    for (q = 0; q < a->n_quantiles; q++) {
      assert_close(a->cushion[q], b->cushion[q]);
      assert_close(a->distance[q], b->distance[q]);
    }
  }
  assert_int_equal(sf->first_adl_step, sg->first_adl_step);
  assert_close(sf->returned, sg->returned);
  assert_close(sf->open_equity, sg->open_equity);
}

static void test_rules_match_reference(void **state) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int i;
  size_t partial = 0, topups = 0, adl = 0, tiered = 0, funded = 0, social = 0;
  (void)state;
  for (i = 0; i < 300; i++) {
    trial t = { 0 };
    gsl_rng_set(r, 77000u + (unsigned)i);
    scenario_random_rules(r, &t.sc);
    t.path = path_random(r, 20 + gsl_rng_uniform_int(r, 120), 100.0,
                         0.002 + 0.03 * gsl_rng_uniform(r), i % 2);
    trial_book(&t, 5000u + (unsigned)i);
    trial_run_both(&t);
    compare_rule_runs(&t.sc, &t.f, &t.g, &t.smf, &t.smg);
    assert_conserved_all(&t.smf);
    assert_conserved_all(&t.smg);
    partial += t.smf.partial_liquidations;
    topups += t.smf.topups;
    adl += t.smf.adl_count;
    tiered += t.sc.margin.n_tiers > 0 && t.smf.liquidated > 0;
    funded += t.smf.funding_long != 0.0;
    social += t.sc.insurance.policy == LIQ_POLICY_SOCIALIZE && t.smf.haircut > 0.0;
    trial_free(&t);
  }
  /* Every rule must actually have fired. */
  assert_true(partial > 1000);
  assert_true(topups > 100);
  assert_true(adl > 100);
  assert_true(tiered > 20);
  assert_true(funded > 50);
  assert_true(social > 5);
  gsl_rng_free(r);
}

/*
** Step quantiles take the nearest rank of the decimal q: with 100 open
** longs, q = 0.07 is the 7th smallest distance (0.07 * 100 is
** 7.000000000000001 in doubles; the engine used to take the 8th), and
** q = 0.5 the 50th.  Distances ln(p / p_liq) computed here by hand.
*/
static void test_step_quantile_decimal_rank(void **state) {
  enum { N = 100 };
  int side[N];
  double qty[N], entry[N], coll[N], dist[N], close = 100.0;
  liq_scenario sc;
  liq_summary sm;
  capture c;
  liq_sink sink;
  liq_book *b;
  liq_path *p;
  liq_err err;
  size_t i;
  (void)state;
  for (i = 0; i < N; i++) {
    side[i] = 1;
    qty[i] = 1.0;
    entry[i] = 100.0;
    coll[i] = 10.0 + 0.37 * (double)i;   /* distinct, all far from liquidation */
  }
  b = book_of(N, side, qty, entry, coll);
  p = path_closes(1, 100.0, &close);
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  sc.stats.n_quantiles = 2;
  sc.stats.quantiles[0] = 0.07;
  sc.stats.quantiles[1] = 0.5;
  memset(&c, 0, sizeof c);
  memset(&sink, 0, sizeof sink);
  sink.step = cap_step;
  sink.liquidation = cap_liq;
  sink.ud = &c;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  for (i = 0; i < N; i++)
    dist[i] = log(close / liq_margin_liq_price(1, qty[i], entry[i], coll[i], 0.05));
  /* collateral rises with i, so the distance does too: already sorted */
  for (i = 1; i < N; i++) assert_true(dist[i] > dist[i - 1]);
  assert_int_equal(c.n_steps, 1);
  assert_int_equal(c.steps[0].open_long, N);
  assert_rel(c.steps[0].distance[0], dist[6], 1e-12);
  assert_rel(c.steps[0].distance[1], dist[49], 1e-12);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
}

/* A one-bar path from 'open' to 'close' (close-only). */
static liq_path *bar(double open, double close) {
  return path_closes(1, open, &close);
}

/* A hand-computed case: one 10x long at 100 (qty 1, collateral 10) under
** IM 10 % and MM 5 % (p_liq = 90 / 0.95 = 94.737), over n close-only bars
** the test fills in. */
typedef struct hand {
  liq_book *b;
  liq_path *p;
  liq_scenario sc;
  liq_summary sm;
  capture c;
  liq_sink sink;
} hand;

static void hand_init(hand *h, size_t n) {
  int side[1] = { 1 };
  double qty[1] = { 1.0 }, entry[1] = { 100.0 }, coll[1] = { 10.0 };
  memset(h, 0, sizeof *h);
  h->b = book_of(1, side, qty, entry, coll);
  h->p = path_new(n, 0);
  liq_test_scenario_init(&h->sc);
  h->sc.margin.initial = 0.1;
  h->sc.margin.maintenance = 0.05;
  h->sink.step = cap_step;
  h->sink.liquidation = cap_liq;
  h->sink.ud = &h->c;
}

/* Bar t from 'open' to 'close'. */
static void hand_bar(hand *h, size_t t, double open, double close) {
  path_set_bar(h->p, t, open, close);
}

static void hand_run(hand *h) {
  liq_err err;
  assert_liq_ok(liq_engine_run(&h->sc, h->p, h->b, &h->sink, &h->sm, &err), &err);
}

static void hand_free(hand *h) {
  liq_book_free(h->b);
  path_del(h->p);
  cap_free(&h->c);
}

static void test_partial_restore_by_hand(void **state) {
  /* At 94 with buffer 0.1 and no fee: E = 4, MM = 4.7; close s with
  ** 4 >= 1.1 * 0.05 * (1 - s) * 94  =>  s = 1 - 4 / 5.17. */
  hand h;
  double s = 1.0 - 4.0 / (1.1 * 0.05 * 94.0);
  (void)state;
  hand_init(&h, 1);
  hand_bar(&h, 0, 100.0, 94.0);
  h.sc.margin.partial_mode = LIQ_PARTIAL_RESTORE;
  h.sc.margin.partial_buffer = 0.1;
  hand_run(&h);
  assert_int_equal(h.c.n_liqs, 1);
  assert_rel(h.c.liqs[0].share, s, 1e-12);
  assert_rel(h.c.liqs[0].qty, s, 1e-12);
  assert_int_equal(h.sm.liquidated, 0);
  assert_int_equal(h.sm.partial_liquidations, 1);
  /* The rest holds exactly 1.1 x maintenance at 94: equity 4, qty 1 - s. */
  assert_rel(h.sm.open_equity, 4.0, 1e-12);
  assert_rel(h.sm.open_equity, 1.1 * 0.05 * (1.0 - s) * 94.0, 1e-12);
  assert_int_equal(h.c.steps[0].open_long, 1);
  assert_conserved_all(&h.sm);
  hand_free(&h);
}

static void test_partial_chunk_cooldown(void **state) {
  /* Chunks of 40 % with a 5-step cooldown: the first hit (at 94.5) closes
  ** 40 %; the rest (collateral 10 - 0.4 * 5.5 = 7.8 for 0.6 units: p_liq
  ** 91.58) is hit again two steps later, still cooling down: closed whole. */
  hand h;
  (void)state;
  hand_init(&h, 3);
  hand_bar(&h, 0, 100.0, 94.5);
  hand_bar(&h, 1, 94.5, 94.6);
  hand_bar(&h, 2, 94.6, 91.0);
  h.sc.margin.partial_mode = LIQ_PARTIAL_CHUNK;
  h.sc.margin.partial_share = 0.4;
  h.sc.margin.partial_cooldown = 5;
  hand_run(&h);
  assert_int_equal(h.c.n_liqs, 2);
  assert_int_equal(h.c.liqs[0].step, 0);
  assert_rel(h.c.liqs[0].share, 0.4, 1e-15);
  assert_int_equal(h.c.liqs[1].step, 2);
  assert_rel(h.c.liqs[1].share, 1.0, 1e-15);
  assert_rel(h.c.liqs[1].qty, 0.6, 1e-12);
  assert_int_equal(h.sm.liquidated, 1);
  assert_conserved_all(&h.sm);
  hand_free(&h);
}

static void test_topup_after_delay(void **state) {
  /* IM 10 %: the long is called at any price below 100.  Every trader tops
  ** up (share 1) two steps after the call, back to IM at that step's
  ** price: at 96, equity 6 -> add 9.6 - 6 = 3.6. */
  hand h;
  (void)state;
  hand_init(&h, 4);
  hand_bar(&h, 0, 100.0, 98.0);
  hand_bar(&h, 1, 98.0, 96.0);
  hand_bar(&h, 2, 96.0, 96.0);
  hand_bar(&h, 3, 96.0, 96.0);
  h.sc.margin.topup_share = 1.0;
  h.sc.margin.topup_delay = 2;
  hand_run(&h);
  assert_int_equal(h.sm.topups, 1);
  assert_int_equal(h.c.steps[2].topups, 1);
  /* (a hair above IM, 1e-9 relative, so that the trader leaves the call zone) */
  assert_rel(h.sm.topup_collateral, 0.1 * 96.0 * (1.0 + 1e-9) - 6.0, 1e-12);
  assert_int_equal(h.c.steps[1].margin_calls, 1);
  assert_int_equal(h.c.steps[3].margin_calls, 0);   /* back at IM: not in call */
  assert_conserved_all(&h.sm);
  hand_free(&h);
}

static void test_funding_pays_and_liquidates(void **state) {
  /* Longs pay 1 % of notional at 100 every 60 s: a long with 5.6 of cushion
  ** over maintenance loses 1 per step and is liquidated by funding alone. */
  int side[2] = { 1, -1 };
  double qty[2] = { 1.0, 2.0 }, entry[2] = { 100.0, 100.0 }, coll[2] = { 10.6, 20.0 };
  liq_book *b = book_of(2, side, qty, entry, coll);
  liq_path *p = path_new(10, 0);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  capture c = { 0 };
  liq_sink sink = { cap_step, cap_liq, &c, NULL };
  size_t t;
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  sc.funding.mode = LIQ_FUNDING_CONSTANT;
  sc.funding.rate = 0.01;
  sc.funding.interval_seconds = 60.0;
  for (t = 0; t < 10; t++) {
    p->t_ms[t] = (int64_t)t * 60000 + 30000;   /* no event at the first open */
    p->open[t] = p->close[t] = p->high[t] = p->low[t] = 100.0;
  }
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  /* Events at 60 s, 120 s, ...: one in each bar, paid at the end of steps 0..9. */
  assert_rel(c.steps[0].funding, 1.0, 1e-12);
  assert_rel(c.steps[0].funding_short, -2.0, 1e-12);
  /* Each side pays on its own open interest: the book (1 long, 2 short)
  ** receives 1 per payment from the rest of the market. */
  assert_rel(c.steps[0].funding_external, -1.0, 1e-12);
  assert_rel(sm.funding_external, sm.funding_long + sm.funding_short, 1e-12);
  assert_true(sm.funding_external < 0.0);
  /* After 6 payments equity 4.6 < MM 5: liquidated in the funding cascade of step 5. */
  assert_int_equal(c.n_liqs, 1);
  assert_int_equal(c.liqs[0].position_id, 0);
  assert_int_equal(c.liqs[0].step, 5);
  assert_rel(sm.funding_long, 6.0, 1e-12);
  assert_rel(sm.funding_short, -20.0, 1e-12);
  assert_conserved_all(&sm);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
}

/* Funding is charged on the mark price, as exchanges charge it: trade
** closes at 100, mark closes at 104; 1 % a bar on 1 long and 2 short. */
static void test_funding_paid_at_mark(void **state) {
  int side[2] = { 1, -1 };
  double qty[2] = { 1.0, 2.0 }, entry[2] = { 100.0, 100.0 }, coll[2] = { 50.0, 100.0 };
  liq_book *b = book_of(2, side, qty, entry, coll);
  liq_path *p = path_new(3, 0);
  liq_scenario sc;
  liq_summary sm, smr;
  liq_err err;
  capture c = { 0 }, cr = { 0 };
  liq_sink sink = { cap_step, cap_liq, &c, NULL }, sinkr = { cap_step, cap_liq, &cr, NULL };
  size_t t;
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  sc.funding.mode = LIQ_FUNDING_CONSTANT;
  sc.funding.rate = 0.01;
  sc.funding.interval_seconds = 60.0;
  p->mark_open = malloc(3 * sizeof(double));
  p->mark_high = malloc(3 * sizeof(double));
  p->mark_low = malloc(3 * sizeof(double));
  p->mark_close = malloc(3 * sizeof(double));
  assert_true(p->mark_open && p->mark_high && p->mark_low && p->mark_close);
  for (t = 0; t < 3; t++) {
    p->t_ms[t] = (int64_t)t * 60000 + 30000;   /* no event at the first open */
    p->open[t] = p->close[t] = p->high[t] = p->low[t] = 100.0;
    p->mark_open[t] = p->mark_close[t] = p->mark_high[t] = p->mark_low[t] = 104.0;
  }
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  assert_liq_ok(ref_engine_run(&sc, p, b, &sinkr, &smr, &err), &err);
  assert_rel(c.steps[0].funding, 1.04, 1e-12);          /* 1 % x 1 x 104 */
  assert_rel(c.steps[0].funding_short, -2.08, 1e-12);
  assert_rel(sm.funding_long, 3.12, 1e-12);
  assert_rel(smr.funding_long, sm.funding_long, 1e-12);
  assert_rel(smr.funding_short, sm.funding_short, 1e-12);
  assert_conserved_all(&sm);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
  cap_free(&cr);
}

static void test_transient_impact_recovers(void **state) {
  /* The forced sale knocks the price down by ln 0.9; with a one-step
  ** half-life half of the log impact is gone a step later. */
  hand h;
  double r0 = -log(0.9);
  (void)state;
  hand_init(&h, 3);
  hand_bar(&h, 0, 100.0, 94.0);
  hand_bar(&h, 1, 94.0, 94.0);
  hand_bar(&h, 2, 94.0, 94.0);
  h.sc.impact.model = LIQ_IMPACT_LINEAR;
  h.sc.impact.coefficient = 1.0;
  h.sc.impact.daily_volume = 94.0 / r0;
  h.sc.impact.half_life_seconds = 60.0;
  hand_run(&h);
  assert_rel(h.c.steps[0].price, 94.0 * 0.9, 1e-12);
  assert_rel(h.c.steps[1].price, 94.0 * exp(-r0 / 2.0), 1e-12);
  assert_rel(h.c.steps[2].price, 94.0 * exp(-r0 / 4.0), 1e-12);
  hand_free(&h);
}

/* ---- fills along the curve and impact over time ------------------------ */

/* n longs of qty 1 at entry 100 under IM 10 % and MM 5 % with these
** liquidation prices: collateral c = 100 - 0.95 p_liq. */
static liq_book *longs_at(size_t n, const double *p_liq) {
  int side[16];
  double qty[16], entry[16], coll[16];
  size_t i;
  for (i = 0; i < n; i++) {
    side[i] = 1;
    qty[i] = 1.0;
    entry[i] = 100.0;
    coll[i] = 100.0 - 0.95 * p_liq[i];
  }
  return book_of(n, side, qty, entry, coll);
}

static void sqrt_impact_scenario(liq_scenario *sc) {
  liq_test_scenario_init(sc);
  sc->margin.initial = 0.1;
  sc->margin.maintenance = 0.05;
  sc->impact.model = LIQ_IMPACT_SQRT;
  sc->impact.coefficient = 1.0;
  sc->impact.daily_volatility = 0.05;
  sc->impact.daily_volume = 19000.0;   /* 8 units at 95 move ln p by -1 % */
}

/* Quantity-weighted mean fill of the captured liquidations. */
static double mean_fill(const capture *c) {
  double qp = 0.0, q = 0.0;
  size_t i;
  for (i = 0; i < c->n_liqs; i++) {
    qp += c->liqs[i].qty * c->liqs[i].price;
    q += c->liqs[i].qty;
  }
  return qp / q;
}

/*
** The split-rounds property in the engine: the same eight longs closed in
** one round (all past their threshold at the gap to 95) or in eight (each
** one's threshold between the prices the previous rounds leave) end at the
** same price and pay the same mean fill, up to the valuation effect of Q
** (each round's quantity valued at its own pre-trade price): here 3.0e-5
** in the price and 1.3e-5 in the fill.  Fills at the rounds' midpoints
** would differ by 1.6e-3.
*/
static void test_split_rounds_same_price_and_fill(void **state) {
  double p_liq[8], pk[9], flow = 0.0, mid_one, mid_many = 0.0;
  liq_path *p = bar(100.0, 95.0);
  liq_scenario sc;
  liq_summary sm1, sm8;
  liq_err err;
  capture c1 = { 0 }, c8 = { 0 };
  liq_sink s1 = { cap_step, cap_liq, &c1, NULL }, s8 = { cap_step, cap_liq, &c8, NULL };
  liq_book *one, *many;
  size_t k;
  (void)state;
  sqrt_impact_scenario(&sc);
  for (k = 0; k < 8; k++) p_liq[k] = 97.0;
  one = longs_at(8, p_liq);
  /* The prices the eight rounds leave, one unit sold in each. */
  pk[0] = 95.0;
  for (k = 0; k < 8; k++) {
    flow -= pk[k];
    pk[k + 1] = 95.0 * exp(liq_impact_level(&sc.impact, 0.05, flow));
    p_liq[k] = k == 0 ? 97.0 : 0.5 * (pk[k - 1] + pk[k]);
    mid_many += 0.5 * (pk[k] + pk[k + 1]) / 8.0;
  }
  many = longs_at(8, p_liq);
  assert_liq_ok(liq_engine_run(&sc, p, one, &s1, &sm1, &err), &err);
  assert_liq_ok(liq_engine_run(&sc, p, many, &s8, &sm8, &err), &err);
  assert_int_equal(sm1.max_cascade_rounds, 1);
  assert_int_equal(sm8.max_cascade_rounds, 8);
  assert_int_equal(sm1.liquidated, 8);
  assert_int_equal(sm8.liquidated, 8);
  assert_rel(c8.steps[0].price, pk[8], 1e-13);
  assert_rel(c8.steps[0].price, c1.steps[0].price, 1e-4);
  assert_rel(mean_fill(&c8), mean_fill(&c1), 1e-4);
  /* the midpoint rule would not pass */
  mid_one = 0.5 * (95.0 + c1.steps[0].price);
  assert_true(fabs(mid_many / mid_one - 1.0) > 1e-3);
  liq_book_free(one);
  liq_book_free(many);
  path_del(p);
  cap_free(&c1);
  cap_free(&c8);
}

/* Sold notional of the captured liquidations of step t, at their trigger
** prices (the engine's Q). */
static double sold_at(const capture *c, size_t t) {
  double q = 0.0;
  size_t i;
  for (i = 0; i < c->n_liqs; i++)
    if (c->liqs[i].step == t) q += c->liqs[i].qty * c->liqs[i].trigger_price;
  return q;
}

/* Four longs past 97 at the gap of step 0 and four past 90 at the gap of
** step 1, under a half-life and a permanent part; returns the final log
** impact and the two cascades' sizes. */
static double two_cascades(double half_life, double permanent, double *qa, double *qb) {
  double p_liq[8] = { 97.0, 97.0, 97.0, 97.0, 90.0, 90.0, 90.0, 90.0 };
  double closes[2] = { 95.0, 89.0 }, ln;
  liq_path *p = path_closes(2, 100.0, closes);
  liq_book *b = longs_at(8, p_liq);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  capture c = { 0 };
  liq_sink sink = { cap_step, cap_liq, &c, NULL };
  sqrt_impact_scenario(&sc);
  sc.impact.half_life_seconds = half_life;
  sc.impact.permanent = permanent;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  assert_int_equal(c.n_steps, 2);
  assert_int_equal(c.steps[0].liquidations, 4);
  assert_int_equal(c.steps[1].liquidations, 4);
  *qa = sold_at(&c, 0);
  *qb = sold_at(&c, 1);
  ln = log(c.steps[1].price / c.steps[1].price_exogenous);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
  return ln;
}

/* A replay with a gap: the flow decays over the time that passed between
** the bars' opens (ten minutes here: ten half-lives), not over one bar.
** Four longs past 97 go at the gap to 95 of bar 0; bar 1, flat at 95, opens
** ten minutes later. */
static void test_flow_decays_over_a_gap(void **state) {
  double p_liq[4] = { 97.0, 97.0, 97.0, 97.0 }, closes[2] = { 95.0, 95.0 };
  liq_path *p = path_closes(2, 100.0, closes);
  liq_book *b = longs_at(4, p_liq);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  capture c = { 0 };
  liq_sink sink = { cap_step, cap_liq, &c, NULL };
  double q;
  (void)state;
  p->t_ms[1] = 600000;
  sqrt_impact_scenario(&sc);
  sc.impact.half_life_seconds = 60.0;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  assert_int_equal(c.n_steps, 2);
  assert_int_equal(c.steps[0].liquidations, 4);
  q = sold_at(&c, 0);
  assert_rel(log(c.steps[1].price / c.steps[1].price_exogenous),
             liq_impact_level(&sc.impact, 0.05, -q * exp2(-10.0)), 1e-12);
  /* a generated path's bars are one step apart: one half-life */
  cap_free(&c);
  memset(&c, 0, sizeof c);
  p->t_ms[1] = 60000;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  assert_rel(log(c.steps[1].price / c.steps[1].price_exogenous),
             liq_impact_level(&sc.impact, 0.05, -q * 0.5), 1e-12);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
}

/* Two cascades a step apart under a long half-life move the price as one
** of their total; under a half-life far below the step the first is gone;
** the permanent part keeps the total flow either way. */
static void test_cascades_a_step_apart(void **state) {
  liq_scenario sc;
  double qa, qb, ln, kv = 0.5 / 19000.0;
  (void)state;
  sqrt_impact_scenario(&sc);
  ln = two_cascades(1e12, 0.0, &qa, &qb);
  assert_rel(ln, liq_impact_level(&sc.impact, 0.05, -(qa + qb)), 1e-9);
  /* not the sum of the two square roots (about sqrt 2 times more) */
  assert_true(fabs(ln) < 0.75 * fabs(liq_impact_level(&sc.impact, 0.05, -qa) +
                                     liq_impact_level(&sc.impact, 0.05, -qb)));
  ln = two_cascades(INFINITY, 0.0, &qa, &qb);
  assert_rel(ln, liq_impact_level(&sc.impact, 0.05, -(qa + qb)), 1e-14);
  ln = two_cascades(1e-3, 0.0, &qa, &qb);
  assert_rel(ln, liq_impact_level(&sc.impact, 0.05, -qb), 1e-14);
  ln = two_cascades(1e-3, 0.5, &qa, &qb);
  assert_rel(ln, liq_impact_level(&sc.impact, 0.05, -qb) - kv * (qa + qb), 1e-12);
}

static void test_depth_impact_by_hand(void **state) {
  /* Bids: 2e3 within 0.5 %, 2e4 within 2 %.  Selling 9.4e3 (100 longs of
  ** 1 at 94) eats to 0.5 + 1.5 * (7.4e3 / 1.8e4) %. */
  liq_book *b = liq_book_alloc(100);
  liq_path *p = bar(100.0, 94.0);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  size_t i;
  double pct = 0.5 + 1.5 * (9.4e3 - 2e3) / (2e4 - 2e3);
  (void)state;
  for (i = 0; i < 100; i++) {
    b->side[i] = 1; b->qty[i] = 1.0; b->entry[i] = 100.0; b->collateral[i] = 10.0;
    b->leverage[i] = 10.0;
  }
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  set_depth(&sc);
  assert_liq_ok(liq_engine_run(&sc, p, b, NULL, &sm, &err), &err);
  assert_int_equal(sm.liquidated, 100);
  assert_rel(sm.min_price, 94.0 * (1.0 - pct / 100.0), 1e-12);
  liq_book_free(b);
  path_del(p);
}

/* Long 0 goes bankrupt at 80 (bad debt 10.1 with collateral 10 at a fill
** of 80 after no impact... entry 100, 10x); shorts 1 and 2 profit 20 each
** per unit; short 2 has higher leverage and ranks first. */
static liq_book *adl_book(void) {
  int side[3] = { 1, -1, -1 };
  double qty[3] = { 1.0, 1.0, 1.0 }, entry[3] = { 100.0, 100.0, 100.0 };
  double coll[3] = { 10.0, 50.0, 20.0 };
  return book_of(3, side, qty, entry, coll);
}

static void test_adl_ranked_by_hand(void **state) {
  liq_book *b = adl_book();
  liq_path *p = bar(100.0, 85.0);   /* long's bankruptcy 90: loss 5 at 85 */
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  capture c = { 0 };
  liq_sink sink = { NULL, NULL, &c, NULL };
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  sc.insurance.fund = 1.0;
  sc.insurance.policy = LIQ_POLICY_ADL_RANKED;
  sink.adl = cap_adl;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  /* Bad debt 5, fund pays 1, ADL covers 4 from short 2, closed at the
  ** long's bankruptcy price 90 instead of 85: 5 per unit, so it closes
  ** 4/5 of its position (the bankrupt long's uncovered quantity). */
  assert_rel(sm.bad_debt, 5.0, 1e-12);
  assert_rel(sm.haircut, 4.0, 1e-12);
  assert_rel(sm.uncovered_loss, 0.0, 1e-12);
  assert_int_equal(sm.adl_count, 1);
  assert_rel(sm.adl_notional, 0.8 * 90.0, 1e-12);
  assert_int_equal(c.n_adls, 1);
  assert_int_equal(c.adls[0].position_id, 2);
  assert_rel(c.adls[0].price, 90.0, 1e-14);
  assert_rel(c.adls[0].qty, 0.8, 1e-14);
  assert_rel(c.adls[0].haircut, 4.0, 1e-12);
  /* It keeps its profit at 90 on the closed part: 0.8 * 20 + 0.8 * 10. */
  assert_rel(sm.returned, 0.8 * 20.0 + 0.8 * 10.0, 1e-12);
  assert_int_equal(sm.first_adl_step, 0);
  /* The score, rounded to 10 significant digits; per unit of quantity, so
  ** three times the position (same entry, same leverage) ties exactly. */
  assert_rel(liq_engine_adl_score(-1, 1.0, 100.0, 20.0, 85.0), (15.0 / 20.0) * (85.0 / 35.0), 1e-9);
  assert_true(liq_engine_adl_score(-1, 1.0, 100.0, 20.0, 85.4) ==
              liq_engine_adl_score(-1, 3.0, 100.0, 60.0, 85.4));
  assert_conserved_all(&sm);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
}

static void test_adl_prorata_and_socialize_by_hand(void **state) {
  liq_book *b = adl_book();
  liq_path *p = bar(100.0, 85.0);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  capture c = { 0 };
  liq_sink sink = { NULL, NULL, &c, cap_adl };
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  sc.insurance.policy = LIQ_POLICY_ADL_PRORATA;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  /* Both shorts can give up 5 (1 unit at 90 instead of 85): each closes
  ** half its position at 90, one unit in all, the bankrupt long's. */
  assert_int_equal(sm.adl_count, 2);
  assert_rel(sm.haircut, 5.0, 1e-12);
  assert_rel(sm.adl_notional, 2.0 * 0.5 * 90.0, 1e-12);
  assert_int_equal(c.n_adls, 2);
  assert_rel(c.adls[0].price, 90.0, 1e-14);
  assert_rel(c.adls[1].share, 0.5, 1e-14);
  assert_conserved_all(&sm);
  sc.insurance.policy = LIQ_POLICY_SOCIALIZE;
  c.n_adls = 0;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  /* Both shorts pay 2.5 per unit of quantity; nothing is closed; one row
  ** per charged position. */
  assert_int_equal(sm.adl_count, 0);
  assert_rel(sm.haircut, 5.0, 1e-12);
  assert_rel(sm.open_equity, (50.0 + 15.0 - 2.5) + (20.0 + 15.0 - 2.5), 1e-12);
  assert_int_equal(c.n_adls, 2);
  assert_int_equal(c.adls[0].position_id, 1);
  assert_int_equal(c.adls[1].position_id, 2);
  assert_rel(c.adls[0].haircut, 2.5, 1e-12);
  assert_rel(c.adls[1].haircut, 2.5, 1e-12);
  assert_true(c.adls[1].qty == 0.0);
  assert_conserved_all(&sm);
  sc.insurance.policy = LIQ_POLICY_NONE;
  assert_liq_ok(liq_engine_run(&sc, p, b, NULL, &sm, &err), &err);
  assert_rel(sm.uncovered_loss, 5.0, 1e-12);
  assert_int_equal(sm.first_adl_step, -1);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
}

/* Socialised rows with unequal quantities: the long's bad debt 5 is
** charged per unit of the shorts' quantity (1 and 3: 1.25 per unit), so
** the rows say 1.25 and 3.75, not the same amount each. */
static void test_socialize_rows_per_quantity(void **state) {
  int side[3] = { 1, -1, -1 };
  double qty[3] = { 1.0, 1.0, 3.0 }, entry[3] = { 100.0, 100.0, 100.0 };
  double coll[3] = { 10.0, 50.0, 60.0 };
  liq_book *b = book_of(3, side, qty, entry, coll);
  liq_path *p = bar(100.0, 85.0);
  liq_scenario sc;
  liq_summary sm;
  liq_err err;
  capture c = { 0 };
  liq_sink sink = { NULL, NULL, &c, cap_adl };
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  sc.insurance.policy = LIQ_POLICY_SOCIALIZE;
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  assert_rel(sm.haircut, 5.0, 1e-12);
  assert_int_equal(c.n_adls, 2);
  assert_int_equal(c.adls[0].position_id, 1);
  assert_int_equal(c.adls[1].position_id, 2);
  assert_int_equal(c.adls[0].side, -1);
  assert_rel(c.adls[0].haircut, 1.25, 1e-12);
  assert_rel(c.adls[1].haircut, 3.75, 1e-12);
  assert_rel(sm.open_equity, (50.0 + 15.0 - 1.25) + (60.0 + 45.0 - 3.75), 1e-12);
  assert_conserved_all(&sm);
  liq_book_free(b);
  path_del(p);
  cap_free(&c);
}

static void test_tiered_liquidation_price(void **state) {
  /* Under tiers the engine liquidates exactly at the rule's threshold. */
  liq_scenario sc;
  liq_book *b = liq_book_alloc(1);
  liq_path *p;
  liq_summary sm;
  liq_err err;
  double pl;
  (void)state;
  liq_test_scenario_init(&sc);
  set_tiers(&sc, 1.0);
  b->side[0] = 1; b->qty[0] = 300.0; b->entry[0] = 100.0; b->collateral[0] = 1500.0;
  b->leverage[0] = 20.0;
  pl = liq_margin_rule_liq_price(&sc.margin, 1, 300.0, 100.0, 1500.0);
  p = bar(100.0, pl * (1.0 + 1e-9));
  assert_liq_ok(liq_engine_run(&sc, p, b, NULL, &sm, &err), &err);
  assert_int_equal(sm.liquidated, 0);
  path_del(p);
  p = bar(100.0, pl * (1.0 - 1e-9));
  assert_liq_ok(liq_engine_run(&sc, p, b, NULL, &sm, &err), &err);
  assert_int_equal(sm.liquidated, 1);
  path_del(p);
  liq_book_free(b);
}

/*
** Used to: a replay of 2 bars has one return, so its daily volatility is
** "0", and a sqrt impact without impact.daily_volatility silently had no
** impact at all (a 20 % crash of 1000 10x longs: amplification 1.000 with
** 2 bars, 5.000 with one more flat bar); gbm with volatility 0 the same.
** Now liq_engine_check_inputs() (called by liq_engine_run() and by
** `liqsim check` / `run`) refuses it at impact.model, asking for
** impact.daily_volatility.
*/
static void test_sqrt_impact_needs_volatility(void **state) {
  char dir[256], csv[512], cfg[512], text[4096];
  const char *args[] = {"check", cfg, NULL};
  liq_override ov[1] = {{"impact.daily_volatility=0.04"}};
  liq_scenario *sc = NULL;
  liq_path *p = NULL;
  liq_book *b = NULL;
  liq_summary sm;
  liq_err err;
  liq_test_cli_result r;
  int rc;
  (void)state;
  liq_test_temp_dir("liqsim-engine", dir, sizeof dir);
  liq_test_write_text(dir, "crash2.csv",
             "1700000000000,100,100,100,100\n1700000060000,100,100,80,80\n",
             csv, sizeof csv);
  snprintf(text, sizeof text,
           "name = \"c\";\nprice = { model = \"replay\"; file = \"%s\"; };\n"
           LIQ_TEST_BOOK_MARGIN
           "impact = { model = \"sqrt\"; daily_volume = 1e8; coefficient = 1.0; };\n",
           csv);
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "c.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 1, &p, &err), &err);
  assert_liq_ok(liq_book_build(sc, p, 1, &b, &err), &err);
  assert_rel(liq_engine_daily_volatility(sc, p), 0.0, 0);
  rc = liq_engine_check_inputs(sc, p, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_string_equal(err.file, "c.cfg");
  assert_int_equal(err.line, 7);
  assert_non_null(strstr(err.msg, "sqrt impact needs impact.daily_volatility"));
  liq_err_clear(&err);
  rc = liq_engine_run(sc, p, b, NULL, &sm, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 7);
  liq_book_free(b);
  liq_path_free(p);
  liq_scenario_free(sc);
  sc = NULL;

  /* Given explicitly, it runs. */
  liq_err_clear(&err);
  assert_liq_ok(liq_scenario_load_string(text, "c.cfg", ov, 1, &sc, &err), &err);
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 1, &p, &err), &err);
  assert_liq_ok(liq_engine_check_inputs(sc, p, &err), &err);
  liq_path_free(p);
  liq_scenario_free(sc);

  /* gbm with volatility 0: `check` refuses at impact.model's line. */
  liq_test_write_text(dir, "flat.cfg",
             "name = \"flat\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"gbm\"; start = 100.0; volatility = 0; };\n"
             LIQ_TEST_BOOK_MARGIN
             "impact = { model = \"sqrt\"; daily_volume = 1e8; coefficient = 1.0; };\n",
             cfg, sizeof cfg);
  r = liq_test_cli(dir, 20.0, args);
  liq_test_print_cli("check sqrt impact on a gbm of volatility 0", &r);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_at(r.err, "flat.cfg", 9));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rules_match_reference),
    cmocka_unit_test(test_partial_restore_by_hand),
    cmocka_unit_test(test_partial_chunk_cooldown),
    cmocka_unit_test(test_topup_after_delay),
    cmocka_unit_test(test_funding_pays_and_liquidates),
    cmocka_unit_test(test_funding_paid_at_mark),
    cmocka_unit_test(test_transient_impact_recovers),
    cmocka_unit_test(test_split_rounds_same_price_and_fill),
    cmocka_unit_test(test_cascades_a_step_apart),
    cmocka_unit_test(test_flow_decays_over_a_gap),
    cmocka_unit_test(test_depth_impact_by_hand),
    cmocka_unit_test(test_adl_ranked_by_hand),
    cmocka_unit_test(test_adl_prorata_and_socialize_by_hand),
    cmocka_unit_test(test_socialize_rows_per_quantity),
    cmocka_unit_test(test_tiered_liquidation_price),
    cmocka_unit_test(test_step_quantile_decimal_rank),
    cmocka_unit_test(test_fast_engine_matches_reference),
    cmocka_unit_test(test_substeps_match_reference),
    cmocka_unit_test(test_substeps_decay_within_the_bar),
    cmocka_unit_test(test_mark_price_matches_reference),
    cmocka_unit_test(test_mark_triggers_trade_fills),
    cmocka_unit_test(test_wick_liquidates),
    cmocka_unit_test(test_two_round_cascade_by_hand),
    cmocka_unit_test(test_short_squeeze_moves_price_up),
    cmocka_unit_test(test_margin_calls_counted),
    cmocka_unit_test(test_conservation_with_big_book),
    cmocka_unit_test(test_sqrt_impact_needs_volatility),
  };
  return cmocka_run_group_tests(tests, NULL, liq_test_remove_temp_dirs);
}
