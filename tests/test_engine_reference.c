/*
** test_engine_reference.c: the fast engine against the O(N*T) reference
** engine (tests/support/ref_engine.c): edge cases found in review, each a
** regression test with its hand-made case, and randomized comparisons on
** extreme parameters (exact ties, zero fees, cut-offs, call lines up to
** 1/initial, books of thousands of identical positions).
*/
#define _POSIX_C_SOURCE 200809L  /* fork, waitpid */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "liq_book.h"
#include "liq_engine.h"
#include "liq_funding.h"
#include "liq_margin.h"
#include "engine_fixtures.h"
#include "ref_engine.h"
#include "test_util.h"

/* ---- capturing sink -------------------------------------------------- */

/* ---- paths and books --------------------------------------------------- */

/* ---- fast vs reference, reporting the first difference ---------------- */

static int close_enough(double a, double b, double rtol) {
  if ((isnan(a) && isnan(b)) || a == b) return 1;
  return fabs(a - b) <= rtol * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static const char *diff_runs(capture *f, capture *g, const liq_summary *sf,
                             const liq_summary *sg, double rtol) {
  static char buf[512];
  size_t i, q;
  if (f->n_steps != g->n_steps) return "n_steps";
  if (f->n_liqs != g->n_liqs) {
    snprintf(buf, sizeof buf, "liquidation rows: fast %zu, reference %zu", f->n_liqs, g->n_liqs);
    return buf;
  }
  if (f->n_liqs) {
    qsort(f->liqs, f->n_liqs, sizeof *f->liqs, by_step_round_id);
    qsort(g->liqs, g->n_liqs, sizeof *g->liqs, by_step_round_id);
  }
  for (i = 0; i < f->n_liqs; i++) {
    const liq_liquidation_row *a = &f->liqs[i], *b = &g->liqs[i];
    if (a->step != b->step || a->round != b->round || a->position_id != b->position_id ||
        !close_enough(a->price, b->price, rtol) || !close_enough(a->share, b->share, rtol) ||
        !close_enough(a->loss, b->loss, rtol)) {
      snprintf(buf, sizeof buf, "liquidation row %zu: step %zu/%zu round %d/%d id %zu/%zu share %.17g/%.17g",
               i, a->step, b->step, a->round, b->round, a->position_id, b->position_id,
               a->share, b->share);
      return buf;
    }
  }
  for (i = 0; i < f->n_steps; i++) {
    const liq_step_row *a = &f->steps[i], *b = &g->steps[i];
#define DI(fld) if (a->fld != b->fld) { snprintf(buf, sizeof buf, "step %zu " #fld ": fast %zu, reference %zu", i, (size_t)a->fld, (size_t)b->fld); return buf; }
#define DD(fld) if (!close_enough(a->fld, b->fld, rtol)) { snprintf(buf, sizeof buf, "step %zu " #fld ": fast %.17g, reference %.17g", i, (double)a->fld, (double)b->fld); return buf; }
    DI(liquidations_long) DI(liquidations_short) DI(partial_liquidations)
    DI(cascade_rounds) DI(topups) DI(adl_count) DI(open_long) DI(open_short)
    DI(margin_calls)
    DD(price) DD(insurance_fund) DD(bad_debt) DD(uncovered_loss) DD(haircut)
    DD(funding) DD(funding_short) DD(topup_collateral) DD(open_interest_long)
    DD(open_interest_short) DD(price_low) DD(price_high)
    for (q = 0; q < a->n_quantiles; q++) { DD(cushion[q]) DD(distance[q]) }
#undef DI
#undef DD
  }
  if (!close_enough(sf->returned, sg->returned, rtol)) return "summary returned";
  if (!close_enough(sf->open_equity, sg->open_equity, rtol)) return "summary open_equity";
  return NULL;
}

typedef struct run_pair {
  capture f, g;
  liq_summary sf, sg;
} run_pair;

static void run_both(const liq_scenario *sc, const liq_path *p, const liq_book *b,
                     run_pair *rp) {
  liq_sink sf = { cap_step, cap_liq, &rp->f, cap_adl };
  liq_sink sg = { cap_step, cap_liq, &rp->g, cap_adl };
  liq_err err;
  memset(rp, 0, sizeof *rp);
  assert_liq_ok(liq_engine_run(sc, p, b, &sf, &rp->sf, &err), &err);
  assert_liq_ok(ref_engine_run(sc, p, b, &sg, &rp->sg, &err), &err);
}

static void pair_free(run_pair *rp) {
  cap_free(&rp->f);
  cap_free(&rp->g);
}

/* ---- extreme random scenarios --------------------------------------- */

enum {
  X_RULES = 1,        /* exchange rules on at random */
  X_NO_ZERO_BUF = 2,  /* restore buffer >= 0.01 */
  X_RESTORE0 = 4,     /* restore mode with a tiny buffer (1e-6) */
  X_CHUNK_CD1 = 8,    /* chunk cooldown >= 1 */
  X_BIG_TIES = 16,    /* big books of identical positions (exact ties) */
  X_NO_RANKED = 32,   /* no adl-ranked policy */
  X_ADL_RANKED = 64   /* adl-ranked policy */
};

static void scenario_extreme(gsl_rng *r, liq_scenario *sc, int flags) {
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
  sc->book.entry_spread = gsl_rng_uniform(r) < 0.3 ? 0.0 : 0.05 * gsl_rng_uniform(r);
  sc->margin.initial = 0.01 + 0.1 * gsl_rng_uniform(r);
  sc->margin.maintenance = sc->margin.initial * (0.2 + 0.7 * gsl_rng_uniform(r));
  sc->margin.call_level = 1.0 + 3.0 * gsl_rng_uniform(r);
  if (sc->margin.call_level * sc->margin.initial > 1.0)
    sc->margin.call_level = 1.0 / sc->margin.initial;
  sc->margin.liquidation_fee = gsl_rng_uniform(r) < 0.3 ? 0.0 : 0.02 * gsl_rng_uniform(r);
  sc->impact.model = (int)gsl_rng_uniform_int(r, 3);
  sc->impact.daily_volume = 3000.0 * (double)sc->book.positions * (0.5 + 4.5 * gsl_rng_uniform(r));
  sc->impact.coefficient = 2.0 * gsl_rng_uniform(r);
  sc->impact.max_rounds = gsl_rng_uniform(r) < 0.3 ? 1 + (int)gsl_rng_uniform_int(r, 3) : 100;
  if (flags & X_RULES) {
    if (gsl_rng_uniform(r) < 0.4) set_tiers(sc, 0.2 + gsl_rng_uniform(r));
    sc->margin.partial_mode = (int)gsl_rng_uniform_int(r, 3);
    sc->margin.partial_buffer = gsl_rng_uniform(r) < 0.3 ? 1e-6 : 1e-6 + 0.3 * gsl_rng_uniform(r);
    if (flags & X_NO_ZERO_BUF) sc->margin.partial_buffer = 0.01 + 0.3 * gsl_rng_uniform(r);
    sc->margin.partial_share = 0.1 + 0.8 * gsl_rng_uniform(r);
    sc->margin.partial_cooldown = (int)gsl_rng_uniform_int(r, 4);
    if (flags & X_CHUNK_CD1) sc->margin.partial_cooldown = 1 + (int)gsl_rng_uniform_int(r, 3);
    sc->margin.topup_share = gsl_rng_uniform(r) < 0.5 ?
        (gsl_rng_uniform(r) < 0.5 ? 1.0 : gsl_rng_uniform(r)) : 0.0;
    sc->margin.topup_delay = (int)gsl_rng_uniform_int(r, 4);
    if (gsl_rng_uniform(r) < 0.6) {
      sc->funding.mode = LIQ_FUNDING_CONSTANT;
      sc->funding.rate = 0.004 * (gsl_rng_uniform(r) - 0.3);
      sc->funding.interval_seconds = 60.0 * (double)(1 + gsl_rng_uniform_int(r, 10));
    }
    if (gsl_rng_uniform(r) < 0.5) sc->impact.half_life_seconds = 60.0 + 3600.0 * gsl_rng_uniform(r);
    if (gsl_rng_uniform(r) < 0.3) sc->impact.permanent = gsl_rng_uniform(r);
    if (gsl_rng_uniform(r) < 0.2) set_depth(sc);
    sc->insurance.policy = (int)gsl_rng_uniform_int(r, 4);
    if ((flags & X_NO_RANKED) && sc->insurance.policy == LIQ_POLICY_ADL_RANKED)
      sc->insurance.policy = LIQ_POLICY_ADL_PRORATA;
    if (flags & X_ADL_RANKED) sc->insurance.policy = LIQ_POLICY_ADL_RANKED;
    if (flags & X_RESTORE0) {
      sc->margin.partial_mode = LIQ_PARTIAL_RESTORE;
      sc->margin.partial_buffer = 1e-6;
    }
  }
  sc->insurance.fund = gsl_rng_uniform(r) < 0.7 ? 0.0 : 200.0 * gsl_rng_uniform(r);
  if (flags & X_BIG_TIES) {
    sc->book.positions = 1000 + gsl_rng_uniform_int(r, 2000);
    sc->book.entry_spread = 0.0;
    sc->book.notional_dist = LIQ_NOTIONAL_FIXED;
    sc->impact.daily_volume = 3000.0 * (double)sc->book.positions * (0.5 + 4.5 * gsl_rng_uniform(r));
    sc->insurance.fund *= 10.0;
  }
  sc->seed = gsl_rng_get(r);
}

/* Conservation of money and of the fund (liq_engine.h), all rules. */
static int conserved_all(const liq_summary *s) {
  double lhs = s->collateral + s->topup_collateral + s->pnl_closed + s->pnl_open -
               s->funding_long - s->funding_short - s->haircut;
  double rhs = s->returned + s->fees + s->open_equity - s->bad_debt;
  double fund = s->insurance_fund_start + s->fees -
                (s->bad_debt - s->haircut - s->uncovered_loss);
  double scale = fmax(1.0, s->collateral + fabs(s->pnl_closed) + fabs(s->pnl_open) +
                               s->bad_debt + s->topup_collateral);
  return fabs(lhs - rhs) <= 1e-9 * scale && fabs(fund - s->insurance_fund_end) <= 1e-9 * scale;
}

/* Runs 'trials' extreme scenarios through both engines; returns how many
** differ (beyond rtol) and prints the first few. */
static int compare_extreme(int trials, int flags, unsigned base, double rtol,
                           int verbose) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int trial, bad = 0;
  for (trial = 0; trial < trials; trial++) {
    liq_scenario sc;
    liq_book *book = NULL;
    liq_path *path;
    run_pair rp;
    liq_err err;
    const char *d;
    gsl_rng_set(r, base + (unsigned)trial);
    scenario_extreme(r, &sc, flags);
    path = path_random(r, 20 + gsl_rng_uniform_int(r, 120), 100.0,
                       0.002 + 0.03 * gsl_rng_uniform(r), trial % 2);
    if (liq_book_generate(&sc.book, &sc.margin, path->open[0], base + (unsigned)trial,
                          &book, &err) != LIQ_OK) {
      path_del(path);
      continue;
    }
    run_both(&sc, path, book, &rp);
    d = diff_runs(&rp.f, &rp.g, &rp.sf, &rp.sg, rtol);
    if (!d && !(conserved_all(&rp.sf) && conserved_all(&rp.sg))) d = "money not conserved";
    if (d) {
      bad++;
      if (verbose && bad <= 5)
        printf("  trial %u (tiers %zu partial %d buffer %g cooldown %d fee %g impact %d "
               "max_rounds %d policy %d): %s\n", base + (unsigned)trial, sc.margin.n_tiers,
               sc.margin.partial_mode, sc.margin.partial_buffer, sc.margin.partial_cooldown,
               sc.margin.liquidation_fee, sc.impact.model, sc.impact.max_rounds,
               sc.insurance.policy, d);
    }
    pair_free(&rp);
    liq_book_free(book);
    path_del(path);
  }
  gsl_rng_free(r);
  return bad;
}

