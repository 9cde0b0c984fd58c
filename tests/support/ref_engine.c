/*
** ref_engine.c: the plain O(N*T) reference engine (see ref_engine.h).
**
** Every round of every visited price checks every open position's equity
** against its maintenance margin; charges (funding, socialised loss) are
** applied to each position's collateral directly; ADL, top-ups, call
** counts and quantiles scan the book.  It shares with the fast engine only
** the closed forms (liq_margin.h), the impact formula, the top-up hash and
** the ADL score.
*/
#include "ref_engine.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liq_funding.h"
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
  const liq_margin_params *mp;
  const liq_book *b;
  const liq_sink *sink;
  size_t n;
  double *q, *c, *call_rate, *share;
  long *chunked, *partial_at, cascade_no;
  size_t *due;
  char *open, *topper, *armed, *queued;
  ref_key *hits, *cand;
  double *vals;
  liq_impact_state imp;
  double lnJ, fund, peak, dd, vol;
  double *funding;
  liq_step_row row;
  liq_summary *sm;
} ref;

static double ref_equity(const ref *r, size_t i, double p) {
  return liq_margin_equity(r->b->side[i], r->q[i], r->b->entry[i], r->c[i], p);
}

static double ref_threshold(const ref *r, size_t i) {
  return liq_margin_rule_liq_price(r->mp, r->b->side[i], r->q[i], r->b->entry[i], r->c[i]);
}

static void ref_visit(ref *r, double p) {
  if (p < r->sm->min_price) r->sm->min_price = p;
  if (p > r->sm->max_price) r->sm->max_price = p;
  if (p < r->row.price_low) r->row.price_low = p;
  if (p > r->row.price_high) r->row.price_high = p;
  if (p > r->peak) r->peak = p;
  if (1.0 - p / r->peak > r->dd) r->dd = 1.0 - p / r->peak;
}

static double ref_side_qty(const ref *r, int side) {
  double s = 0.0;
  size_t i;
  for (i = 0; i < r->n; i++)
    if (r->open[i] && r->b->side[i] == side) s += r->q[i];
  return s;
}

/* Open positions of 'side' at or below maintenance at p, canonical order. */
static size_t ref_collect(ref *r, int side, double p, ref_key *out) {
  size_t i, n = 0;
  for (i = 0; i < r->n; i++) {
    if (!r->open[i] || r->b->side[i] != side) continue;
    if (ref_equity(r, i, p) <= liq_margin_mm(r->mp, r->q[i] * p)) {
      double pl = ref_threshold(r, i);
      out[n].key = side > 0 ? -pl : pl;
      out[n].id = i;
      n++;
    }
  }
  qsort(out, n, sizeof *out, by_key_then_id);
  return n;
}

static double ref_share(const ref *r, size_t i, double p) {
  const liq_margin_params *mp = r->mp;
  double s = 1.0;
  if (r->partial_at[i] == r->cascade_no) return 1.0;   /* once per cascade */
  if (mp->partial_mode == LIQ_PARTIAL_RESTORE)
    s = liq_margin_restore_share(mp, r->b->side[i], r->q[i], r->b->entry[i], r->c[i], p,
                                 mp->partial_buffer, mp->liquidation_fee);
  else if (mp->partial_mode == LIQ_PARTIAL_CHUNK && ref_equity(r, i, p) > 0.0 &&
           (r->chunked[i] == LONG_MIN ||
            (long)r->row.step >= r->chunked[i] + (long)mp->partial_cooldown))
    s = mp->partial_share;
  return s > 0.0 && s < 1.0 ? s : 1.0;
}

/* A round's bankrupt closes per side ([0] long): quantity, and quantity x
** bankruptcy price. */
typedef struct ref_bk { double qty[2], value[2]; } ref_bk;

