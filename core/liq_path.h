/*
** liq_path.h: exogenous price paths.
**
** A path is a plain series of bars (OHLC; generated paths have
** open = previous close, high = max(open, close), low = min(open, close)
** and has_ohlc = 0).  The engine replays bar t in step t.  The start
** price is the open of bar 0.  Paths are built whole before a run: T bars
** cost 5 * 8 * T bytes.
**
** Sources: gbm (exact log-normal steps from a seeded GSL generator) and
** replay (a CSV file: generic "open_time_ms,open,high,low,close[,volume,...]"
** with or without header, Binance's 12-column kline layout with or without
** header, or close-only "open_time_ms,close"; detected automatically).
**
** Also generated from a seeded mt19937 (deterministic for a seed, has_ohlc
** = 0): jump (Merton jump diffusion), garch (GARCH(1,1), Student-t) and
** bootstrap (stationary bootstrap of a history's log returns).  Bad
** arguments are LIQ_INPUT; a price that leaves the floating-point range is
** LIQ_NUMERIC.
*/
#ifndef LIQ_PATH_H
#define LIQ_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "liq_err.h"

typedef enum {
  LIQ_PRICE_GBM = 0, LIQ_PRICE_REPLAY = 1, LIQ_PRICE_JUMP = 2,
  LIQ_PRICE_GARCH = 3, LIQ_PRICE_BOOTSTRAP = 4
} liq_price_model;

typedef struct liq_price_params {
  int    model;            /* liq_price_model */
  /* gbm */
  double start;            /* start price, > 0 */
  double drift;            /* annualised arithmetic drift mu (E ln S_T/S_0 =
                           ** (mu - sigma^2/2) T), finite;
                           ** |drift| x the run's years <= 100 */
  double volatility;       /* annualised volatility sigma, [0, 100];
                           ** volatility^2 / 2 x the run's years <= 100 */
  /* jump: gbm (start, drift, volatility) plus Merton jumps */
  double jump_intensity;   /* expected jumps per year, >= 0 */
  double jump_mean;        /* mean of the log jump size, [-10, 10] */
  double jump_sd;          /* sd of the log jump size, >= 0 */
  /* garch: GARCH(1,1) on log returns per step, Student-t innovations
  ** (scaled to unit variance): r_t = mu + sqrt(h_t) z_t,
  ** h_t = omega + alpha (r_{t-1} - mu)^2 + beta h_{t-1}.  Uses start. */
  double garch_mu;         /* mean log return per step, [-1, 1], default 0;
                           ** |mu| x steps <= 100 */
  double garch_omega;      /* (0, 1] */
  double garch_alpha;      /* >= 0 */
  double garch_beta;       /* >= 0, alpha + beta < 1 */
  double garch_nu;         /* Student-t degrees of freedom, > 2 */
  double garch_variance0;  /* h_0 > 0; NaN: unconditional omega/(1-alpha-beta) */
  /* bootstrap: stationary bootstrap (Politis-Romano) of the log returns of
  ** 'file' (within the from/to window); uses start (NaN: the window's first
  ** open) and steps; step_seconds comes from the file */
  double block;            /* mean block length in bars, >= 1 */
  /* every model */
  size_t  substeps;        /* price.substeps K, [1, LIQ_PATH_MAX_SUBSTEPS], default 1:
                           ** K - 1 Brownian-bridge prices between consecutive
                           ** waypoints of a bar (liq_path_waypoints()) */
  /* replay */
  char    mark_file[LIQ_PATH_MAX]; /* price.mark_file: mark-price bars aligned bar by
                           ** bar with 'file' (liq_path_attach_mark()); "": the
                           ** trade price is the mark */
  /* replay and bootstrap */
  char    file[LIQ_PATH_MAX]; /* CSV path, resolved relative to the scenario file */
  int     has_from, has_to;   /* optional window on bar open times */
  int64_t from_ms, to_ms;     /* inclusive, Unix ms; from "YYYY-MM-DD[ HH:MM[:SS]]" or ms.
                              ** A number is always milliseconds, even a
                              ** seconds-sized one: from = 1700000000 is
                              ** 1970-01-20, not 2023 (the CSV reader, unlike
                              ** the window, tells units apart by magnitude). */
} liq_price_params;