/* One-position scenario helpers. */
static void scenario_10x(liq_scenario *sc) {
  liq_test_scenario_init(sc);
  sc->margin.initial = 0.1;
  sc->margin.maintenance = 0.05;
}

/* ======================================================================
** Regressions: each case once went wrong; the comment says how.
** ==================================================================== */

/*
** Chunk mode with no cooldown used to chop a position into dust: with the
** fee capped at the closed share's equity, every chunk left the rest with
** the same equity/MM ratio, hit again next round, 100 rows down to 2^-100
** units.  A position is now partially closed at most once per cascade.
** Long 10x at 100, MM 5 %, fee 5 %, at 91: E = 1 < 0.05 * 91.
*/
static void test_chunk_without_cooldown_closes_rest(void **state) {
  int side[1] = { 1 };
  double qty[1] = { 1.0 }, entry[1] = { 100.0 }, coll[1] = { 10.0 };
  liq_book *b = book_of(1, side, qty, entry, coll);
  double closes[1] = { 91.0 };
  liq_path *p = path_closes(1, 100.0, closes);
  liq_scenario sc;
  run_pair rp;
  size_t rows, liquidated, open;
  (void)state;
  scenario_10x(&sc);
  sc.margin.liquidation_fee = 0.05;
  sc.margin.partial_mode = LIQ_PARTIAL_CHUNK;
  sc.margin.partial_share = 0.5;
  sc.margin.partial_cooldown = 0;
  run_both(&sc, p, b, &rp);
  rows = rp.f.n_liqs;
  liquidated = rp.sf.liquidated;
  open = rp.f.steps[0].open_long;
  pair_free(&rp);
  liq_book_free(b);
  path_del(p);
  assert_int_equal(rows, 2);           /* a chunk, then the rest whole */
  assert_int_equal(liquidated, 1);
  assert_int_equal(open, 0);
}

