/*
** liq_stats.h: every statistics rule liqsim reports, in one place.
**
** Quantiles are nearest-rank (lower): among n sorted values v[0..n-1] the
** q-quantile is v[ceil(q*n) - 1] (clamped to [0, n-1]), an actual value of
** one position or replicate, never an interpolation.  ceil(q*n) is taken
** for the decimal q the user wrote, not its double (liq_stats_rank()), so
** per-step quantiles and sweep aggregates agree for every q and n.
**
** A step row is stored when stats.steps is set and the step is every
** stats.every-th or the last (liq_stats_step_stored()); the engine skips
** the quantiles of the others, the store and the sweep skip their rows.
*/
#ifndef LIQ_STATS_H
#define LIQ_STATS_H

#include <stddef.h>

struct liq_stats_params;   /* the scenario's stats section (liq_scenario.h) */

/* Index of the nearest-rank q-quantile among n > 0 sorted values:
** ceil(q n) - 1 in [0, n-1], q n taken as exact within rounding. */
size_t liq_stats_rank(double q, size_t n);

/* The nearest-rank q-quantile of sorted x[0..n) (sorted[liq_stats_rank()]);
** NaN when n == 0. */
double liq_stats_quantile(const double *sorted, size_t n, double q);

/* 1 when step t (of n_steps) has a stored step row under 'st'. */
int liq_stats_step_stored(const struct liq_stats_params *st, size_t t,
                          size_t n_steps);

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
void liq_stats_step_quantiles(const struct liq_stats_params *st, int stored,
                              const liq_sorted_seq cushion[2],
                              const liq_sorted_seq distance[2],
                              int cushion_defined, double *cushion_q,
                              double *distance_q);

/* A sweep aggregate of a grid point's n replicate values v (in task
** order): out = { mean (summed in task order), q50, q95, q99 }, NaN when
** n == 0.  Sorts v in place. */
void liq_stats_describe(double *v, size_t n, double out[4]);

/* Largest peak-to-trough fall of a price sequence, as a fraction. */
typedef struct liq_drawdown {
  double peak;     /* highest price so far (0 before the first) */
  double max_dd;   /* largest 1 - p/peak so far */
} liq_drawdown;

void liq_drawdown_add(liq_drawdown *d, double price);

#endif /* LIQ_STATS_H */
