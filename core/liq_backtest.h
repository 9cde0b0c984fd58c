/*
** liq_backtest.h: margin models on a real price history and the
** regulators' coverage tests.
**
** Timing.  Bar t's margin is set at bar t's open from the closes of bars
** before t only (the returns r_1 .. r_{t-1}, r_i = ln(c_i / c_{i-1})).  It
** covers the move over the horizon of H bars that starts then:
**   move_t = ln(c_{t+H-1} / c_{t-1}),
** from the last close before t (the entry price, column 'price') to the
** close H bars later.  A move across a gap (two bars more than 1.5 median
** spacings apart, the fitter's rule) is not observed: NaN, left out of the
** tests.  Models give log-return thresholds q_long, q_short >= 0; the
** margin rates stored are the fractions of the entry price they cover:
**   margin_long = 1 - exp(-q_long), margin_short = exp(q_short) - 1,
** and the exceedances are
**   long:  move_t < -q_long   (a fall beyond the long's margin)
**   short: move_t >  q_short  (a rise beyond the short's margin).
**
** Models (L = lookback bars, c = confidence, H = horizon bars):
**   hs     nearest-rank quantiles (liq_stats_rank) of the overlapping
**          H-bar log returns whose windows lie in the last L bars before t;
**   ewma   RiskMetrics: s2_t = l s2_{t-1} + (1 - l) r_{t-1}^2 (zero mean,
**          started at r_1^2, L bars of burn-in before the first margin),
**          q = z_c s_t sqrt(H) on both sides.  'lambda' is the decay per
**          day (RiskMetrics' 0.94 is for daily data); per bar of D seconds
**          l = lambda^(D / 86400), so the memory in days does not depend on
**          the bar size (hourly: l = 0.99743);
**   fhs    filtered HS: the lookback's H-bar returns divided by the EWMA
**          volatility at their start (times sqrt(H)), their quantiles
**          rescaled by today's s_t sqrt(H);
**   garch  GARCH(1,1)-t fitted with liq_fit_run() on the last L bars every
**          'refit_bars' bars (the recursion runs on between fits); the
**          H-bar variance is the sum of the GARCH variance forecasts, the
**          quantile the unit-variance Student-t's for H = 1 and for H > 1
**          (the sum of t shocks is nearer normal) the larger of the t's and
**          the normal's: the t's at 99 %, the normal's at 97.5 % and below
**          for nu near 3, where the unit-variance t is peaked; mean H mu;
**   file   margin rates the user brings (liq_backtest_margin_file_read).
** Thresholds below 0 (a lookback that only went up) are set to 0.
**
** Anti-procyclicality tools (EMIR RTS 153/2013 Art. 28), on the margin rate
** of each side, applied from the first margin on (not only in --from/--to):
**   buffer  max(m_t, 1.25 min_{30 days} m): 25 % on top of the 30-day low;
**           a rise of the model margin eats the buffer first (released in
**           stress), and it is rebuilt as the 30-day low catches up;
**   floor   max(m_t, HS margin over up to ten years before t, whole
**           history when shorter);
**   stress  0.75 m_t + 0.25 max of the model's margins over up to ten years
**           before t and t itself (25 % weight on the stressed margin).
**
** Statistics per side: Kupiec POF and Christoffersen tests on the observed
** moves of the evaluation window, and again on the non-overlapping
** subsample (every H-th point): with H > 1 consecutive windows share H - 1
** bars, so exceedances come in clusters by construction and the
** independence test on all points rejects whatever the model; the
** non-overlapping series is the one the chi-square distributions are for.
** The Basel traffic light is computed on the non-overlapping series (for
** H bars of one day: daily observations, as in Basel 1996).
*/
#ifndef LIQ_BACKTEST_H
#define LIQ_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "liq_err.h"
#include "liq_path.h"

/* ------------------------------------------------------------------------
** Coverage tests (pure functions; backtest_stats.c)
*/

/* Kupiec (1995) proportion of failures: x exceedances in n observations
** against the expected rate p in (0, 1):
**   LR = -2 ln[(1-p)^(n-x) p^x] + 2 ln[(1-x/n)^(n-x) (x/n)^x],
** with 0 ln 0 = 0; p-value from chi2(1).  n = 0 gives LR 0, p-value 1. */
void liq_kupiec_pof(size_t n, size_t x, double p, double *lr /* OUT */,
                    double *pvalue /* OUT */);

typedef struct liq_christoffersen {
  size_t n00, n01, n10, n11;   /* transitions i -> j of the hit series */
  double lr_ind, p_ind;        /* independence, chi2(1) */
  double lr_cc, p_cc;          /* conditional coverage, chi2(2) */
} liq_christoffersen;

