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
#define LIQ_MAX_TIERS     32
#define LIQ_MAX_DEPTH     64
#define LIQ_MAX_AXES      8
#define LIQ_MAX_AXIS_VALUES 256
#define LIQ_PATH_MAX      1024

typedef enum {
  LIQ_PRICE_GBM = 0, LIQ_PRICE_REPLAY = 1, LIQ_PRICE_JUMP = 2,
  LIQ_PRICE_GARCH = 3, LIQ_PRICE_BOOTSTRAP = 4
} liq_price_model;
typedef enum { LIQ_NOTIONAL_LOGNORMAL = 0, LIQ_NOTIONAL_FIXED = 1 } liq_notional_dist;
typedef enum {
  LIQ_IMPACT_NONE = 0, LIQ_IMPACT_LINEAR = 1, LIQ_IMPACT_SQRT = 2, LIQ_IMPACT_DEPTH = 3
} liq_impact_model;
typedef enum { LIQ_PARTIAL_NONE = 0, LIQ_PARTIAL_RESTORE = 1, LIQ_PARTIAL_CHUNK = 2 } liq_partial_mode;
typedef enum { LIQ_FUNDING_NONE = 0, LIQ_FUNDING_CONSTANT = 1, LIQ_FUNDING_FILE = 2 } liq_funding_mode;
typedef enum {
  LIQ_POLICY_NONE = 0,        /* uncovered bad debt is recorded, nobody pays it */
  LIQ_POLICY_ADL_RANKED = 1,  /* profitable opposite positions by PnL ratio x effective leverage */
  LIQ_POLICY_ADL_PRORATA = 2, /* every profitable opposite position, pro rata to its profit */
  LIQ_POLICY_SOCIALIZE = 3    /* all open opposite positions, pro rata to quantity */
} liq_insurance_policy;
typedef enum { LIQ_ENTRY_SPREAD = 0, LIQ_ENTRY_HISTORY = 1 } liq_entry_mode;

/* Where a setting of a loaded scenario came from, so that errors found
** after loading (building the path or the book, running) can point at it:
** its line in the scenario file (liq_scenario.path), or the 1-based index
** of the --set override that gave it.  {0, 0}: unknown (errors then name
** the file alone). */
typedef struct liq_where {
  int line;                /* line in the scenario file, >= 1; 0 unknown */
  int set;                 /* 1-based --set index when an override gave it, else 0 */
} liq_where;

/* The settings later errors point at. */
typedef struct liq_scenario_where {
  liq_where price;         /* price.model (the price group without one) */
  liq_where steps;         /* steps (price.model when absent) */
  liq_where book_leverage; /* book.leverage (book when absent) */
  liq_where book_entry;    /* book.entry.spread / lookback_steps, else book.entry,
                           ** else book */
  liq_where impact;        /* impact.model */
} liq_scenario_where;

typedef struct liq_price_params {
  int    model;            /* liq_price_model */
  /* gbm */
  double start;            /* start price, > 0 */
  double drift;            /* annualised drift of log price (mu), finite;
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
  /* replay and bootstrap */
  char    file[LIQ_PATH_MAX]; /* CSV path, resolved relative to the scenario file */
  int     has_from, has_to;   /* optional window on bar open times */
  int64_t from_ms, to_ms;     /* inclusive, Unix ms; from "YYYY-MM-DD[ HH:MM[:SS]]" or ms.
                              ** A number is always milliseconds, even a
                              ** seconds-sized one: from = 1700000000 is
                              ** 1970-01-20, not 2023 (the CSV reader, unlike
                              ** the window, tells units apart by magnitude). */
} liq_price_params;

