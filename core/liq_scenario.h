/*
** liq_scenario.h: load and validate scenario files (libconfig syntax).
**
** Each module's settings live in its own header (price in liq_path.h, book
** in liq_book.h, margin in liq_margin.h, impact in liq_impact.h, funding in
** liq_funding.h, insurance in liq_insurance.h, stats in liq_stats.h); this
** header gathers them into one liq_scenario, with the sweep's settings.
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
#include "liq_book.h"
#include "liq_calibrate.h"
#include "liq_funding.h"
#include "liq_impact.h"
#include "liq_insurance.h"
#include "liq_margin.h"
#include "liq_path.h"
#include "liq_stats.h"

#define LIQ_MAX_AXES      8
#define LIQ_MAX_AXIS_VALUES 256
/* Largest scenario file liq_scenario_load() reads (a located error beyond). */
#define LIQ_SCENARIO_MAX_BYTES (16 << 20)
#define LIQ_MAX_AXIS_NAMES  16   /* values of a categorical axis */

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

/* One sweep axis: a --set key and its values. */
typedef struct liq_sweep_axis {
  char   key[128];         /* dotted path, validated as --set validates it */
  size_t n_values;
  double values[LIQ_MAX_AXIS_VALUES]; /* from values = [...] or range = [from, to, step] */
  int    categorical;      /* a model or policy key (impact.model, ...): the
                           ** values are names[0..n_values), not values[] */
  char   names[LIQ_MAX_AXIS_NAMES][32];
} liq_sweep_axis;

typedef struct liq_sweep_params {
  int    present;          /* 1 when the file has a sweep section */
  size_t replicates;       /* >= 1, default 1 */
  int    zip;              /* mode = "zip": axes paired (same length); else cartesian product */
  size_t n_axes;
  liq_sweep_axis axes[LIQ_MAX_AXES];
} liq_sweep_params;

#define LIQ_SCENARIO_WARNINGS 1024

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
  liq_calibrate_params calibrate;
  liq_scenario_where where; /* where settings came from, for later errors */
  char    *text;           /* the scenario file's text (owned) */
  char     path[LIQ_PATH_MAX]; /* the scenario file as given */
  char    *params_json;    /* JSON object of the --set overrides, "{}" if none (owned) */
  char   **set;            /* the --set assignments it was loaded with, in
                           ** order (owned), so a sweep's grid points apply
                           ** them before the axes */
  size_t   n_set;
  char     warnings[LIQ_SCENARIO_WARNINGS]; /* known keys the chosen model does
                           ** not use (e.g. impact.daily_volume with impact.model
                           ** "none"): one "FILE:LINE: ..." per line, "" when
                           ** none; printed once by the program, stored in
                           ** runs.warnings.  Unknown keys stay errors. */
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

/* An error the settings caused that names no file (LIQ_INPUT with an
** empty err->file, as liq_path_build() gives for a generated path the
** settings make impossible) is about setting 'w' of 'sc': locate it there
** as liq_scenario_errf() would.  Returns 'rc'; other errors pass as they
** are. */
int liq_scenario_locate(const liq_scenario *sc, liq_where w, int rc,
                        liq_err *err);

/* 1 when 'key' is a numeric --set path that a sweep grid or a calibration
** may vary ("margin.initial", "price.intensity", ...), else 0. */
int liq_scenario_is_sweep_key(const char *key);

/* 1 when 'key' is a categorical --set path a sweep grid may vary: a model
** or policy name (impact.model, insurance.policy, price.model,
** margin.partial.mode, book.cap_response), else 0. */
int liq_scenario_is_categorical_key(const char *key);

/* Column-name suffix of a quantile: 0.01 -> "q01", 0.5 -> "q50",
** 0.995 -> "q99_5", 0.001 -> "q00_1". */
void liq_quantile_label(double q, char *buf, size_t size);

#endif /* LIQ_SCENARIO_H */