/*
** Restore with buffer 0 (once allowed) put the rest exactly on the
** liquidation line, and rounding decided what came next: the engines
** disagreed in 45 % of random scenarios, with tails of dust closes.  The
** buffer must now be > 0 (scenario validation), and a position is
** partially closed at most once per cascade; with the smallest buffers
** both engines agree.
*/
static void test_restore_tiny_buffer_matches_reference(void **state) {
  int bad;
  (void)state;
  bad = compare_extreme(40, X_RULES | X_RESTORE0 | X_NO_RANKED, 900000u, 1e-9, 1);
  assert_int_equal(bad, 0);
}

/*
** ADL ranking ties used to be broken by rounding noise: shorts 1 (q 1) and
** 2 (q 3) with the same entry and leverage score the same in exact
** arithmetic, but id 2's score came out 1 ulp higher, and with funding the
** two engines rounded differently and deleveraged different positions.
** Scores are now per unit of quantity and rounded to 10 digits; ties go
** by id.
*/
static void test_adl_rank_ties_by_id(void **state) {
  int side[3] = { 1, -1, -1 };
  double qty[3] = { 1.0, 1.0, 3.0 }, entry[3] = { 100.0, 100.0, 100.0 };
  double coll[3] = { 10.0, 10.0, 30.0 };
  liq_book *b = book_of(3, side, qty, entry, coll);
  double closes[1] = { 85.4 };
  liq_path *p = path_closes(1, 100.0, closes);
  liq_scenario sc;
  run_pair rp;
  size_t n_adls, first;
  (void)state;
  scenario_10x(&sc);
  sc.insurance.policy = LIQ_POLICY_ADL_RANKED;
  run_both(&sc, p, b, &rp);
  n_adls = rp.f.n_adls;
  first = n_adls ? rp.f.adls[0].position_id : 0;
  pair_free(&rp);
  liq_book_free(b);
  path_del(p);
  assert_true(n_adls >= 1);
  assert_int_equal(first, 1);
}