/*
** Christoffersen (1998) on a 0/1 hit series of n observations, counting
** the transitions between observations that follow each other:
** after_gap[i] = 1 when observation i does not follow i - 1 (bars
** without a move lie between them), so that pair is no transition;
** after_gap NULL: the series has no gap.  With T = n00+n01+n10+n11,
**   pi01 = n01/(n00+n01), pi11 = n11/(n10+n11), pi = (n01+n11)/T,
**   LR_ind = -2 ln[(1-pi)^(n00+n10) pi^(n01+n11)]
**            + 2 ln[(1-pi01)^n00 pi01^n01 (1-pi11)^n10 pi11^n11],
**   LR_cc = LR_pof(n, x, p) + LR_ind  (chi2(2)),
** with 0 ln 0 = 0 (no exceedance, or none followed by another, is no
** evidence of clustering: the terms vanish).
*/
void liq_christoffersen_test(const unsigned char *hit, const unsigned char *after_gap,
                             size_t n, double p, liq_christoffersen *out /* OUT */);

/* P(X <= k) for X ~ Binomial(n, p). */
double liq_binomial_cdf(size_t k, size_t n, double p);

enum { LIQ_ZONE_GREEN = 0, LIQ_ZONE_YELLOW = 1, LIQ_ZONE_RED = 2 };

/* Basel (1996) traffic light for k exceedances in n observations of a
** model with the given coverage (confidence): green while P(X <= k) <
** 0.95, yellow while P(X <= k) < 0.9999, red beyond (X ~ Bin(n, 1 -
** coverage)).  At 99 % and n = 250: green 0-4, yellow 5-9, red 10+. */
int liq_traffic_light_zone(size_t k, size_t n, double coverage);
/* The largest k of the green and of the yellow zone. */
void liq_traffic_light_bounds(size_t n, double coverage, size_t *green_max /* OUT */,
                              size_t *yellow_max /* OUT */);
const char *liq_zone_name(int zone);

/* Procyclicality of a margin series m[0..n-1] (NaN skipped): the ratio of
** its largest to its smallest value, and its largest rise within
** 'window' points: max_t m_t / min_{t-window <= s <= t} m_s - 1. */
void liq_procyclicality(const double *m, size_t n, size_t window,
                        double *peak_to_trough /* OUT */,
                        double *max_increase /* OUT */);

/* ------------------------------------------------------------------------
** Margin models on history (backtest.c)
*/

typedef enum {
  LIQ_BT_HS = 0, LIQ_BT_EWMA, LIQ_BT_FHS, LIQ_BT_GARCH, LIQ_BT_FILE
} liq_bt_model;

typedef enum {
  LIQ_APC_NONE = 0, LIQ_APC_BUFFER, LIQ_APC_FLOOR, LIQ_APC_STRESS
} liq_bt_apc;

#define LIQ_BT_BASEL_WINDOW   250     /* traffic-light window, observations */
#define LIQ_BT_APC_BUFFER     0.25    /* Art. 28(1)(a) */
#define LIQ_BT_APC_STRESS     0.25    /* Art. 28(1)(c) */
#define LIQ_BT_APC_YEARS      10.0    /* Art. 28(1)(b) */

typedef struct liq_backtest_settings {
  int     model;           /* liq_bt_model */
  double  confidence;      /* in (0, 1), e.g. 0.99 */
  size_t  horizon_bars;    /* margin period of risk in bars; 0: one day */
  size_t  lookback_bars;   /* 0: 365 days (file: none) */
  size_t  refit_bars;      /* garch: refit every so many bars; 0: 30 days */
  double  lambda;          /* ewma, fhs: decay per day in (0, 1), RiskMetrics 0.94 */
  int     apc;             /* liq_bt_apc */
  int     has_from, has_to;
  int64_t from_ms, to_ms;  /* evaluation window on bar open times */
  /* optional: called about every 1 % of the bars (the library never prints) */
  void  (*progress)(void *ud, size_t done, size_t total);
  void   *progress_ud;
} liq_backtest_settings;

/* Defaults: hs, 0.99, one day, 365 days, lambda 0.94, no APC. */
void liq_backtest_defaults(liq_backtest_settings *s /* OUT */);

/* A user's margin series, rates as fractions per bar. */
typedef struct liq_margin_series {
  size_t   n;
  int64_t *t_ms;           /* ascending */
  double  *m_long, *m_short;
  long    *line;           /* line of each row in 'file' */
  char     file[1024];
} liq_margin_series;

/* Read "open_time_ms,long,short" (header optional); rates in [0, 1) for
** long, >= 0 for short; times strictly increasing.  Errors are LIQ_INPUT
** with FILE:LINE. */
int liq_margin_series_read(const char *path, liq_margin_series **out /* OUT */,
                           liq_err *err);
void liq_margin_series_free(liq_margin_series *m);

