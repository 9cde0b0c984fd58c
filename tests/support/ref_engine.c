/*
** ref_engine.c: the plain O(N*T) reference engine (see ref_engine.h).
*/
#include "ref_engine.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "liq_impact.h"
#include "liq_margin.h"
#include "liq_stats.h"

typedef struct ref_key { double key; size_t id; } ref_key;

static int by_key_then_id(const void *pa, const void *pb) {
  const ref_key *a = pa, *b = pb;
  if (a->key < b->key) return -1;
  if (a->key > b->key) return 1;
  return (a->id > b->id) - (a->id < b->id);
}

static int cmp_double(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

typedef struct ref {
  const liq_scenario *sc;
  const liq_book *b;
  const liq_sink *sink;
  char *open;
  ref_key *L, *S;     /* the round's liquidations, canonical order */
  double *vals;
  double J, fund, peak, dd, peak_x, dd_x, vol;
  liq_step_row row;
  liq_summary *sm;
} ref;

static void ref_visit(ref *r, double p) {
  if (p < r->sm->min_price) r->sm->min_price = p;
  if (p > r->sm->max_price) r->sm->max_price = p;
  if (p < r->row.price_low) r->row.price_low = p;
  if (p > r->row.price_high) r->row.price_high = p;
  if (p > r->peak) r->peak = p;
  if (1.0 - p / r->peak > r->dd) r->dd = 1.0 - p / r->peak;
}

/* Collect open positions of 'side' at or below maintenance at p into out,
** sorted canonically (longs: p_liq descending; shorts: ascending; then id). */
static size_t ref_collect(ref *r, int side, double p, ref_key *out) {
  const liq_book *b = r->b;
  double mmr = r->sc->margin.maintenance;
  size_t i, n = 0;
  for (i = 0; i < b->n; i++) {
    double eq;
    if (!r->open[i] || b->side[i] != side) continue;
    eq = liq_margin_equity(side, b->qty[i], b->entry[i], b->collateral[i], p);
    if (eq <= mmr * b->qty[i] * p) {
      double pl = liq_margin_liq_price(side, b->qty[i], b->entry[i], b->collateral[i], mmr);
      out[n].key = side > 0 ? -pl : pl;
      out[n].id = i;
      n++;
    }
  }
  qsort(out, n, sizeof *out, by_key_then_id);
  return n;
}

static int ref_settle(ref *r, const ref_key *set, size_t n, int side,
                      double fill, double trigger, int round, double *fees,
                      double *losses, liq_err *err) {
  const liq_book *b = r->b;
  size_t k;
  for (k = 0; k < n; k++) {
    size_t i = set[k].id;
    double q = b->qty[i], c = b->collateral[i];
    double pnl = (double)side * q * (fill - b->entry[i]);
    double equity = c + pnl;
    double fee = r->sc->margin.liquidation_fee * q * fill;
    double returned, loss;
    if (fee > fmax(equity, 0.0)) fee = fmax(equity, 0.0);
    returned = fmax(equity - fee, 0.0);
    loss = fmax(-equity, 0.0);
    *fees += fee;
    *losses += loss;
    r->sm->pnl_closed += pnl;
    r->sm->returned += returned;
    r->row.liquidated_notional += q * fill;
    r->open[i] = 0;
    if (r->sink && r->sink->liquidation) {
      liq_liq_row lr;
      int rc;
      lr.step = r->row.step;
      lr.round = round;
      lr.position_id = i;
      lr.side = side;
      lr.qty = q;
      lr.price = fill;
      lr.trigger_price = trigger;
      lr.liquidation_price = liq_margin_liq_price(side, q, b->entry[i], c,
                                                  r->sc->margin.maintenance);
      lr.bankruptcy_price = liq_margin_bankruptcy_price(side, q, b->entry[i], c);
      lr.equity = equity;
      lr.fee = fee;
      lr.loss = loss;
      lr.returned = returned;
      rc = r->sink->liquidation(r->sink->ud, &lr, err);
      if (rc) return rc;
    }
  }
  return LIQ_OK;
}

static int ref_cascade(ref *r, double x, liq_err *err) {
  int round, rounds = 0, rc;
  double flow = 0.0;
  size_t k;
  for (round = 1; round <= r->sc->impact.max_rounds; round++) {
    double p_pre = x * r->J, p_post, fill, sold = 0.0, bought = 0.0;
    double fees = 0.0, losses = 0.0, covered;
    size_t nl = ref_collect(r, 1, p_pre, r->L);
    size_t ns = ref_collect(r, -1, p_pre, r->S);
    if (nl == 0 && ns == 0) break;
    rounds = round;
    for (k = 0; k < nl; k++) sold += r->b->qty[r->L[k].id];
    for (k = 0; k < ns; k++) bought += r->b->qty[r->S[k].id];
    sold *= p_pre;
    bought *= p_pre;
    r->J *= exp(liq_impact_log_move(&r->sc->impact, r->vol, flow, bought - sold));
    flow += bought - sold;
    p_post = x * r->J;
    fill = 0.5 * (p_pre + p_post);
    rc = ref_settle(r, r->L, nl, 1, fill, p_pre, round, &fees, &losses, err);
    if (rc) return rc;
    rc = ref_settle(r, r->S, ns, -1, fill, p_pre, round, &fees, &losses, err);
    if (rc) return rc;
    r->row.liquidations_long += nl;
    r->row.liquidations_short += ns;
    r->fund += fees;
    covered = fmin(losses, r->fund);
    r->fund -= covered;
    r->row.fees += fees;
    r->row.bad_debt += losses;
    r->row.uncovered_loss += losses - covered;
    if (r->fund < r->sm->insurance_fund_min) r->sm->insurance_fund_min = r->fund;
    ref_visit(r, p_post);
  }
  if (rounds > r->row.cascade_rounds) r->row.cascade_rounds = rounds;
  return LIQ_OK;
}

/* End-of-step statistics by scanning every open position. */
static void ref_step_stats(ref *r, double p) {
  const liq_book *b = r->b;
  const liq_margin_params *mp = &r->sc->margin;
  double call_rate = mp->call_level * mp->initial;
  size_t i, n = 0, q;
  for (i = 0; i < b->n; i++) {
    double notional, eq;
    if (!r->open[i]) continue;
    notional = b->qty[i] * p;
    eq = liq_margin_equity(b->side[i], b->qty[i], b->entry[i], b->collateral[i], p);
    if (b->side[i] > 0) {
      r->row.open_long++;
      r->row.open_interest_long += notional;
    } else {
      r->row.open_short++;
      r->row.open_interest_short += notional;
    }
    if (eq > mp->maintenance * notional && eq < call_rate * notional) r->row.margin_calls++;
    r->vals[n++] = liq_margin_normalised_cushion(b->side[i], b->qty[i], b->entry[i],
                                                 b->collateral[i], mp->initial,
                                                 mp->maintenance, p);
  }
  qsort(r->vals, n, sizeof *r->vals, cmp_double);
  r->row.n_quantiles = r->sc->stats.n_quantiles;
  for (q = 0; q < r->row.n_quantiles; q++)
    r->row.cushion[q] = n ? r->vals[liq_stats_rank(r->sc->stats.quantiles[q], n)] : nan("");
}

int ref_engine_run(const liq_scenario *sc, const liq_path *path,
                   const liq_book *book, const liq_sink *sink,
                   liq_summary *sm, liq_err *err) {
  ref r;
  size_t t, i, m = book->n ? book->n : 1;
  double prev_x = path->open[0], peak_x = 0.0, dd_x = 0.0;
  int rc = LIQ_OK;

  memset(sm, 0, sizeof *sm);
  memset(&r, 0, sizeof r);
  r.sc = sc;
  r.b = book;
  r.sink = sink;
  r.sm = sm;
  r.J = 1.0;
  r.fund = sc->insurance.fund;
  r.vol = liq_engine_daily_volatility(sc, path);
  r.open = malloc(m);
  r.L = malloc(m * sizeof *r.L);
  r.S = malloc(m * sizeof *r.S);
  r.vals = malloc(m * sizeof *r.vals);
  if (!r.open || !r.L || !r.S || !r.vals) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    goto out;
  }
  memset(r.open, 1, m);
  sm->positions = book->n;
  sm->steps = path->n;
  sm->start_price = path->open[0];
  sm->insurance_fund_start = sm->insurance_fund_min = r.fund;
  sm->min_price = sm->min_price_exogenous = INFINITY;
  sm->max_price = sm->max_price_exogenous = -INFINITY;
  for (t = 0; t < path->n; t++) {
    double w[4];
    int k, nw = 0;
    w[nw++] = path->open[t];
    if (path->has_ohlc) {
      int up = path->close[t] >= path->open[t];
      w[nw++] = up ? path->low[t] : path->high[t];
      w[nw++] = up ? path->high[t] : path->low[t];
    }
    w[nw++] = path->close[t];
    memset(&r.row, 0, sizeof r.row);
    r.row.step = t;
    r.row.t_ms = path->t_ms[t];
    r.row.price_low = INFINITY;
    r.row.price_high = -INFINITY;
    for (k = 0; k < nw; k++) {
      double x = w[k];
      if (x == prev_x && !(t == 0 && k == 0)) continue;
      prev_x = x;
      if (x < sm->min_price_exogenous) sm->min_price_exogenous = x;
      if (x > sm->max_price_exogenous) sm->max_price_exogenous = x;
      if (x > peak_x) peak_x = x;
      if (1.0 - x / peak_x > dd_x) dd_x = 1.0 - x / peak_x;
      ref_visit(&r, x * r.J);
      rc = ref_cascade(&r, x, err);
      if (rc) goto out;
    }
    r.row.price = path->close[t] * r.J;
    r.row.price_exogenous = path->close[t];
    r.row.liquidations = r.row.liquidations_long + r.row.liquidations_short;
    r.row.insurance_fund = r.fund;
    ref_step_stats(&r, r.row.price);
    sm->liquidated_long += r.row.liquidations_long;
    sm->liquidated_short += r.row.liquidations_short;
    sm->liquidated_notional += r.row.liquidated_notional;
    sm->bad_debt += r.row.bad_debt;
    sm->uncovered_loss += r.row.uncovered_loss;
    sm->fees += r.row.fees;
    if (r.row.margin_calls > sm->margin_calls) sm->margin_calls = r.row.margin_calls;
    if (r.row.cascade_rounds > sm->max_cascade_rounds) sm->max_cascade_rounds = r.row.cascade_rounds;
    if (sink && sink->step) {
      rc = sink->step(sink->ud, &r.row, err);
      if (rc) goto out;
    }
  }
  {
    double p = path->close[path->n - 1] * r.J;
    for (i = 0; i < book->n; i++) {
      sm->collateral += book->collateral[i];
      if (r.open[i]) {
        double pnl = (double)book->side[i] * book->qty[i] * (p - book->entry[i]);
        sm->pnl_open += pnl;
        sm->open_equity += book->collateral[i] + pnl;
      }
    }
  }
  sm->liquidated = sm->liquidated_long + sm->liquidated_short;
  sm->insurance_fund_end = r.fund;
  sm->drawdown = r.dd;
  sm->drawdown_exogenous = dd_x;
  sm->amplification = dd_x > 0.0 ? r.dd / dd_x : nan("");
out:
  free(r.open);
  free(r.L);
  free(r.S);
  free(r.vals);
  return rc;
}

