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
*/
#ifndef LIQ_PATH_H
#define LIQ_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "liq_err.h"
#include "liq_scenario.h"

typedef struct liq_path {
  size_t   n;              /* number of bars (steps) */
  int64_t *t_ms;           /* bar open time, Unix ms; generated: step * step_seconds * 1000 */
  double  *open, *high, *low, *close;
  int      has_ohlc;       /* 1: visit low and high inside each step */
  double   step_seconds;   /* seconds per bar */
  double   daily_volatility; /* gbm: volatility / sqrt(365); replay: estimated
                              ** from log close-to-close returns */
} liq_path;

/* Build the path the scenario asks for ('seed' is the path stream's seed,
** see liq_seed()).  On failure *out is NULL and err is filled: bad CSV
** data is LIQ_INPUT with the CSV's FILE:LINE. */
int liq_path_build(const liq_scenario *sc, uint64_t seed,
                   liq_path **out /* OUT */, liq_err *err);

/* GBM from explicit parameters: n bars of dt_seconds. */
int liq_path_gbm(double start, double drift, double volatility,
                 double dt_seconds, size_t n, uint64_t seed,
                 liq_path **out /* OUT */, liq_err *err);

/* Read a price CSV; window bounds apply when has_from / has_to. */
int liq_path_replay(const char *csv_path, int has_from, int64_t from_ms,
                    int has_to, int64_t to_ms, size_t max_bars,
                    liq_path **out /* OUT */, liq_err *err);

/* A path over caller-given bars (copies them); high/low may be NULL for
** close-only paths, open may be NULL (open = previous close, first = close). */
int liq_path_from_arrays(size_t n, const double *open, const double *high,
                         const double *low, const double *close,
                         double step_seconds, liq_path **out /* OUT */,
                         liq_err *err);

void liq_path_free(liq_path *p);

/* Deterministic seed for one random stream: a SplitMix64 hash of the base
** seed, a replicate index and a stream id (LIQ_STREAM_*). */
enum { LIQ_STREAM_PATH = 1, LIQ_STREAM_BOOK = 2 };
uint64_t liq_seed(uint64_t base, uint64_t replicate, uint64_t stream);

#endif /* LIQ_PATH_H */