typedef struct liq_book_params {
  size_t positions;        /* number of positions, [1, 10^8] */
  double long_share;       /* share of positions that are long, [0, 1] */
  size_t n_leverage;       /* number of leverage values, [1, LIQ_MAX_LEVERAGES] */
  double leverage[LIQ_MAX_LEVERAGES]; /* demanded leverages, each >= 1 */
  double weights[LIQ_MAX_LEVERAGES];  /* their weights, >= 0, sum > 0 (normalised) */
  int    notional_dist;    /* liq_notional_dist */
  double notional_median;  /* median entry notional, (0, 1e12] */
  double notional_sigma;   /* sd of log notional, [0, 5]; unused when fixed */
  double entry_spread;     /* sd of log(entry / start), [0, 1]; 0: all at start */
  int    entry_mode;       /* liq_entry_mode: book.entry.from = "spread" | "history" */
  size_t entry_lookback;   /* history: positions open at a uniformly drawn close of
                           ** the lookback_steps bars before the start (replay: the
                           ** file's bars before the window; generated models: a
                           ** warm-up path of the same model ending at the start)
                           ** and survive every bar since; >= 1 */
  char   file[LIQ_PATH_MAX]; /* book.file: positions from a CSV (columns side,
                           ** qty|notional, entry, leverage|collateral); "" when
                           ** generated.  With a file, only long_share-free keys
                           ** apply: positions is the file's row count. */
} liq_book_params;

/* One maintenance bracket, as exchanges publish them.  The bracket of a
** position is chosen by its notional at the mark price:
** MM = maintenance * notional - amount. */
typedef struct liq_tier {
  double floor;            /* notional floor, quote currency; the first is 0 */
  double max_leverage;     /* leverage cap for positions opened in this bracket */
  double maintenance;      /* maintenance margin rate, (0, 1/max_leverage) */
  double amount;           /* maintenance amount; when omitted, computed for
                           ** continuity: amount_k = amount_{k-1} +
                           ** floor_k * (maintenance_k - maintenance_{k-1}) */
} liq_tier;

typedef struct liq_margin_params {
  double initial;          /* initial margin rate, (0, 1]; max leverage 1/initial */
  double maintenance;      /* flat maintenance margin rate, (0, initial);
                           ** with tiers: the first tier's rate */
  double call_level;       /* margin call when equity < call_level * IM, [maintenance/initial, ...) default 1 */
  double liquidation_fee;  /* share of closed notional paid to the fund, [0, 0.1], default 0 */
  size_t n_tiers;          /* 0: flat maintenance rate */
  liq_tier tiers[LIQ_MAX_TIERS]; /* floors strictly increasing, rates non-decreasing */
  int    partial_mode;     /* liq_partial_mode, margin.partial.mode, default none */
  double partial_buffer;   /* restore: close just enough that equity >= (1 + buffer) * MM, (0, 10] */
  double partial_share;    /* chunk: share of the position closed per liquidation, (0, 1] */
  int    partial_cooldown; /* chunk: steps before the next chunk of the same position, >= 0;
                           ** a position below maintenance inside its cooldown is closed whole */
  double topup_share;      /* margin.topup.share: share of called traders who add collateral, [0, 1] */
  int    topup_delay;      /* margin.topup.delay_steps: steps between call and top-up, >= 0 */
} liq_margin_params;

typedef struct liq_impact_params {
  int    model;            /* liq_impact_model */
  double daily_volume;     /* quote notional traded per day, > 0 (linear, sqrt) */
  double coefficient;      /* linear: k; sqrt: Y; >= 0 */
  double daily_volatility; /* sqrt model; NaN when unset (taken from the price path) */
  int    max_rounds;       /* cascade rounds per visited price, [1, 100000], default 100 */
  double half_life_seconds;/* the forced flow Q_eff behind the transient impact decays
                           ** with this half-life, > 0; INFINITY (inf): no decay */
  double permanent;        /* permanent log impact per unit of flow / daily_volume, >= 0 */
  /* depth: cumulative notional resting within pct % of the price; a sell of
  ** Q eats bids and moves the price down by the interpolated pct at Q (buys:
  ** asks, up).  Given as impact.depth = { pct = [...]; bid = [...]; ask = [...]; }
  ** or impact.depth_file (CSV pct,bid,ask).  pct strictly increasing, > 0;
  ** notionals strictly increasing, > 0; beyond the last point the last
  ** segment's slope continues. */
  size_t n_depth;
  double depth_pct[LIQ_MAX_DEPTH];
  double depth_bid[LIQ_MAX_DEPTH];
  double depth_ask[LIQ_MAX_DEPTH];
} liq_impact_params;