void liq_test_scenario_init(liq_scenario *sc) {
  static const double q[4] = { 0.01, 0.05, 0.25, 0.5 };
  memset(sc, 0, sizeof *sc);
  snprintf(sc->name, sizeof sc->name, "test");
  sc->seed = 1;
  sc->steps = 100;
  sc->step_seconds = 60.0;
  sc->price.model = LIQ_PRICE_GBM;
  sc->price.start = 100.0;
  sc->price.volatility = 0.8;
  sc->book.positions = 100;
  sc->book.long_share = 0.5;
  sc->book.n_leverage = 1;
  sc->book.leverage[0] = 10.0;
  sc->book.weights[0] = 1.0;
  sc->book.notional_dist = LIQ_NOTIONAL_FIXED;
  sc->book.notional_median = 1000.0;
  sc->margin.initial = 0.01;
  sc->margin.maintenance = 0.005;
  sc->margin.call_level = 1.0;
  sc->impact.model = LIQ_IMPACT_NONE;
  sc->impact.daily_volatility = nan("");
  sc->impact.max_rounds = 100;
  sc->stats.n_quantiles = 4;
  memcpy(sc->stats.quantiles, q, sizeof q);
  sc->stats.every = 1;
  sc->stats.steps = 1;
  sc->stats.events = 1;
}
