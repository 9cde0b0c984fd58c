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
**
** The rules the engine and the store apply (order statistics of two
** sorted sequences, step quantiles, sweep aggregates) are library-internal:
** stats_int.h.
*/
#ifndef LIQ_STATS_H
#define LIQ_STATS_H

#include <stddef.h>

#define LIQ_MAX_QUANTILES 16

/* The scenario's stats section: which quantiles and rows a run stores. */
typedef struct liq_stats_params {
  size_t n_quantiles;      /* [0, LIQ_MAX_QUANTILES] */
  double quantiles[LIQ_MAX_QUANTILES]; /* strictly increasing, each in (0, 1) */
  int    every;            /* store every k-th step row, >= 1, default 1 */
  int    steps;            /* store per-step rows, default 1 */
  int    events;           /* store one row per liquidation, default 1 */
  int    counterfactual;   /* also run the path and book without impact, default 0 */
  int    positions;        /* store the book (positions table): 1, 0, or -1 when not
                           ** set: stored for books of up to 10^6 positions
                           ** (sim/main.c; sweeps do not store books) */
} liq_stats_params;

/* Index of the nearest-rank q-quantile among n > 0 sorted values:
** ceil(q n) - 1 in [0, n-1], q n taken as exact within rounding. */
size_t liq_stats_rank(double q, size_t n);

/* The nearest-rank q-quantile of sorted x[0..n) (sorted[liq_stats_rank()]);
** NaN when n == 0. */
double liq_stats_quantile(const double *sorted, size_t n, double q);

/* 1 when step t (of n_steps) has a stored step row under 'st'. */
int liq_stats_step_stored(const liq_stats_params *st, size_t t,
                          size_t n_steps);

/* Largest peak-to-trough fall of a price sequence, as a fraction. */
typedef struct liq_drawdown {
  double peak;     /* highest price so far (0 before the first) */
  double max_dd;   /* largest 1 - p/peak so far */
} liq_drawdown;

void liq_drawdown_add(liq_drawdown *d, double price);

/*
** Numerical failure guards: money and prices are finite.  A step row with
** an infinite or NaN price or money column (fills overflowed, say) is
** LIQ_NUMERIC naming the step and the column; a summary likewise (NaN is
** allowed only where it means "not defined": impact and forced shares,
** drawdowns,
** min/max over no prices).  'err' may be NULL.
*/
struct liq_step_row;
struct liq_summary;
struct liq_err;
int liq_stats_check_step(const struct liq_step_row *row, struct liq_err *err);
int liq_stats_check_summary(const struct liq_summary *sm, struct liq_err *err);

#endif /* LIQ_STATS_H */