static void test_adl_ranked_fast_matches_reference(void **state) {
  static const unsigned seeds[3] = { 123904u, 124293u, 124896u };
  int k, bad = 0;
  (void)state;
  for (k = 0; k < 3; k++)
    bad += compare_extreme(1, X_RULES | X_NO_ZERO_BUF | X_CHUNK_CD1, seeds[k], 1e-9, 1);
  assert_int_equal(bad, 0);
}

/*
** Transient impact on flat bars: the waypoint skip used to compare
** exogenous prices, so on flat bars no cascade ran although the impact
** decayed and the market moved.  Short S goes at 105 and its buying lifts
** the market 10 %; the exogenous price then stays at 94.5 while the market
** decays below long A's p_liq (94.737): A must be liquidated.
*/
static void test_transient_decay_on_flat_bars_checked(void **state) {
  int side[2] = { 1, -1 };
  double qty[2] = { 1.0, 1.0 }, entry[2] = { 100.0, 100.0 }, coll[2] = { 10.0, 10.0 };
  liq_book *b = book_of(2, side, qty, entry, coll);
  double closes[12], last_price, last_dist;
  liq_path *p;
  liq_scenario sc;
  run_pair rp;
  size_t t, shorts, longs;
  (void)state;
  closes[0] = 105.0;
  for (t = 1; t < 12; t++) closes[t] = 94.5;
  p = path_closes(12, 100.0, closes);
  scenario_10x(&sc);
  sc.impact.model = LIQ_IMPACT_LINEAR;
  sc.impact.coefficient = 1.0;
  sc.impact.daily_volume = 105.0 / log(1.1);
  sc.impact.half_life_seconds = 60.0;
  run_both(&sc, p, b, &rp);
  shorts = rp.sf.liquidated_short;
  longs = rp.sf.liquidated_long;
  last_price = rp.f.steps[11].price;
  last_dist = rp.f.steps[11].distance[0];
  pair_free(&rp);
  liq_book_free(b);
  path_del(p);
  assert_int_equal(shorts, 1);
  assert_true(last_price < 90.0 / 0.95);   /* the market is below A's p_liq */
  assert_int_equal(longs, 1);
  assert_true(isnan(last_dist) || last_dist >= 0.0);  /* nobody open past the line */
}

