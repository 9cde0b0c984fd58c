/*
** stats_int.h: library-internal statistics rules (stats.c), used by the
** engine (step quantiles among open positions) and the store (sweep
** aggregates), and by the tests.  Programs use liq_stats.h.
*/
#ifndef LIQ_STATS_INT_H
#define LIQ_STATS_INT_H

#include <stddef.h>

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
void liq_stats_step_quantiles(const struct liq_stats_params *st, int stored,
                              const liq_sorted_seq cushion[2],
                              const liq_sorted_seq distance[2],
                              int cushion_defined, double *cushion_q,
                              double *distance_q);

/* A sweep aggregate of a grid point's n replicate values v (in task
** order): out = { mean (summed in task order), q50, q95, q99 }, NaN when
** n == 0.  Sorts v in place. */
void liq_stats_describe(double *v, size_t n, double out[4]);

#endif /* LIQ_STATS_INT_H */
