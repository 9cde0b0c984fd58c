/*
** stats.c: every statistics rule liqsim reports (see liq_stats.h): the one
** nearest-rank quantile, which step rows are stored, the per-step
** quantiles of cushion and distance among open positions, the sweep
** aggregates of a grid point, and path statistics (drawdown).
*/
#include "liq_stats.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "liq_engine.h"
#include "liq_err.h"
#include "liq_scenario.h"
#include "stats_int.h"

/*
** ceil(q n) - 1, forgiving the rounding of the product: q is a decimal
** such as 0.07 that a double holds only approximately, and 0.07 * 100 is
** 7.000000000000001 in doubles, whose ceiling would take rank 8 where the
** decimal's exact rank is 7.  A product within 8 ulps above an integer
** counts as that integer.  The slack (8 eps t) stays far below the
** fractional part of any non-integer q n for decimals of a few digits
** and any n a run or sweep can have (tests/test_stats.c checks this
** against exact rational arithmetic).
*/
size_t liq_stats_rank(double q, size_t n) {
  double t, r;
  assert(n > 0);
  if (!(q > 0.0)) return 0;
  t = q * (double)n;
  r = ceil(t - 8.0 * DBL_EPSILON * (t > 1.0 ? t : 1.0)) - 1.0;
  if (r < 0.0) return 0;
  if (r > (double)(n - 1)) return n - 1;
  return (size_t)r;
}

double liq_stats_quantile(const double *sorted, size_t n, double q) {
  if (n == 0) return (double)NAN;
  return sorted[liq_stats_rank(q, n)];
}

int liq_stats_step_stored(const liq_stats_params *st, size_t t, size_t n_steps) {
  size_t every = st->every > 1 ? (size_t)st->every : 1;
  return st->steps && (t % every == 0 || t + 1 == n_steps);
}

void liq_stats_step_quantiles(const liq_stats_params *st, int stored,
                              const liq_sorted_seq cushion[2],
                              const liq_sorted_seq distance[2],
                              int cushion_defined, double *cushion_q,
                              double *distance_q) {
  size_t q, open = distance[0].n + distance[1].n;
  for (q = 0; q < st->n_quantiles; q++) {
    size_t k;
    if (!stored || open == 0) {
      distance_q[q] = (double)NAN;
      cushion_q[q] = (double)NAN;
      continue;
    }
    k = liq_stats_rank(st->quantiles[q], open);
    cushion_q[q] = cushion_defined
                       ? liq_stats_kth_of_two(&cushion[0], &cushion[1], k)
                       : (double)NAN;
    distance_q[q] = liq_stats_kth_of_two(&distance[0], &distance[1], k);
  }
}