/*
** A flat bar (every waypoint skipped) used to report price_low = +inf and
** price_high = -inf; the step's close is now always part of its range.
*/
static void test_step_extremes_finite_on_flat_bar(void **state) {
  int side[1] = { 1 };
  double qty[1] = { 1.0 }, entry[1] = { 100.0 }, coll[1] = { 10.0 };
  liq_book *b = book_of(1, side, qty, entry, coll);
  double closes[2] = { 99.0, 99.0 }, lo, hi;
  liq_path *p = path_closes(2, 100.0, closes);
  liq_scenario sc;
  run_pair rp;
  (void)state;
  liq_test_scenario_init(&sc);
  run_both(&sc, p, b, &rp);
  lo = rp.f.steps[1].price_low;
  hi = rp.f.steps[1].price_high;
  pair_free(&rp);
  liq_book_free(b);
  path_del(p);
  assert_true(isfinite(lo) && isfinite(hi));
  assert_true(lo <= 99.0 && hi >= 99.0);
}

/*
** Margin calls under tiers after a max_rounds cut-off: the count was
** (beyond the call line) - (beyond the liquidation line), but under tiers
** a position can be past maintenance (its notional grew into a dearer
** bracket) without being past its entry-bracket call line, and a real call
** was subtracted away.  S1 goes at 100.5 and lifts the market to 100.5945
** (max_rounds 1): S2 is past maintenance but inside its call line; C is
** in call.  One call.
*/
static void test_tier_margin_calls_after_cutoff(void **state) {
  int side[3] = { -1, -1, -1 };
  double qty[3] = { 1.0, 10.0, 20.0 }, entry[3] = { 100.0, 100.0, 98.0 };
  double coll[3] = { 0.9, 10.0, 80.0 };
  liq_book *b = book_of(3, side, qty, entry, coll);
  double closes[1] = { 100.5 };
  liq_path *p = path_closes(1, 100.0, closes);
  liq_scenario sc;
  run_pair rp;
  double p_end = 100.5945;
  size_t liquidated, calls_fast, calls_ref;
  (void)state;
  liq_test_scenario_init(&sc);
  sc.margin.n_tiers = 2;
  sc.margin.tiers[0].floor = 0.0;
  sc.margin.tiers[0].max_leverage = 125.0;
  sc.margin.tiers[0].maintenance = 0.004;
  sc.margin.tiers[1].floor = 1002.0;
  sc.margin.tiers[1].max_leverage = 25.0;
  sc.margin.tiers[1].maintenance = 0.02;
  liq_margin_complete_tiers(&sc.margin, NULL);
  sc.margin.initial = 0.008;
  sc.margin.call_level = 0.5;            /* the minimum: maintenance / initial */
  sc.impact.model = LIQ_IMPACT_LINEAR;
  sc.impact.coefficient = 1.0;
  sc.impact.daily_volume = 100.5 / log(p_end / 100.5);
  sc.impact.max_rounds = 1;
  run_both(&sc, p, b, &rp);
  liquidated = rp.sf.liquidated;
  calls_fast = rp.f.steps[0].margin_calls;
  calls_ref = rp.g.steps[0].margin_calls;
  pair_free(&rp);
  liq_book_free(b);
  path_del(p);
  assert_int_equal(liquidated, 1);
  assert_int_equal(calls_ref, 1);
  assert_int_equal(calls_fast, calls_ref);
}