typedef struct liq_path {
  size_t   n;              /* number of bars (steps) */
  int64_t *t_ms;           /* bar open time, Unix ms; generated: step * step_seconds * 1000 */
  double  *open, *high, *low, *close;
  int      has_ohlc;       /* 1: visit low and high inside each step */
  double   step_seconds;   /* seconds per bar */
  double  *mark_open, *mark_high, *mark_low, *mark_close; /* mark-price bars, or
                           ** NULL (the trade price is the mark) */
  size_t   substeps;       /* K >= 1 (0 counts as 1): see liq_path_waypoints() */
  uint64_t bridge_seed;    /* seed of the sub-bar Brownian bridges (the path stream's) */
  double   daily_volatility; /* gbm: volatility / sqrt(365); replay: estimated
                              ** from log close-to-close returns (0 with fewer
                              ** than 3 bars); jump, garch, bootstrap: see
                              ** their constructors */
} liq_path;

/* Build the path the price settings ask for: 'steps' bars ('steps' 0 for
** a replay: every bar of the window) of 'step_seconds' (generated models;
** a file's bars have their own), 'seed' the path stream's seed (see
** liq_seed()).  On failure *out is NULL and err is filled: bad CSV data
** is LIQ_INPUT with the CSV's FILE:LINE; a generated path the settings
** make impossible (a price leaving the floating-point range, a clock
** overflow) is LIQ_INPUT naming the settings, with no file: the caller
** locates it (liq_scenario_locate() at the scenario's price.model). */
int liq_path_build(const liq_price_params *pp, size_t steps, double step_seconds,
                   uint64_t seed, liq_path **out /* OUT */, liq_err *err);

/* GBM from explicit parameters: n bars of dt_seconds. */
int liq_path_gbm(double start, double drift, double volatility,
                 double dt_seconds, size_t n, uint64_t seed,
                 liq_path **out /* OUT */, liq_err *err);

/* Read a price CSV; window bounds apply when has_from / has_to. */
int liq_path_replay(const char *csv_path, int has_from, int64_t from_ms,
                    int has_to, int64_t to_ms, size_t max_bars,
                    liq_path **out /* OUT */, liq_err *err);

/*
** Merton jump diffusion: n bars of dt_seconds; drift, volatility and
** intensity (expected jumps per year) annualised over 365 days; log jump
** sizes N(jump_mean, jump_sd^2).  Per step, exactly:
**   ln(S_t/S_{t-1}) = (drift - volatility^2/2 - intensity k) dt
**                     + volatility sqrt(dt) Z + sum of N ~ Poisson(intensity dt) jumps,
** k = exp(jump_mean + jump_sd^2/2) - 1, so drift is the expected growth
** rate of the price.  daily_volatility = sqrt((volatility^2 + intensity
** (jump_mean^2 + jump_sd^2)) / 365).  With intensity 0 the path equals
** liq_path_gbm() with the same seed.
*/
int liq_path_jump(double start, double drift, double volatility,
                  double intensity, double jump_mean, double jump_sd,
                  double dt_seconds, size_t n, uint64_t seed,
                  liq_path **out /* OUT */, liq_err *err);

/*
** GARCH(1,1) per bar of dt_seconds: r_t = mu + sqrt(h_t) z_t with z_t
** Student-t(nu) scaled to unit variance, h_{t+1} = omega + alpha (r_t -
** mu)^2 + beta h_t, h_0 = variance0 (NaN: omega / (1 - alpha - beta)).
** mu, omega, variance0 are per bar; omega > 0, alpha, beta >= 0, alpha +
** beta < 1, nu > 2.  daily_volatility = sqrt(v * 86400 / dt_seconds), v
** the unconditional variance omega / (1 - alpha - beta), or h_0 when the
** variance mean-reverts more slowly than the path is long (1 - alpha -
** beta < 1/n: a near-integrated GARCH, as fitted on BTC, never gets near
** its unconditional variance within a run).
*/
int liq_path_garch(double start, double mu, double omega, double alpha,
                   double beta, double nu, double variance0,
                   double dt_seconds, size_t n, uint64_t seed,
                   liq_path **out /* OUT */, liq_err *err);

/*
** Stationary bootstrap (Politis & Romano 1994) of the log close-to-close
** returns of a history (read with liq_path_replay() within the window;
** returns across gaps of more than 1.5 median spacings are left out).
** Each step starts a new block at a uniformly drawn return with
** probability 1/block (the first step always does), else takes the
** return after the previous one, wrapping around.  block >= 1 is the mean
** block length in bars.  start: first open (NaN: the window's first open);
** n: number of bars (0: as many as the window has).  step_seconds is the
** history's bar spacing; daily_volatility the history returns' sd scaled
** to a day.  Errors about the history carry its file name.
*/
int liq_path_bootstrap(const char *history_csv, int has_from, int64_t from_ms,
                       int has_to, int64_t to_ms, double block, double start,
                       size_t n, uint64_t seed, liq_path **out /* OUT */,
                       liq_err *err);

/* The same over a history already in memory (NaN start: its first open). */
int liq_path_bootstrap_from(const liq_path *history, double block, double start,
                            size_t n, uint64_t seed, liq_path **out /* OUT */,
                            liq_err *err);