static int ref_settle(ref *r, size_t i, double s, double fill, double trigger,
                      int round, double *fees, double *losses, double *losses_long,
                      ref_bk *bk, liq_err *err) {
  const liq_book *b = r->b;
  int side = b->side[i];
  double q = r->q[i], c = r->c[i];
  double pnl_all = (double)side * q * (fill - b->entry[i]);
  double equity = s * (c + pnl_all), pnl = s * pnl_all;
  double fee = r->sc->margin.liquidation_fee * s * q * fill;
  double returned = 0.0, loss = 0.0, p_liq = ref_threshold(r, i);
  if (fee > fmax(equity, 0.0)) fee = fmax(equity, 0.0);
  r->sm->pnl_closed += pnl;
  r->row.liquidated_notional += s * q * fill;
  if (s >= 1.0) {
    returned = fmax(equity - fee, 0.0);
    loss = fmax(-equity, 0.0);
    r->open[i] = 0;
    r->sm->returned += returned;
    if (side > 0) r->row.liquidations_long++; else r->row.liquidations_short++;
  } else {
    r->c[i] += pnl - fee;
    r->q[i] = (1.0 - s) * q;
    r->chunked[i] = (long)r->row.step;
    r->partial_at[i] = r->cascade_no;
    r->row.partial_liquidations++;
  }
  *fees += fee;
  *losses += loss;
  if (side > 0) *losses_long += loss;
  if (loss > 0.0) {
    bk->qty[side > 0 ? 0 : 1] += q;
    bk->value[side > 0 ? 0 : 1] += q * liq_margin_bankruptcy_price(side, q, b->entry[i], c);
  }
  if (r->sink && r->sink->liquidation) {
    liq_liquidation_row lr;
    lr.step = r->row.step;
    lr.round = round;
    lr.position_id = i;
    lr.side = side;
    lr.qty = s * q;
    lr.price = fill;
    lr.trigger_price = trigger;
    lr.liquidation_price = p_liq;
    lr.bankruptcy_price = liq_margin_bankruptcy_price(side, q, b->entry[i], c);
    lr.equity = equity;
    lr.fee = fee;
    lr.loss = loss;
    lr.returned = returned;
    lr.share = s;
    return r->sink->liquidation(r->sink->ud, &lr, err);
  }
  return LIQ_OK;
}

static int ref_emit_adl(ref *r, size_t id, int side, int round, double qty,
                        double price, double share, double haircut, double score,
                        liq_err *err) {
  liq_adl_row ar;
  if (!r->sink || !r->sink->adl) return LIQ_OK;
  ar.step = r->row.step;
  ar.round = round;
  ar.position_id = id;
  ar.side = side;
  ar.qty = qty;
  ar.price = price;
  ar.share = share;
  ar.haircut = haircut;
  ar.rank_score = score;
  return r->sink->adl(r->sink->ud, &ar, err);
}

static void ref_account_adl(ref *r, double qty, double price, double haircut) {
  r->row.haircut += haircut;
  if (qty > 0.0) {
    r->row.adl_count++;
    r->row.adl_notional += qty * price;
  }
  if (r->sm->first_adl_step < 0) r->sm->first_adl_step = (long)r->row.step;
}

/* What position i gives up closed d per unit worse than p: q d, no more
** than its equity at p; 0 when it is not profitable at p. */
static double ref_available(const ref *r, size_t i, double p, double d) {
  double profit = (double)r->b->side[i] * r->q[i] * (p - r->b->entry[i]);
  if (!(profit > 0.0)) return 0.0;
  return fmin(r->q[i] * d, fmax(r->c[i] + profit, 0.0));
}

static int ref_adl_close(ref *r, size_t i, double s, double p, double p_bk,
                         double d, int round, double score, liq_err *err) {
  int side = r->b->side[i];
  double q = r->q[i], c = r->c[i];
  double profit = s * (double)side * q * (p - r->b->entry[i]);
  double avail = ref_available(r, i, p, d), haircut = s * avail;
  double price = avail < q * d ? r->b->entry[i] - (double)side * c / q : p_bk;
  r->sm->pnl_closed += profit;
  r->sm->returned += s * c + profit - haircut;
  if (s >= 1.0) {
    r->open[i] = 0;
  } else {
    r->c[i] = (1.0 - s) * c;
    r->q[i] = (1.0 - s) * q;
  }
  ref_account_adl(r, s * q, price, haircut);
  return ref_emit_adl(r, i, side, round, s * q, price, s, haircut, score, err);
}

static int by_score_desc(const void *pa, const void *pb) {
  const ref_key *a = pa, *b = pb;
  if (a->key > b->key) return -1;
  if (a->key < b->key) return 1;
  return (a->id > b->id) - (a->id < b->id);
}