/*
** ADL of a profitable position whose collateral funding had eaten (c < 0,
** equity c + PnL > 0) used to "return" s * c < 0 to the trader.  It now
** gives up no more than its equity: it closes at its bankruptcy price and
** gets nothing back.  Long A pays 2 % funding per step at ~120 for 8 steps
** (c: 10 -> -9.3); short B goes bankrupt at 170 and A is deleveraged.
*/
static void test_adl_gives_up_no_more_than_equity(void **state) {
  int side[2] = { 1, -1 };
  double qty[2] = { 1.0, 1.0 }, entry[2] = { 100.0, 100.0 }, coll[2] = { 10.0, 30.0 };
  liq_book *b = book_of(2, side, qty, entry, coll);
  double closes[9], returned;
  liq_path *p;
  liq_scenario sc;
  run_pair rp;
  size_t t, adl;
  (void)state;
  for (t = 0; t < 8; t++) closes[t] = t % 2 ? 120.5 : 120.0;
  closes[8] = 170.0;
  p = path_closes(9, 100.0, closes);
  scenario_10x(&sc);
  sc.funding.mode = LIQ_FUNDING_CONSTANT;
  sc.funding.rate = 0.02;
  sc.funding.interval_seconds = 60.0;
  sc.insurance.policy = LIQ_POLICY_ADL_PRORATA;
  run_both(&sc, p, b, &rp);
  adl = rp.sf.adl_count;
  returned = rp.sf.returned;
  assert_true(conserved_all(&rp.sf));
  /* A closes at B's bankruptcy price: the stored price is fill - haircut /
  ** qty and the ADL notional is qty x that price.  (Since ADL closes at
  ** the bankruptcy price, the equity cap is a safety net: a counterparty
  ** alive at the last price has c + q |entry - p_prev| above q |p_bk - fill|,
  ** so even A here gives up q |p_bk - fill|, not its equity.) */
  assert_int_equal(rp.f.n_adls, 1);
  assert_int_equal(rp.f.n_liqs, 1);
  assert_rel(rp.f.adls[0].price,
             rp.f.liqs[0].price - rp.f.adls[0].haircut / rp.f.adls[0].qty, 1e-12);
  assert_rel(rp.f.adls[0].price, rp.f.liqs[0].bankruptcy_price, 1e-12);
  assert_rel(rp.g.adls[0].price, rp.f.adls[0].price, 1e-12);
  assert_rel(rp.sf.adl_notional, rp.f.adls[0].qty * rp.f.adls[0].price, 1e-12);
  pair_free(&rp);
  liq_book_free(b);
  path_del(p);
  assert_int_equal(adl, 1);
  assert_true(returned >= 0.0);
}