/*
** Classic partition search: take i values from 'a' and j = k + 1 - i from
** 'b' so that a[i-1] <= b[j] and b[j-1] <= a[i]; the answer is then
** max(a[i-1], b[j-1]).  Binary search on i.
*/
double liq_stats_kth_of_two(const liq_sorted_seq *a, const liq_sorted_seq *b,
                            size_t k) {
  size_t want = k + 1;
  size_t lo = want > b->n ? want - b->n : 0;
  size_t hi = want < a->n ? want : a->n;
  assert(k < a->n + b->n);
  while (lo < hi) {
    size_t i = lo + (hi - lo) / 2;        /* candidate count from a, i < hi */
    size_t j = want - i;                  /* j >= 1 since i < want */
    /* Too few from a when a[i] < b[j-1]. */
    if (a->at(a->ctx, i) < b->at(b->ctx, j - 1)) lo = i + 1;
    else hi = i;
  }
  {
    size_t i = lo, j = want - lo;
    double va = i > 0 ? a->at(a->ctx, i - 1) : -HUGE_VAL;
    double vb = j > 0 ? b->at(b->ctx, j - 1) : -HUGE_VAL;
    return va > vb ? va : vb;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void liq_stats_describe(double *v, size_t n, double out[4]) {
  double sum = 0.0;
  size_t i;
  for (i = 0; i < n; i++) sum += v[i];
  if (n > 1) qsort(v, n, sizeof *v, cmp_double);
  out[0] = n ? sum / (double)n : (double)NAN;
  out[1] = liq_stats_quantile(v, n, 0.50);
  out[2] = liq_stats_quantile(v, n, 0.95);
  out[3] = liq_stats_quantile(v, n, 0.99);
}

static int values_push(liq_stats_values *a, double x) {
  if (a->n == a->n_alloc) {
    size_t n_new = a->n_alloc ? 2 * a->n_alloc : 64;
    double *grown = realloc(a->v, n_new * sizeof *grown);
    if (grown == NULL) return LIQ_NOMEM;
    a->v = grown;
    a->n_alloc = n_new;
  }
  a->v[a->n++] = x;
  return LIQ_OK;
}

/* The point's value arrays, in one order. */
static liq_stats_values *point_values(liq_stats_point *pt, size_t k) {
  liq_stats_values *all[] = {
    &pt->bad_debt, &pt->uncovered_loss, &pt->liquidated_notional,
    &pt->max_cascade_rounds, &pt->liquidated, &pt->impact_at_low,
    &pt->impact_at_high, &pt->forced_share_of_fall, &pt->forced_share_of_rise,
    &pt->liquidated_without_impact, &pt->liquidated_notional_without_impact,
    &pt->bad_debt_without_impact };
  return k < sizeof all / sizeof all[0] ? all[k] : NULL;
}

void liq_stats_point_reset(liq_stats_point *pt) {
  liq_stats_values *v;
  size_t k;
  for (k = 0; (v = point_values(pt, k)) != NULL; k++) v->n = 0;
  pt->n_bad = pt->n_uncovered = 0;
}

void liq_stats_point_free(liq_stats_point *pt) {
  liq_stats_values *v;
  size_t k;
  for (k = 0; (v = point_values(pt, k)) != NULL; k++) free(v->v);
  memset(pt, 0, sizeof *pt);
}

/* Push x unless it is NaN (not defined for this replicate). */
static int push_defined(liq_stats_values *a, double x) {
  return isnan(x) ? LIQ_OK : values_push(a, x);
}

int liq_stats_point_add(liq_stats_point *pt, const liq_stats_replicate *r) {
  double bad_debt = isnan(r->bad_debt) ? 0.0 : r->bad_debt;
  double uncovered_loss = isnan(r->uncovered_loss) ? 0.0 : r->uncovered_loss;
  int nomem = 0;
  pt->n_bad += bad_debt > 0.0;
  pt->n_uncovered += uncovered_loss > 0.0;
  nomem |= values_push(&pt->bad_debt, bad_debt) != LIQ_OK;
  nomem |= values_push(&pt->uncovered_loss, uncovered_loss) != LIQ_OK;
  nomem |= values_push(&pt->liquidated_notional, r->liquidated_notional) != LIQ_OK;
  nomem |= values_push(&pt->max_cascade_rounds, r->max_cascade_rounds) != LIQ_OK;
  nomem |= values_push(&pt->liquidated, r->liquidated) != LIQ_OK;
  nomem |= push_defined(&pt->impact_at_low, r->impact_at_low) != LIQ_OK;
  nomem |= push_defined(&pt->impact_at_high, r->impact_at_high) != LIQ_OK;
  nomem |= push_defined(&pt->forced_share_of_fall, r->forced_share_of_fall) != LIQ_OK;
  nomem |= push_defined(&pt->forced_share_of_rise, r->forced_share_of_rise) != LIQ_OK;
  if (!isnan(r->liquidated_without_impact)) {
    nomem |= values_push(&pt->liquidated_without_impact,
                         r->liquidated_without_impact) != LIQ_OK;
    nomem |= values_push(&pt->liquidated_notional_without_impact,
                         r->liquidated_notional_without_impact) != LIQ_OK;
    nomem |= values_push(&pt->bad_debt_without_impact,
                         isnan(r->bad_debt_without_impact) ? 0.0
                                                           : r->bad_debt_without_impact) != LIQ_OK;
  }
  return nomem ? LIQ_NOMEM : LIQ_OK;
}

void liq_stats_point_finish(liq_stats_point *pt, liq_stats_point_result *out) {
  double n = (double)pt->bad_debt.n;
  double (*dst[])[4] = {
    &out->bad_debt, &out->uncovered_loss, &out->liquidated_notional,
    &out->max_cascade_rounds, &out->liquidated, &out->impact_at_low,
    &out->impact_at_high, &out->forced_share_of_fall, &out->forced_share_of_rise,
    &out->liquidated_without_impact, &out->liquidated_notional_without_impact,
    &out->bad_debt_without_impact };
  liq_stats_values *v;
  size_t k;
  for (k = 0; (v = point_values(pt, k)) != NULL; k++) liq_stats_describe(v->v, v->n, *dst[k]);
  out->n = pt->bad_debt.n;
  out->forced_share_of_fall_n = pt->forced_share_of_fall.n;
  out->forced_share_of_rise_n = pt->forced_share_of_rise.n;
  out->counterfactual_n = pt->liquidated_without_impact.n;
  out->bad_debt_probability = n > 0 ? (double)pt->n_bad / n : (double)NAN;
  out->uncovered_loss_probability = n > 0 ? (double)pt->n_uncovered / n : (double)NAN;
}

void liq_drawdown_add(liq_drawdown *d, double price) {
  double dd;
  if (price > d->peak) d->peak = price;
  dd = 1.0 - price / d->peak;
  if (dd > d->max_dd) d->max_dd = dd;
}

/*
************************************************************************
** Numerical failure guards
************************************************************************
*/

#define CHECK_STEP(field)                                                  \
  if (!isfinite(row->field))                                               \
    return liq_errf(err, LIQ_NUMERIC, NULL, 0, "numerical failure at step " \
                    "%zu: %s is %g (prices or money overflowed; use smaller " \
                    "prices or sizes)", row->step, #field, row->field)

int liq_stats_check_step(const liq_step_row *row, liq_err *err) {
  CHECK_STEP(price);
  CHECK_STEP(price_exogenous);
  CHECK_STEP(price_low);
  CHECK_STEP(price_high);
  CHECK_STEP(liquidated_notional);
  CHECK_STEP(insurance_fund);
  CHECK_STEP(fees);
  CHECK_STEP(bad_debt);
  CHECK_STEP(uncovered_loss);
  CHECK_STEP(open_interest_long);
  CHECK_STEP(open_interest_short);
  CHECK_STEP(funding);
  CHECK_STEP(funding_short);
  CHECK_STEP(topup_collateral);
  CHECK_STEP(adl_notional);
  CHECK_STEP(haircut);
  return LIQ_OK;
}

#define CHECK_SUMMARY(field)                                               \
  if (!isfinite(sm->field))                                                \
    return liq_errf(err, LIQ_NUMERIC, NULL, 0, "numerical failure in the " \
                    "run's summary: %s is %g (prices or money overflowed; use " \
                    "smaller prices or sizes)", #field, sm->field)
#define CHECK_SUMMARY_OR_NAN(field)                                        \
  if (isinf(sm->field))                                                    \
    return liq_errf(err, LIQ_NUMERIC, NULL, 0, "numerical failure in the " \
                    "run's summary: %s is %g", #field, sm->field)

int liq_stats_check_summary(const liq_summary *sm, liq_err *err) {
  CHECK_SUMMARY(liquidated_notional);
  CHECK_SUMMARY(bad_debt);
  CHECK_SUMMARY(uncovered_loss);
  CHECK_SUMMARY(fees);
  CHECK_SUMMARY(insurance_fund_start);
  CHECK_SUMMARY(insurance_fund_end);
  CHECK_SUMMARY(insurance_fund_min);
  CHECK_SUMMARY(adl_notional);
  CHECK_SUMMARY(start_price);
  CHECK_SUMMARY(collateral);
  CHECK_SUMMARY(pnl_closed);
  CHECK_SUMMARY(returned);
  CHECK_SUMMARY(topup_collateral);
  CHECK_SUMMARY(funding_long);
  CHECK_SUMMARY(funding_short);
  CHECK_SUMMARY(haircut);
  CHECK_SUMMARY_OR_NAN(pnl_open);
  CHECK_SUMMARY_OR_NAN(open_equity);
  CHECK_SUMMARY_OR_NAN(drawdown);
  CHECK_SUMMARY_OR_NAN(drawdown_exogenous);
  CHECK_SUMMARY_OR_NAN(impact_at_low);
  CHECK_SUMMARY_OR_NAN(impact_at_high);
  CHECK_SUMMARY_OR_NAN(forced_share_of_fall);
  CHECK_SUMMARY_OR_NAN(forced_share_of_rise);
  CHECK_SUMMARY(liquidated_notional_without_impact);
  CHECK_SUMMARY(bad_debt_without_impact);
  return LIQ_OK;
}

/* Add the flows of 'r' to 'acc'; the extremes and maxima likewise. */
static void step_add_flows(liq_step_row *acc, const liq_step_row *r) {
  acc->liquidations += r->liquidations;
  acc->liquidations_long += r->liquidations_long;
  acc->liquidations_short += r->liquidations_short;
  acc->liquidated_notional += r->liquidated_notional;
  acc->fees += r->fees;
  acc->bad_debt += r->bad_debt;
  acc->uncovered_loss += r->uncovered_loss;
  acc->partial_liquidations += r->partial_liquidations;
  acc->funding += r->funding;
  acc->funding_short += r->funding_short;
  acc->funding_external += r->funding_external;
  acc->topups += r->topups;
  acc->topup_collateral += r->topup_collateral;
  acc->adl_count += r->adl_count;
  acc->adl_notional += r->adl_notional;
  acc->haircut += r->haircut;
  if (r->margin_calls > acc->margin_calls) acc->margin_calls = r->margin_calls;
  if (r->cascade_rounds > acc->cascade_rounds) acc->cascade_rounds = r->cascade_rounds;
  if (r->price_low < acc->price_low) acc->price_low = r->price_low;
  if (r->price_high > acc->price_high) acc->price_high = r->price_high;
}

int liq_stats_step_fold(liq_step_row *acc, size_t *n_folded,
                        const liq_stats_params *st, size_t n_steps,
                        const liq_step_row *row) {
  liq_step_row flows;
  int stored = liq_stats_step_stored(st, row->step, n_steps);
  if (*n_folded == 0) {
    if (stored) {
      *acc = *row;
      return 1;
    }
    *acc = *row;
    *n_folded = 1;
    return 0;
  }
  if (!stored) {
    step_add_flows(acc, row);
    (*n_folded)++;
    return 0;
  }
  /* Levels from this step, flows of the interval. */
  flows = *acc;
  *acc = *row;
  step_add_flows(acc, &flows);
  *n_folded = 0;
  return 1;
}