typedef struct liq_funding_params {
  int    mode;             /* liq_funding_mode */
  double rate;             /* constant: rate per interval (longs pay shorts when > 0), |rate| < 0.1 */
  double interval_seconds; /* constant: [1, 3.2e9], default 28800 */
  char   file[LIQ_PATH_MAX]; /* file: Binance funding CSV (calc_time ms,
                           ** interval hours, rate); needs a replay path: a
                           ** payment happens in the step whose bar holds calc_time */
} liq_funding_params;

typedef struct liq_insurance_params {
  double fund;             /* initial insurance fund, >= 0, default 0 */
  int    policy;           /* liq_insurance_policy, default none */
} liq_insurance_params;

/* One sweep axis: a --set key and its values. */
typedef struct liq_sweep_axis {
  char   key[128];         /* dotted path, validated as --set validates it */
  size_t n_values;
  double values[LIQ_MAX_AXIS_VALUES]; /* from values = [...] or range = [from, to, step] */
} liq_sweep_axis;

typedef struct liq_sweep_params {
  int    present;          /* 1 when the file has a sweep section */
  size_t replicates;       /* >= 1, default 1 */
  int    zip;              /* mode = "zip": axes paired (same length); else cartesian product */
  size_t n_axes;
  liq_sweep_axis axes[LIQ_MAX_AXES];
} liq_sweep_params;

typedef struct liq_stats_params {
  size_t n_quantiles;      /* [0, LIQ_MAX_QUANTILES] */
  double quantiles[LIQ_MAX_QUANTILES]; /* strictly increasing, each in (0, 1) */
  int    every;            /* store every k-th step row, >= 1, default 1 */
  int    steps;            /* store per-step rows, default 1 */
  int    events;           /* store one row per liquidation, default 1 */
  int    counterfactual;   /* also run the path and book without impact, default 0 */
} liq_stats_params;

typedef struct liq_scenario {
  char     name[128];      /* [A-Za-z0-9_.-]+ */
  uint64_t seed;           /* base seed, >= 0 */
  size_t   steps;          /* number of steps, [1, 10^8]; replay: [0, 10^8], 0
                           ** means every bar in the window */
  double   step_seconds;   /* seconds per step, (0, 3.2e9]; steps x step_seconds
                           ** (and the history warm-up's) within 9e15 s, the
                           ** millisecond clock; replay: taken from the file */
  liq_price_params     price;
  liq_book_params      book;
  liq_margin_params    margin;
  liq_impact_params    impact;
  liq_insurance_params insurance;
  liq_funding_params   funding;
  liq_stats_params     stats;
  liq_sweep_params     sweep;
  liq_scenario_where where; /* where settings came from, for later errors */
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

/* Fill 'err' with LIQ_INPUT about setting 'w' of 'sc' ("--set":N for an
** override, else sc->path:LINE, or sc->path alone when the line is
** unknown) and return LIQ_INPUT.  For errors found after loading. */
int liq_scenario_errf(const liq_scenario *sc, liq_where w, liq_err *err,
                      const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

/* 1 when 'key' is a numeric --set path that a sweep grid or a calibration
** may vary ("margin.initial", "price.intensity", ...), else 0. */
int liq_scenario_is_sweep_key(const char *key);

/* Column-name suffix of a quantile: 0.01 -> "q01", 0.5 -> "q50",
** 0.995 -> "q99_5", 0.001 -> "q00_1". */
void liq_quantile_label(double q, char *buf, size_t size);

#endif /* LIQ_SCENARIO_H */