/* Cover 'need' from side 'side' at the bankruptcy price p_bk of the other
** side's bankrupt closes (market price p). */
static int ref_cover_side(ref *r, int side, double need, double p, double p_bk,
                          int round, double *left, liq_err *err) {
  int policy = r->sc->insurance.policy, rc = LIQ_OK;
  size_t i, m = 0;
  double total = 0.0, d = fabs(p_bk - p);
  *left = need;
  if (policy == LIQ_POLICY_SOCIALIZE) {
    double qty = ref_side_qty(r, side);
    if (!(qty > 0.0)) return LIQ_OK;
    ref_account_adl(r, 0.0, p, need);
    for (i = 0; i < r->n && rc == LIQ_OK; i++)
      if (r->open[i] && r->b->side[i] == side) {
        r->c[i] -= r->q[i] * (need / qty);
        if (r->n <= LIQ_SOCIALISE_ROWS_MAX)
          rc = ref_emit_adl(r, i, side, round, 0.0, p, 0.0, r->q[i] * (need / qty), nan(""),
                            err);
      }
    if (r->n > LIQ_SOCIALISE_ROWS_MAX)
      rc = ref_emit_adl(r, (size_t)-1, side, round, 0.0, p, 0.0, need, nan(""), err);
    *left = 0.0;
    return rc;
  }
  for (i = 0; i < r->n; i++) {
    double avail;
    if (!r->open[i] || r->b->side[i] != side) continue;
    avail = ref_available(r, i, p, d);
    if (!(avail > 0.0)) continue;
    r->cand[m].id = i;
    r->cand[m].key = policy == LIQ_POLICY_ADL_RANKED ?
        liq_engine_adl_score(side, r->q[i], r->b->entry[i], r->c[i], p) : avail;
    total += avail;
    m++;
  }
  if (policy == LIQ_POLICY_ADL_RANKED) qsort(r->cand, m, sizeof *r->cand, by_score_desc);
  if (policy == LIQ_POLICY_ADL_PRORATA && total > need) {
    for (i = 0; i < m && rc == LIQ_OK; i++)
      rc = ref_adl_close(r, r->cand[i].id, need / total, p, p_bk, d, round, nan(""), err);
    need = 0.0;
  } else {
    for (i = 0; i < m && need > 0.0 && rc == LIQ_OK; i++) {
      size_t id = r->cand[i].id;
      double avail = ref_available(r, id, p, d);
      double s = avail <= need ? 1.0 : need / avail;
      rc = ref_adl_close(r, id, s, p, p_bk, d, round,
                         policy == LIQ_POLICY_ADL_RANKED ? r->cand[i].key : nan(""), err);
      need -= s >= 1.0 ? avail : need;
    }
  }
  *left = need > 0.0 ? need : 0.0;
  return rc;
}

static int ref_cascade(ref *r, double x, double m, liq_err *err) {
  int round, rounds = 0, rc;
  r->cascade_no++;
  for (round = 1; round <= r->sc->impact.max_rounds; round++) {
    double p_pre = x * exp(r->lnJ), p_post, fill, sold = 0.0, bought = 0.0, ratio;
    double m_pre = m * exp(r->lnJ);   /* the mark: triggers and shares */
    double fees = 0.0, losses = 0.0, losses_long = 0.0, covered, uncovered;
    ref_bk bk = { { 0.0, 0.0 }, { 0.0, 0.0 } };
    size_t nl = ref_collect(r, 1, m_pre, r->hits), ns, k;
    ns = ref_collect(r, -1, m_pre, r->hits + nl);
    if (nl + ns == 0) break;
    rounds = round;
    for (k = 0; k < nl + ns; k++) {
      r->share[k] = ref_share(r, r->hits[k].id, m_pre);
      if (k < nl) sold += r->share[k] * r->q[r->hits[k].id];
      else bought += r->share[k] * r->q[r->hits[k].id];
    }
    sold *= p_pre;
    bought *= p_pre;
    ratio = liq_impact_state_trade(&r->imp, &r->sc->impact, r->vol, bought - sold);
    r->lnJ = liq_impact_state_log(&r->imp, &r->sc->impact, r->vol);
    p_post = x * exp(r->lnJ);
    fill = p_pre * ratio;
    for (k = 0; k < nl + ns; k++) {
      rc = ref_settle(r, r->hits[k].id, r->share[k], fill, m_pre, round, &fees,
                      &losses, &losses_long, &bk, err);
      if (rc) return rc;
    }
    r->fund += fees;
    covered = fmin(losses, r->fund);
    r->fund -= covered;
    r->row.fees += fees;
    r->row.bad_debt += losses;
    if (r->fund < r->sm->insurance_fund_min) r->sm->insurance_fund_min = r->fund;
    uncovered = losses - covered;
    if (r->sc->insurance.policy == LIQ_POLICY_NONE || !(uncovered > 0.0)) {
      r->row.uncovered_loss += uncovered;
    } else {
      double part_long = uncovered * (losses_long / losses), left, left_total = 0.0;
      if (part_long > 0.0) {
        rc = ref_cover_side(r, -1, part_long, fill, bk.value[0] / bk.qty[0], round, &left, err);
        if (rc) return rc;
        left_total += left;
      }
      if (uncovered - part_long > 0.0) {
        rc = ref_cover_side(r, 1, uncovered - part_long, fill, bk.value[1] / bk.qty[1], round,
                            &left, err);
        if (rc) return rc;
        left_total += left;
      }
      r->row.uncovered_loss += left_total;
    }
    ref_visit(r, p_post);
  }
  if (rounds > r->row.cascade_rounds) r->row.cascade_rounds = rounds;
  return LIQ_OK;
}

