/*
** liq_stats.h: order statistics and path statistics the engine reports.
**
** Quantiles are nearest-rank (lower): among n sorted values v[0..n-1] the
** q-quantile is v[ceil(q*n) - 1] (clamped to [0, n-1]), an actual value of
** one position, never an interpolation.
*/
#ifndef LIQ_STATS_H
#define LIQ_STATS_H

#include <stddef.h>

#define LIQ_MAX_QUANTILES 16

typedef struct liq_stats_params {
  size_t n_quantiles;      /* [0, LIQ_MAX_QUANTILES] */
  double quantiles[LIQ_MAX_QUANTILES]; /* strictly increasing, each in (0, 1) */
  int    every;            /* store every k-th step row, >= 1, default 1 */
  int    steps;            /* store per-step rows, default 1 */
  int    events;           /* store one row per liquidation, default 1 */
} liq_stats_params;

/* Index of the nearest-rank q-quantile among n > 0 sorted values. */
size_t liq_stats_rank(double q, size_t n);

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

/* Largest peak-to-trough fall of a price sequence, as a fraction. */
typedef struct liq_drawdown {
  double peak;     /* highest price so far (0 before the first) */
  double max_dd;   /* largest 1 - p/peak so far */
} liq_drawdown;

void liq_drawdown_add(liq_drawdown *d, double price);

#endif /* LIQ_STATS_H */