/*
** Log close-to-close returns ln(close[i] / close[i-1]) of consecutive bars,
** leaving out pairs whose open times are more than 1.5 median spacings
** apart (exchange outages).  'r' must hold p->n - 1 values; *n_used gets
** how many were kept (0 for fewer than 2 bars).  *spacing_s (may be NULL)
** gets the median bar spacing in seconds (p->step_seconds below 2 bars).
*/
int liq_path_returns(const liq_path *p, double *r /* OUT */, size_t *n_used /* OUT */,
                     double *spacing_s /* OUT */, liq_err *err);

/* A path over caller-given bars (copies them); high/low may be NULL for
** close-only paths, open may be NULL (open = previous close, first = close). */
int liq_path_from_arrays(size_t n, const double *open, const double *high,
                         const double *low, const double *close,
                         double step_seconds, liq_path **out /* OUT */,
                         liq_err *err);

void liq_path_free(liq_path *p);

/*
** The exogenous prices step t visits, in order, into w (room for
** LIQ_PATH_MAX_WAYPOINTS); returns their count.  The bar's waypoints are
** C (close-only) or O->L->H->C when close >= open, else O->H->L->C (OHLC).
** With p->substeps = K > 1, K - 1 prices are inserted between each pair
** of consecutive waypoints: a Brownian bridge in log price from one to the
** next (one bar is (waypoints - 1) x K equal sub-steps), its normal draws
** a hash of (bridge_seed, t, segment, k) (reproducible, independent of the
** engine).  The variance is the bar's own: Parkinson's (1980) range
** estimator (ln(high/low))^2 / (4 ln 2) for an OHLC bar (0 for a flat
** bar), the path's daily volatility scaled to the bar for bars without a
** range (generated paths, close-only files).  With OHLC each segment is
** conditioned on the bar's extremes (Williams' path decomposition): the
** segment that ends at the bar's first extreme stays on its side of it,
** the one that starts at the second extreme likewise; each is the extreme
** plus or minus a Bessel(3) bridge (the norm of a 3-d Brownian bridge).
** The middle one runs from the first extreme to the second without
** crossing either: split at sub-step K / 2, the split point drawn from its
** density, a Bessel(3) bridge from each extreme to it.  Each segment is
** drawn again (up to 64 tries, other hashes) while it crosses the bar's
** other bound, and clamped into [low, high] only when every try does.
** K = 1 is the bar's own waypoints, as before.
*/
#define LIQ_PATH_MAX_SUBSTEPS 1000
#define LIQ_PATH_MAX_WAYPOINTS (3 * LIQ_PATH_MAX_SUBSTEPS + 1)
int liq_path_waypoints(const liq_path *p, size_t t, double *w /* OUT */);
/* The most waypoints a step of p has. */
#define LIQ_PATH_WAYPOINTS_OF(p) ((size_t)3 * ((p)->substeps > 1 ? (p)->substeps : 1) + 1)

/* The mark prices paired with liq_path_waypoints(): the mark bar's open,
** wicks (in the trade bar's order: the mark low goes with the trade low)
** and close, bridged with the same draws; without mark bars, the trade
** waypoints.  Same count. */
int liq_path_mark_waypoints(const liq_path *p, size_t t, double *w /* OUT */);

/* What the conditioned bridges of liq_path_waypoints_counted() did, added
** up over calls (zero it first). */
typedef struct {
  size_t segments;   /* conditioned segments (OHLC bars with a range, K > 1) */
  size_t points;     /* their interior points */
  size_t rejected;   /* tries that crossed the bar's other bound */
  size_t fallbacks;  /* segments whose every try crossed: clamped */
  size_t clamped;    /* interior points the clamp moved (fallbacks only) */
} liq_bridge_count;

/* liq_path_waypoints() (mark = 0) or liq_path_mark_waypoints() (mark != 0)
** adding its bridges' counts to *count (diagnostics and tests). */
int liq_path_waypoints_counted(const liq_path *p, size_t t, int mark,
                               double *w /* OUT */, liq_bridge_count *count);

/* Read mark-price bars from 'mark_csv' (any layout liq_path_replay()
** reads; Binance mark klines have volume 0) within the same window, into
** p->mark_*: bar i must open at p->t_ms[i].  An extra or missing bar is
** LIQ_INPUT at the mark file's line; max_bars > 0 (steps) ignores mark
** bars past p's last. */
int liq_path_attach_mark(liq_path *p, const char *mark_csv, int has_from,
                         int64_t from_ms, int has_to, int64_t to_ms,
                         size_t max_bars, liq_err *err);

#endif /* LIQ_PATH_H */
