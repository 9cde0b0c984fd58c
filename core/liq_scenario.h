/*
** liq_scenario.h: load and validate scenario files (libconfig syntax).
**
** A scenario is a plain, fully validated struct: every value is in range,
** every unknown key was rejected, and every optional key holds its
** documented default.  Strings are copied out of libconfig, so the struct
** outlives the parser.  Errors carry FILE:LINE of the offending setting;
** errors caused by a --set override carry "--set" and the override's
** position (1-based) instead.
**
** Units: prices in quote currency, notionals in quote currency, rates as
** fractions (0.01 = 1 %), volatilities as fractions, annualised over 365
** days (crypto trades every day), times in seconds unless named _ms.
*/
#ifndef LIQ_SCENARIO_H
#define LIQ_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "liq_err.h"

#define LIQ_MAX_LEVERAGES 32
#define LIQ_MAX_QUANTILES 16
#define LIQ_PATH_MAX      1024

typedef enum { LIQ_PRICE_GBM = 0, LIQ_PRICE_REPLAY = 1 } liq_price_model;
typedef enum { LIQ_NOTIONAL_LOGNORMAL = 0, LIQ_NOTIONAL_FIXED = 1 } liq_notional_dist;
typedef enum { LIQ_IMPACT_NONE = 0, LIQ_IMPACT_LINEAR = 1, LIQ_IMPACT_SQRT = 2 } liq_impact_model;

typedef struct liq_price_params {
  int    model;            /* liq_price_model */
  /* gbm */
  double start;            /* start price, > 0 */
  double drift;            /* annualised drift of log price (mu), finite */
  double volatility;       /* annualised volatility sigma, [0, 10] */
  /* replay */
  char    file[LIQ_PATH_MAX]; /* CSV path, resolved relative to the scenario file */
  int     has_from, has_to;   /* optional window on bar open times */
  int64_t from_ms, to_ms;     /* inclusive, Unix ms; from "YYYY-MM-DD[ HH:MM[:SS]]" or ms */
} liq_price_params;

typedef struct liq_book_params {
  size_t positions;        /* number of positions, [1, 10^8] */
  double long_share;       /* share of positions that are long, [0, 1] */
  size_t n_leverage;       /* number of leverage values, [1, LIQ_MAX_LEVERAGES] */
  double leverage[LIQ_MAX_LEVERAGES]; /* demanded leverages, each >= 1 */
  double weights[LIQ_MAX_LEVERAGES];  /* their weights, >= 0, sum > 0 (normalised) */
  int    notional_dist;    /* liq_notional_dist */
  double notional_median;  /* median entry notional, > 0 */
  double notional_sigma;   /* sd of log notional, [0, 5]; unused when fixed */
  double entry_spread;     /* sd of log(entry / start), [0, 1]; 0: all at start */
} liq_book_params;

typedef struct liq_margin_params {
  double initial;          /* initial margin rate, (0, 1]; max leverage 1/initial */
  double maintenance;      /* maintenance margin rate, (0, initial) */
  double call_level;       /* margin call when equity < call_level * IM, [maintenance/initial, ...) default 1 */
  double liquidation_fee;  /* share of closed notional paid to the fund, [0, 0.1], default 0 */
} liq_margin_params;

typedef struct liq_impact_params {
  int    model;            /* liq_impact_model */
  double daily_volume;     /* quote notional traded per day, > 0 (linear, sqrt) */
  double coefficient;      /* linear: k; sqrt: Y; >= 0 */
  double daily_volatility; /* sqrt model; NaN when unset (taken from the price path) */
  int    max_rounds;       /* cascade rounds per visited price, [1, 100000], default 100 */
} liq_impact_params;

typedef struct liq_insurance_params {
  double fund;             /* initial insurance fund, >= 0, default 0 */
} liq_insurance_params;

typedef struct liq_stats_params {
  size_t n_quantiles;      /* [0, LIQ_MAX_QUANTILES] */
  double quantiles[LIQ_MAX_QUANTILES]; /* strictly increasing, each in (0, 1) */
  int    every;            /* store every k-th step row, >= 1, default 1 */
  int    steps;            /* store per-step rows, default 1 */
  int    events;           /* store one row per liquidation, default 1 */
} liq_stats_params;

typedef struct liq_scenario {
  char     name[128];      /* [A-Za-z0-9_.-]+ */
  uint64_t seed;           /* base seed, >= 0 */
  size_t   steps;          /* number of steps; replay: 0 means every bar in the window */
  double   step_seconds;   /* seconds per step, > 0; replay: taken from the file */
  liq_price_params     price;
  liq_book_params      book;
  liq_margin_params    margin;
  liq_impact_params    impact;
  liq_insurance_params insurance;
  liq_stats_params     stats;
  char    *text;           /* the scenario file's text (owned) */
  char     path[LIQ_PATH_MAX]; /* the scenario file as given */
  char    *params_json;    /* JSON object of the --set overrides, "{}" if none (owned) */
} liq_scenario;

/* One --set override: "dotted.key=value". */
typedef struct liq_override {
  const char *assignment;
} liq_override;

/*
** Load 'path', apply the 'n' overrides in order, validate.  On success
** *out is a new scenario to free with liq_scenario_free().  On failure
** *out is NULL and 'err' holds LIQ_INPUT with FILE:LINE (or "--set":N),
** or LIQ_IO when the file cannot be read.
*/
int liq_scenario_load(const char *path, const liq_override *ov, size_t n,
                      liq_scenario **out /* OUT */, liq_err *err);

/* Same, from text in memory; 'name' stands in for the file name in errors
** and relative paths resolve against the current directory. */
int liq_scenario_load_string(const char *text, const char *name,
                             const liq_override *ov, size_t n,
                             liq_scenario **out /* OUT */, liq_err *err);

void liq_scenario_free(liq_scenario *sc);

/* Column-name suffix of a quantile: 0.01 -> "q01", 0.5 -> "q50",
** 0.995 -> "q99_5", 0.001 -> "q00_1". */
void liq_quantile_label(double q, char *buf, size_t size);

#endif /* LIQ_SCENARIO_H */