typedef struct liq_bt_coverage {
  size_t n_obs, exceedances;
  double rate;             /* exceedances / n_obs (NaN for none) */
  double kupiec_lr, kupiec_p;
  liq_christoffersen chr;
} liq_bt_coverage;

typedef struct liq_bt_side {
  liq_bt_coverage all;         /* every observed point */
  liq_bt_coverage nonoverlap;  /* every H-th point: what the traffic light uses */
  size_t windows[3];           /* 250-obs windows per zone (green, yellow, red) */
  int    zone;                 /* zone of the last window; -1 with fewer than
                               ** 250 non-overlapping observations */
  size_t zone_n, zone_exceedances; /* observations and exceedances in it (fewer:
                                   ** all non-overlapping ones) */
  double peak_to_trough;       /* max margin / min margin */
  double max_increase_30d;     /* largest rise within 30 days, fraction */
} liq_bt_side;

typedef struct liq_backtest_result {
  /* what ran */
  liq_backtest_settings set;   /* with defaults resolved */
  double   step_seconds;       /* median bar spacing */
  size_t   garch_fits, garch_fit_failures;
  /* points: the bars of the evaluation window with a margin */
  size_t   n;
  int64_t *t_ms;
  double  *price;              /* c_{t-1}: the entry price */
  double  *margin_long, *margin_short;   /* after APC */
  double  *model_long, *model_short;     /* before APC */
  double  *move;               /* ln(c_{t+H-1}/c_{t-1}); NaN across a gap */
  unsigned char *exceed_long, *exceed_short;
  unsigned char *sampled;      /* 1: in the non-overlapping subsample */
  signed char *zone_long, *zone_short; /* zone of the trailing window at sampled
                                       ** points, -1 elsewhere */
  liq_bt_side side[2];         /* 0 long, 1 short */
} liq_backtest_result;

/*
** Run the model over 'p' (liq_path_replay()).  'file' is the margin
** series for LIQ_BT_FILE (NULL otherwise); 'name' is the price file for
** messages.  LIQ_INPUT for settings the data cannot serve (a horizon or
** lookback as long as the data, an empty window, a missing margin row
** with its FILE:LINE), LIQ_NUMERIC when the first garch fit fails.
*/
int liq_backtest_run(const liq_path *p, const char *name,
                     const liq_backtest_settings *s, const liq_margin_series *file,
                     liq_backtest_result **out /* OUT */, liq_err *err);
void liq_backtest_result_free(liq_backtest_result *r);

/*
** The model's margin rates for a bar opening at at_ms, from the bars of
** 'p' that closed by then (open time + bar spacing <= at_ms; INT64_MAX:
** all bars), as liq_backtest_run() would set them there; no APC.  For a
** scenario's margin.initial_from, whose history may have longer bars
** than the run.
** LIQ_INPUT when the bars before at_ms cannot hold the lookback.
*/
int liq_backtest_margin_at(const liq_path *p, const char *name,
                           const liq_backtest_settings *s, int64_t at_ms,
                           double *m_long /* OUT */, double *m_short /* OUT */,
                           liq_err *err);
/* The same from a price file read with liq_path_replay() (bars before at_ms). */
int liq_backtest_margin_from_file(const char *csv, const liq_backtest_settings *s,
                                  int64_t at_ms, double *m_long /* OUT */,
                                  double *m_short /* OUT */, liq_err *err);

/* GARCH(1,1): the sum of the conditional variance forecasts of the next
** 'horizon' returns, E[h_t + ... + h_{t+H-1}], from h_t = h_next, with
** h_{k+1} = omega + persistence h_k (persistence = alpha + beta). */
double liq_garch_horizon_variance(double omega, double persistence, double h_next,
                                  size_t horizon);

/* The standardised one-sided quantile the garch model puts on the H-bar
** standard deviation: the unit-variance Student-t's at H = 1, and for H > 1
** (the sum of t shocks is nearer normal) the larger of it and the normal's,
** so the margin is conservative at any confidence. */
double liq_garch_horizon_quantile(double confidence, double nu, size_t horizon);

/* Names <-> enums; -1 / NULL when unknown. */
int liq_bt_model_parse(const char *name);
const char *liq_bt_model_name(int model);
int liq_bt_apc_parse(const char *name);
const char *liq_bt_apc_name(int apc);

/* ------------------------------------------------------------------------
** Storage (store_backtest.c): tables backtests (one row per side) and
** backtest_points, in the results database at 'db' (created with the
** rest of the schema when missing).  *id gets the new backtest_id.
*/
typedef struct liq_backtest_meta {
  const char *file;            /* the price file */
  const char *margin_file;     /* NULL unless model file */
} liq_backtest_meta;

int liq_backtest_store(const char *db, const liq_backtest_meta *meta,
                       const liq_backtest_result *r, int64_t *id /* OUT */,
                       liq_err *err);

#endif /* LIQ_BACKTEST_H */