static void ref_funding(ref *r, double rate, double p) {
  size_t i;
  r->row.funding += rate * p * ref_side_qty(r, 1);
  r->row.funding_short -= rate * p * ref_side_qty(r, -1);
  for (i = 0; i < r->n; i++)
    if (r->open[i]) r->c[i] -= (double)r->b->side[i] * r->q[i] * rate * p;
}

static void ref_topups(ref *r, double p) {
  size_t i;
  for (i = 0; i < r->n; i++) {   /* calls of armed toppers */
    if (!r->open[i] || !r->armed[i]) continue;
    if (ref_equity(r, i, p) < r->call_rate[i] * r->q[i] * p) {
      r->armed[i] = 0;
      r->queued[i] = 1;
      r->due[i] = r->row.step + (size_t)r->sc->margin.topup_delay;
    }
  }
  for (i = 0; i < r->n; i++) {   /* top-ups due */
    double add;
    if (!r->queued[i] || r->due[i] > r->row.step) continue;
    r->queued[i] = 0;
    if (!r->open[i]) continue;
    add = fmax(liq_margin_im_rate(r->mp, r->q[i] * r->b->entry[i]), r->call_rate[i]) *
          (1.0 + 1e-9) * r->q[i] * p - ref_equity(r, i, p);
    if (add > 0.0) {
      r->c[i] += add;
      r->row.topups++;
      r->row.topup_collateral += add;
    }
    r->armed[i] = 1;
  }
}

/* End-of-step statistics by scanning every open position. */
static void ref_step_stats(ref *r, double p, double pm) {
  const liq_margin_params *mp = r->mp;
  size_t i, n = 0, q;
  double *dist = r->vals + r->n;
  for (i = 0; i < r->n; i++) {
    double notional, eq, thr;
    if (!r->open[i]) continue;
    notional = r->q[i] * pm;     /* margin at the mark, OI at the trade price */
    eq = ref_equity(r, i, pm);
    if (r->b->side[i] > 0) {
      r->row.open_long++;
      r->row.open_interest_long += r->q[i] * p;
    } else {
      r->row.open_short++;
      r->row.open_interest_short += r->q[i] * p;
    }
    if (eq > liq_margin_mm(mp, notional) && eq < r->call_rate[i] * notional) r->row.margin_calls++;
    thr = ref_threshold(r, i);
    r->vals[n] = liq_margin_normalised_cushion(r->b->side[i], r->q[i], r->b->entry[i],
                                               r->c[i], mp->initial, mp->maintenance, pm);
    if (r->b->side[i] > 0) dist[n] = thr > 0.0 ? log(pm / thr) : HUGE_VAL;
    else dist[n] = thr > 0.0 ? log(thr / pm) : -HUGE_VAL;
    n++;
  }
  qsort(r->vals, n, sizeof *r->vals, cmp_double);
  qsort(dist, n, sizeof *dist, cmp_double);
  r->row.n_quantiles = r->sc->stats.n_quantiles;
  for (q = 0; q < r->row.n_quantiles; q++) {
    size_t k = n ? liq_stats_rank(r->sc->stats.quantiles[q], n) : 0;
    r->row.cushion[q] = n && mp->n_tiers == 0 ? r->vals[k] : nan("");
    r->row.distance[q] = n ? dist[k] : nan("");
  }
}

static void ref_free(ref *r) {
  free(r->q); free(r->c); free(r->call_rate); free(r->share); free(r->chunked);
  free(r->partial_at);
  free(r->due); free(r->open); free(r->topper); free(r->armed); free(r->queued);
  free(r->hits); free(r->cand); free(r->vals); free(r->funding);
}