/*
** Top-ups with call_level > 1 used to bring a trader "back to IM", still
** inside the call zone, so it was re-armed and re-called at every step end
** (erased and re-inserted in three trees per step: O(N log N) a step, 427 s
** instead of 0.07 s for 200k positions x 2000 steps).  A top-up now
** restores the call line when that is above IM: every trader called at
** step 0 of a slowly rising market tops up once, and is never called again.
*/
static void test_topup_once_when_call_line_above_im(void **state) {
  liq_scenario sc;
  liq_book *b = NULL;
  liq_path *p;
  liq_summary sm;
  capture c;
  liq_sink sink = { cap_step, NULL, &c, NULL };
  liq_err err;
  size_t t, T = 200, later = 0;
  (void)state;
  memset(&c, 0, sizeof c);
  liq_test_scenario_init(&sc);
  sc.book.positions = 1000;
  sc.book.long_share = 1.0;
  sc.book.leverage[0] = 10.0;
  sc.margin.initial = 0.1;
  sc.margin.maintenance = 0.05;
  sc.margin.call_level = 2.0;       /* every position starts in call */
  sc.margin.topup_share = 1.0;
  sc.margin.topup_delay = 0;
  p = path_new(T, 0);
  for (t = 0; t < T; t++) {         /* a slow rise */
    p->open[t] = 100.0 * (1.0 + 0.01 * (double)t / (double)T);
    p->close[t] = 100.0 * (1.0 + 0.01 * (double)(t + 1) / (double)T);
    p->high[t] = p->close[t];
    p->low[t] = p->open[t];
  }
  assert_liq_ok(liq_book_generate(&sc.book, &sc.margin, 100.0, 1, &b, &err), &err);
  assert_liq_ok(liq_engine_run(&sc, p, b, &sink, &sm, &err), &err);
  assert_int_equal(sm.topups, 1000);
  assert_int_equal(c.steps[0].topups, 1000);
  for (t = 1; t < T; t++) later += c.steps[t].topups + c.steps[t].margin_calls;
  assert_int_equal(later, 0);
  cap_free(&c);
  liq_book_free(b);
  path_del(p);
}

/* ======================================================================
** Randomized comparisons, fast engine vs reference, on parameters the
** property tests in test_engine.c rarely reach: exact ties (entry spread
** 0, fixed notionals), zero fees, no impact, max_rounds cut-offs, call
** lines up to 1/initial, top-up share 1 with delay 0, tiers with funding
** re-keying, socialised loss, every ADL policy, chunks without cooldown,
** books of 1000-3000 identical positions.  Money must be conserved in both.
** ==================================================================== */

static void test_stress_rules_vs_reference(void **state) {
  (void)state;
  assert_int_equal(compare_extreme(450, X_RULES, 300000u, 1e-9, 1), 0);
}

static void test_stress_plain_vs_reference(void **state) {
  (void)state;
  assert_int_equal(compare_extreme(300, 0, 400000u, 1e-9, 1), 0);
}

static void test_stress_big_ties_vs_reference(void **state) {
  (void)state;
  assert_int_equal(compare_extreme(25, X_RULES | X_BIG_TIES, 500000u, 1e-9, 1), 0);
  assert_int_equal(compare_extreme(15, X_BIG_TIES, 600000u, 1e-9, 1), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_chunk_without_cooldown_closes_rest),
    cmocka_unit_test(test_restore_tiny_buffer_matches_reference),
    cmocka_unit_test(test_adl_rank_ties_by_id),
    cmocka_unit_test(test_adl_ranked_fast_matches_reference),
    cmocka_unit_test(test_transient_decay_on_flat_bars_checked),
    cmocka_unit_test(test_step_extremes_finite_on_flat_bar),
    cmocka_unit_test(test_tier_margin_calls_after_cutoff),
    cmocka_unit_test(test_adl_gives_up_no_more_than_equity),
    cmocka_unit_test(test_topup_once_when_call_line_above_im),
    cmocka_unit_test(test_stress_rules_vs_reference),
    cmocka_unit_test(test_stress_plain_vs_reference),
    cmocka_unit_test(test_stress_big_ties_vs_reference),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
