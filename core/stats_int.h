/*
** stats_int.h: library-internal statistics rules (stats.c), used by the
** engine (step quantiles among open positions) and the store (sweep
** aggregates), and by the tests.  Programs use liq_stats.h.
*/
#ifndef LIQ_STATS_INT_H
#define LIQ_STATS_INT_H

#include <stddef.h>

#include "liq_engine.h"
#include "liq_stats.h"

/* A sequence given by its value at index i, ascending in i. */
typedef struct liq_sorted_seq {
  size_t n;
  double (*at)(const void *ctx, size_t i);
  const void *ctx;
} liq_sorted_seq;

/* The k-th smallest (0-based) value of the union of two ascending
** sequences, k < a->n + b->n, in O(log(a->n + b->n)) evaluations. */
double liq_stats_kth_of_two(const liq_sorted_seq *a, const liq_sorted_seq *b,
                            size_t k);

/*
** A step's quantiles of the normalised cushion and the distance to
** liquidation among open positions, each given as its long and short
** sequences (ascending; distance[0].n + distance[1].n open positions):
** cushion_q[q] and distance_q[q] for q < st->n_quantiles.  NaN when the
** step is not 'stored', when no position is open, and (cushion only) when
** !cushion_defined (tiered rates).
*/
void liq_stats_step_quantiles(const liq_stats_params *st, int stored,
                              const liq_sorted_seq cushion[2],
                              const liq_sorted_seq distance[2],
                              int cushion_defined, double *cushion_q,
                              double *distance_q);

/* A sweep aggregate of a grid point's n replicate values v (in task
** order): out = { mean (summed in task order), q50, q95, q99 }, NaN when
** n == 0.  Sorts v in place. */
void liq_stats_describe(double *v, size_t n, double out[4]);

/*
** A sweep grid point's aggregates over its done replicates, fed one
** replicate summary at a time in task order (liq_stats_point_add()).
** Rules: a NaN bad debt or uncovered loss counts as 0; the forced shares
** are aggregated over the replicates where they are defined (not NaN), the
** quantities without impact over the replicates that ran the
** counterfactual (liquidated_without_impact not NaN); every quantity gets
** liq_stats_describe()'s mean, q50, q95, q99; the probabilities are the
** shares of replicates with a value > 0.
*/
typedef struct liq_stats_values {   /* a growable array, in task order */
  double *v;
  size_t n, n_alloc;
} liq_stats_values;

typedef struct liq_stats_point {
  liq_stats_values bad_debt, uncovered_loss, liquidated_notional,
                   max_cascade_rounds, liquidated, impact_at_low, impact_at_high,
                   forced_share_of_fall, forced_share_of_rise,
                   liquidated_without_impact, liquidated_notional_without_impact,
                   bad_debt_without_impact;
  size_t n_bad, n_uncovered;        /* replicates with a value > 0 */
} liq_stats_point;

/* One replicate's summary values, as stored (NaN for NULL). */
typedef struct liq_stats_replicate {
  double bad_debt, uncovered_loss, liquidated_notional, max_cascade_rounds;
  double liquidated, impact_at_low, impact_at_high;
  double forced_share_of_fall, forced_share_of_rise;
  double liquidated_without_impact, liquidated_notional_without_impact,
         bad_debt_without_impact;
} liq_stats_replicate;

typedef struct liq_stats_point_result {
  size_t n;                         /* replicates */
  double bad_debt[4], uncovered_loss[4], liquidated_notional[4],
         max_cascade_rounds[4], liquidated[4], impact_at_low[4], impact_at_high[4],
         forced_share_of_fall[4], forced_share_of_rise[4],
         liquidated_without_impact[4], liquidated_notional_without_impact[4],
         bad_debt_without_impact[4];  /* mean, q50, q95, q99 */
  size_t forced_share_of_fall_n, forced_share_of_rise_n;  /* where defined */
  size_t counterfactual_n;          /* replicates run without impact too */
  double bad_debt_probability, uncovered_loss_probability;  /* NaN when n == 0 */
} liq_stats_point_result;

/* Empty the point (keeps its memory); free it with liq_stats_point_free(). */
void liq_stats_point_reset(liq_stats_point *pt);
void liq_stats_point_free(liq_stats_point *pt);
/* One replicate's summary values; LIQ_NOMEM when out of memory. */
int liq_stats_point_add(liq_stats_point *pt, const liq_stats_replicate *r);
/* The aggregates (sorts the point's values in place). */
void liq_stats_point_finish(liq_stats_point *pt, liq_stats_point_result *out);

/*
** Step rows under stats.every = k: a stored row carries the flows of every
** step since the previous stored row, so that the sums over stored rows
** equal the summary whatever k is.  Flows (liquidations and per side,
** notional, fees, bad debt, uncovered loss, partial liquidations, funding
** of both sides and funding_external, top-ups and their collateral, ADL count and notional,
** haircut) are summed; margin_calls and cascade_rounds are the maximum
** over the interval; price_low / price_high are the extremes over the
** interval; everything else (price, fund, open interest, open counts,
** quantiles, t_ms) is the level at the stored row's own step.  The last
** step is always stored (liq_stats_step_stored()), so no flow is lost.
**
** Feed every step row in order to liq_stats_step_fold() with the same
** accumulator (*n_folded = 0 at the start of a run): it returns 1 when
** 'row' is a stored step, with *acc the row to store, else 0.
*/
int liq_stats_step_fold(liq_step_row *acc /* IN/OUT */, size_t *n_folded /* IN/OUT */,
                        const liq_stats_params *st, size_t n_steps,
                        const liq_step_row *row);

#endif /* LIQ_STATS_INT_H */