/* Seconds from bar t-1's open to bar t's, over which the forced flow
** decays: a replay's gap (a missing bar or more: over 1.5 steps apart)
** lasts as long as it lasts; otherwise one step (a generated path's times
** are rounded to the millisecond). */
static double ref_bar_gap_seconds(const liq_path *path, size_t t) {
  double dt = (double)(path->t_ms[t] - path->t_ms[t - 1]) / 1000.0;
  return dt > 1.5 * path->step_seconds ? dt : path->step_seconds;
}

int ref_engine_run(const liq_scenario *sc, const liq_path *path,
                   const liq_book *book, const liq_sink *sink,
                   liq_summary *sm, liq_err *err) {
  ref r;
  size_t t, i, m = book->n ? book->n : 1;
  double prev_p = path->open[0], peak_x = 0.0, dd_x = 0.0;
  double prev_m = path->mark_open ? path->mark_open[0] : path->open[0];
  int rc = LIQ_OK;

  memset(sm, 0, sizeof *sm);
  memset(&r, 0, sizeof r);
  sm->first_adl_step = -1;
  r.sc = sc;
  r.mp = &sc->margin;
  r.b = book;
  r.n = book->n;
  r.sink = sink;
  r.sm = sm;
  r.fund = sc->insurance.fund;
  r.vol = liq_engine_daily_volatility(sc, path);
  r.q = malloc(m * sizeof *r.q);
  r.c = malloc(m * sizeof *r.c);
  r.call_rate = malloc(m * sizeof *r.call_rate);
  r.share = malloc(m * sizeof *r.share);
  r.chunked = malloc(m * sizeof *r.chunked);
  r.partial_at = malloc(m * sizeof *r.partial_at);
  r.due = calloc(m, sizeof *r.due);
  r.open = malloc(m);
  r.topper = calloc(m, 1);
  r.armed = calloc(m, 1);
  r.queued = calloc(m, 1);
  r.hits = malloc(m * sizeof *r.hits);
  r.cand = malloc(m * sizeof *r.cand);
  r.vals = malloc(2 * m * sizeof *r.vals);
  if (!r.q || !r.c || !r.call_rate || !r.share || !r.chunked || !r.partial_at || !r.due || !r.open ||
      !r.topper || !r.armed || !r.queued || !r.hits || !r.cand || !r.vals) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    goto out;
  }
  for (i = 0; i < book->n; i++) {
    r.q[i] = book->qty[i];
    r.c[i] = book->collateral[i];
    r.call_rate[i] = sc->margin.call_level *
                     liq_margin_im_rate(&sc->margin, book->qty[i] * book->entry[i]);
    r.chunked[i] = LONG_MIN;
    r.partial_at[i] = -1;
    r.open[i] = 1;
    if (sc->margin.topup_share > 0.0 &&
        liq_engine_is_topper(sc->seed, i, sc->margin.topup_share))
      r.topper[i] = r.armed[i] = 1;
  }
  rc = liq_funding_schedule(&sc->funding, path, &r.funding, err);
  if (rc) goto out;
  sm->positions = book->n;
  sm->steps = path->n;
  sm->start_price = path->open[0];
  sm->insurance_fund_start = sm->insurance_fund_min = r.fund;
  sm->min_price = sm->min_price_exogenous = INFINITY;
  sm->max_price = sm->max_price_exogenous = -INFINITY;
  for (t = 0; t < path->n; t++) {
    double w[LIQ_PATH_MAX_WAYPOINTS];   /* the sub-bar path: see test_path */
    double wm[LIQ_PATH_MAX_WAYPOINTS];  /* the mark's */
    double p, pm;
    int k, nw = liq_path_waypoints(path, t, w);
    liq_path_mark_waypoints(path, t, wm);
    memset(&r.row, 0, sizeof r.row);
    r.row.step = t;
    r.row.t_ms = path->t_ms[t];
    r.row.price_low = INFINITY;
    r.row.price_high = -INFINITY;
    /* sub-steps: the flow decays between a bar's waypoints (step / (nw - 1)
    ** each), bar t-1's close and bar t's open are one instant (or a gap) apart */
    double dt_in = path->substeps > 1 && nw > 1 ? path->step_seconds / (double)(nw - 1) : 0.0;
    if (t > 0) {
      liq_impact_state_decay(&r.imp, &sc->impact,
                             ref_bar_gap_seconds(path, t) - (dt_in > 0.0 ? path->step_seconds : 0.0));
      r.lnJ = liq_impact_state_log(&r.imp, &sc->impact, r.vol);
    }
    for (k = 0; k < nw; k++) {
      double x = w[k], px, mx;
      if (k > 0 && dt_in > 0.0) {
        liq_impact_state_decay(&r.imp, &sc->impact, dt_in);
        r.lnJ = liq_impact_state_log(&r.imp, &sc->impact, r.vol);
      }
      px = x * exp(r.lnJ);
      mx = wm[k] * exp(r.lnJ);
      if (x < sm->min_price_exogenous) sm->min_price_exogenous = x;
      if (x > sm->max_price_exogenous) sm->max_price_exogenous = x;
      if (x > peak_x) peak_x = x;
      if (1.0 - x / peak_x > dd_x) dd_x = 1.0 - x / peak_x;
      if (px == prev_p && mx == prev_m && !(t == 0 && k == 0)) continue;
      ref_visit(&r, px);
      rc = ref_cascade(&r, x, wm[k], err);
      if (rc) goto out;
      prev_p = x * exp(r.lnJ);
      prev_m = wm[k] * exp(r.lnJ);
    }
    if (r.funding && r.funding[t] != 0.0) {
      ref_funding(&r, r.funding[t], wm[nw - 1] * exp(r.lnJ));   /* at the mark */
      rc = ref_cascade(&r, path->close[t], wm[nw - 1], err);
      if (rc) goto out;
    }
    p = path->close[t] * exp(r.lnJ);
    pm = wm[nw - 1] * exp(r.lnJ);
    prev_p = p;
    prev_m = pm;
    ref_visit(&r, p);
    ref_topups(&r, pm);
    r.row.price = p;
    r.row.price_exogenous = path->close[t];
    r.row.liquidations = r.row.liquidations_long + r.row.liquidations_short;
    r.row.insurance_fund = r.fund;
    ref_step_stats(&r, p, pm);
    sm->liquidated_long += r.row.liquidations_long;
    sm->liquidated_short += r.row.liquidations_short;
    sm->liquidated_notional += r.row.liquidated_notional;
    sm->bad_debt += r.row.bad_debt;
    sm->uncovered_loss += r.row.uncovered_loss;
    sm->fees += r.row.fees;
    sm->partial_liquidations += r.row.partial_liquidations;
    sm->topups += r.row.topups;
    sm->topup_collateral += r.row.topup_collateral;
    sm->funding_long += r.row.funding;
    sm->funding_short += r.row.funding_short;
    r.row.funding_external = r.row.funding + r.row.funding_short;
    sm->funding_external += r.row.funding_external;
    sm->adl_count += r.row.adl_count;
    sm->adl_notional += r.row.adl_notional;
    sm->haircut += r.row.haircut;
    if (r.row.margin_calls > sm->margin_calls) sm->margin_calls = r.row.margin_calls;
    if (r.row.cascade_rounds > sm->max_cascade_rounds) sm->max_cascade_rounds = r.row.cascade_rounds;
    if (sink && sink->step) {
      rc = sink->step(sink->ud, &r.row, err);
      if (rc) goto out;
    }
  }
  {
    double p = path->close[path->n - 1] * exp(r.lnJ);
    for (i = 0; i < book->n; i++) {
      sm->collateral += book->collateral[i];
      if (r.open[i]) {
        double pnl = (double)book->side[i] * r.q[i] * (p - book->entry[i]);
        sm->pnl_open += pnl;
        sm->open_equity += r.c[i] + pnl;
      }
    }
  }
  sm->liquidated = sm->liquidated_long + sm->liquidated_short;
  sm->insurance_fund_end = r.fund;
  sm->drawdown = r.dd;
  sm->drawdown_exogenous = dd_x;
  sm->impact_at_low = log(sm->min_price / sm->min_price_exogenous);
  sm->impact_at_high = log(sm->max_price / sm->max_price_exogenous);
  {
    double fall = log(sm->min_price / sm->start_price), rise = log(sm->max_price / sm->start_price);
    sm->forced_share_of_fall = fall < 0.0 ? sm->impact_at_low / fall : nan("");
    sm->forced_share_of_rise = rise > 0.0 ? sm->impact_at_high / rise : nan("");
  }
out:
  ref_free(&r);
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
  sc->impact.half_life_seconds = INFINITY;
  sc->funding.interval_seconds = 28800.0;
  sc->stats.n_quantiles = 4;
  memcpy(sc->stats.quantiles, q, sizeof q);
  sc->stats.every = 1;
  sc->stats.steps = 1;
  sc->stats.events = 1;
}
