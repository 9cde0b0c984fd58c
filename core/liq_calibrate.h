/*
** liq_calibrate.h: initial-margin calibration on the sweep machinery.
**
** A calibration finds the value of one numeric scenario key inside a
** range at which a loss statistic over an ensemble of replicates meets
** 'statistic <= max' with the least margin (for a key where more is
** safer, the smallest such value; where more is riskier, the largest).
** Replicate k uses the sweep's path and book seeds at every value of the
** key (common random numbers, liq_sweep_run_jobs()).
**
** The method (README "Calibrating initial margins" says why):
**
**   1. Bracket: the key at 5 equally spaced values of the range, every
**      replicate.  The metric at the two ends gives the direction; the
**      grid must be monotone in that direction (else status
**      non_monotone, with the values where it breaks, and no answer).
**   2. Probability targets: each replicate's indicator flips once as the
**      key moves (its critical value c_k); the answer is an order
**      statistic of the c_k, located by bisection to 'tolerance', and
**      the confidence interval is the pair of order statistics given by
**      exact binomial bounds (distribution-free).  A replicate whose
**      indicator is already known at a new value from a value on its
**      safe or unsafe side is not rerun; replicates that were not
**      monotone on the grid are always rerun, and the answer and its
**      failing neighbour are checked on every replicate (a replicate
**      found flipping twice is rerun everywhere and the search restarts).
**   3. Continuous targets (q99, ES99, mean share): Brent's method (GSL)
**      on the metric over the common replicates to 'tolerance'; the
**      interval is a seeded percentile bootstrap over replicates.
*/
#ifndef LIQ_CALIBRATE_PARAMS_H
#define LIQ_CALIBRATE_PARAMS_H

#include <stddef.h>

/* Targets (names pinned). */
typedef enum liq_calibrate_target {
  LIQ_CAL_LIQUIDATION_PROBABILITY = 0,
  LIQ_CAL_BAD_DEBT_PROBABILITY,
  LIQ_CAL_UNCOVERED_LOSS_PROBABILITY,
  LIQ_CAL_BAD_DEBT_Q99_OI,
  LIQ_CAL_BAD_DEBT_ES99_OI,
  LIQ_CAL_LIQUIDATED_SHARE_MEAN,
  LIQ_CAL_N_TARGETS
} liq_calibrate_target;

/* The scenario's calibrate section. */
typedef struct liq_calibrate_params {
  int    present;          /* 1 when the file has a calibrate section */
  char   key[64];          /* a numeric --set path (liq_scenario_is_sweep_key) */
  double lo, hi;           /* range = [lo, hi], lo < hi */
  int    target;           /* liq_calibrate_target */
  double max;              /* acceptable level: probabilities in [0, 1), others >= 0 */
  size_t replicates;       /* >= 2, default 1000 */
  double confidence;       /* (0, 1), default 0.95 */
  double tolerance;        /* on the key, absolute, > 0; default (hi - lo) / 1000 */
  int    line;             /* line of the section, and of its range (0: unknown) */
  int    range_line;
} liq_calibrate_params;

#endif /* LIQ_CALIBRATE_PARAMS_H */

#ifndef LIQ_CALIBRATE_H
#define LIQ_CALIBRATE_H

#include <stdint.h>

#include "liq_err.h"

struct liq_scenario;
struct liq_override;

/* "liquidation_probability", ... for a target; NULL when out of range. */
const char *liq_calibrate_target_name(int target);
/* The target named 'name', or -1. */
int liq_calibrate_target_parse(const char *name);
/* 1 for the share-of-runs targets (an indicator per replicate). */
int liq_calibrate_target_is_probability(int target);

/* How a calibration ended (the calibrations.status column). */
typedef enum liq_calibrate_status {
  LIQ_CAL_OK = 0,          /* a value meets the target; interval given */
  LIQ_CAL_ALL_MEET,        /* every value of the range meets it: no value */
  LIQ_CAL_NONE_MEET,       /* no value meets it: no value */
  LIQ_CAL_NON_MONOTONE     /* the metric is not monotone in the key: no value */
} liq_calibrate_status;

const char *liq_calibrate_status_name(int status);

/* One evaluated value of the key (a calibration_points row). */
typedef struct liq_calibrate_point {
  double value;            /* the key */
  double metric;           /* the target over all replicates */
  double metric_se;
  size_t n;                /* replicates the metric covers */
  size_t runs;             /* of those, simulated at this value (rest implied) */
} liq_calibrate_point;

typedef struct liq_calibrate_result {
  int    status;           /* liq_calibrate_status */
  int    direction;        /* -1: metric falls as the key rises (answer: smallest
                           ** value); +1: it rises (answer: largest); 0: flat */
  int    has_value;        /* status LIQ_CAL_OK */
  double value, ci_low, ci_high;
  double metric_at_value, metric_se;
  double metric_lo, metric_hi;   /* the metric at range[0] and range[1] */
  char   note[512];        /* what the status means here, or "" */
  liq_calibrate_point *points;   /* in evaluation order (owned) */
  size_t n_points;
  size_t replicates;
  size_t runs;             /* simulated runs in all */
  double seconds;
  char   cap_response[16];  /* the book's book.cap_response, stated with the answer */
} liq_calibrate_result;

/*
** Calibrate 'cp' (NULL: the scenario's own calibrate section) for the
** scenario loaded from sc->path with overrides ov[0..n_ov) (the key's
** value is one more override).  'threads' as for a sweep.  Every value
** the search tries is validated like --set; an invalid end of the range
** is LIQ_INPUT at the calibrate section.  *res is filled (free with
** liq_calibrate_result_free()) on LIQ_OK, also when no value meets the
** target.
*/
int liq_calibrate_run(const struct liq_scenario *sc,
                      const struct liq_override *ov,
                      size_t n_ov, const liq_calibrate_params *cp, int threads,
                      liq_calibrate_result *res /* OUT */, liq_err *err);

/* Progress of a running calibration, after each evaluated value: the
** count so far, the value and its metric, runs simulated in all, and
** seconds since the start. */
typedef void (*liq_calibrate_progress_fn)(void *ud, size_t evaluations,
                                          double value, double metric,
                                          size_t runs, double elapsed);

/* liq_calibrate_run() reporting progress to 'progress' (may be NULL). */
int liq_calibrate_run_with_progress(const struct liq_scenario *sc,
                                    const struct liq_override *ov, size_t n_ov,
                                    const liq_calibrate_params *cp, int threads,
                                    liq_calibrate_progress_fn progress, void *ud,
                                    liq_calibrate_result *res /* OUT */,
                                    liq_err *err);

void liq_calibrate_result_free(liq_calibrate_result *res);

/* The scenario loads at both ends of its calibrate.range (LIQ_INPUT at
** the section otherwise); LIQ_OK without a calibrate section.  For
** 'liqsim check'. */
int liq_calibrate_check(const struct liq_scenario *sc,
                        const struct liq_override *ov, size_t n_ov,
                        liq_err *err);

/* Exact distribution-free bounds for the p-quantile from n draws: the
** ranks l <= u (1-based order statistics) with P(X_(l) <= xi_p <= X_(u))
** >= confidence, as symmetric in the tails as the binomial allows.  l = 0
** means no finite lower bound, u = n + 1 no finite upper bound. */
void liq_calibrate_quantile_ranks(size_t n, double p, double confidence,
                                  size_t *l /* OUT */, size_t *u /* OUT */);

#endif /* LIQ_CALIBRATE_H */
