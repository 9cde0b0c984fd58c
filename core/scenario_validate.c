/*
** scenario_validate.c: the scenario's validators, one function per group.
** Each rejects unknown keys, then copies every value into the liq_scenario,
** checking type and range, with errors at the setting's FILE:LINE (or
** "--set":N).  Groups whose keys depend on a selector (price.model,
** impact.model, margin.partial.mode, book.entry.from) say which selector
** values take a misplaced key.  Files the scenario names resolve against
** its directory and must open; the small depth CSV is read here.
*/
#define _POSIX_C_SOURCE 200809L   /* stat */

#include "scenario_int.h"
#include "csv_int.h"
#include "funding_int.h"
#include "liq_backtest.h"
#include "liq_margin.h"
#include "liq_sweep.h"
#include "liq_time.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const num_range r_positive    = {0.0, HUGE_VAL, 1, 0};   /* (0, inf) */
static const num_range r_non_negative = {0.0, HUGE_VAL, 0, 0};   /* [0, inf) */
static const num_range r_unit        = {0.0, 1.0, 0, 0};        /* [0, 1] */
static const num_range r_open_unit    = {0.0, 1.0, 1, 1};        /* (0, 1) */
static const num_range r_any         = {-HUGE_VAL, HUGE_VAL, 0, 0};
/* A start price: far beyond any traded asset either way, yet small enough
** that notional, fills and fees stay finite (1e308 overflowed them) and
** large enough that it is not subnormal. */
static const num_range r_price       = {1e-12, 1e12, 0, 0};

/* ------------------------------------------------------------------ */
/* Validation, one function per group                                 */
/* ------------------------------------------------------------------ */

static int is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* [A-Za-z0-9_-][A-Za-z0-9_.-]*: a leading '.' would make results/<name>.db
** a hidden file (".", ".." gave results/..db and results/...db). */
static int valid_name(const char *z) {
  if (*z == '\0' || *z == '.') return 0;
  for (; *z; z++) {
    if (!is_name_char(*z)) return 0;
  }
  return 1;
}

/* The default name: the file's basename without its extension, with
** characters outside [A-Za-z0-9_.-] turned into '_'. */
static void default_name(const char *file, char *z, size_t n) {
  const char *base = strrchr(file, '/');
  const char *dot;
  size_t len, i;
  base = base ? base + 1 : file;
  dot = strrchr(base, '.');
  len = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
  if (len > n - 1) len = n - 1;
  for (i = 0; i < len; i++) z[i] = is_name_char(base[i]) ? base[i] : '_';
  z[len] = '\0';
  if (z[0] == '.') z[0] = '_';             /* not a hidden file */
  if (len == 0) snprintf(z, n, "scenario");
}

static int validate_name(loader *p, const config_setting_t *root,
                        liq_scenario *sc) {
  const config_setting_t *s = config_setting_get_member(root, "name");
  const char *z = NULL;
  int rc;
  if (s == NULL) {
    default_name(p->file, sc->name, sizeof sc->name);
    return LIQ_OK;
  }
  if ((rc = liq_scn_string_of(p, s, &z)) != LIQ_OK) return rc;
  if (!valid_name(z)) {
    return liq_scn_bad_at(p, s, "name must match [A-Za-z0-9_-][A-Za-z0-9_.-]* (no "
                  "leading '.': results/NAME.db would be hidden), got \"%s\"", z);
  }
  if (strlen(z) >= sizeof sc->name) {
    return liq_scn_bad_at(p, s, "name is too long (at most %zu characters), got %zu",
                 sizeof sc->name - 1, strlen(z));
  }
  snprintf(sc->name, sizeof sc->name, "%s", z);
  return LIQ_OK;
}

/*
** Join the file name of setting 's' to the scenario's directory (absolute
** names stay) into out, and check that it can be opened, so `liqsim
** check` catches a missing file.  Used by price.file, funding.file,
** impact.depth_file and book.file.
*/
static int resolve_file(loader *p, const config_setting_t *s, char *out,
                       size_t n_out) {
  char path[PATH_BUF];
  const char *z = NULL;
  struct stat st;
  FILE *f;
  int rc = liq_scn_string_of(p, s, &z), n;
  if (rc) return rc;
  liq_scn_setting_path(s, path, sizeof path);
  if (z[0] == '\0') return liq_scn_bad_at(p, s, "%s must not be empty", path);
  if (z[0] == '/' || p->dir[0] == '\0') {
    n = snprintf(out, n_out, "%s", z);
  } else {
    size_t len = strlen(p->dir);
    n = snprintf(out, n_out, "%s%s%s", p->dir,
                 p->dir[len - 1] == '/' ? "" : "/", z);
  }
  if (n < 0 || (size_t)n >= n_out) {
    return liq_scn_bad_at(p, s, "%s is too long (at most %zu bytes after joining the "
                 "scenario's directory)", path, n_out - 1);
  }
  /* Before opening: opening a FIFO would wait for a writer, and the file
  ** is read again for each run (history warm-up, sweep replicates). */
  if (stat(out, &st) == 0 && !S_ISREG(st.st_mode)) {
    return liq_scn_bad_at(p, s, "%s \"%s\" is not a regular file (%s; expected a "
                 "file that can be read more than once)", path, out,
                 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode)
                 ? "a pipe" : "a device or other special file");
  }
  f = fopen(out, "rb");
  if (f == NULL) {
    return liq_scn_bad_at(p, s, "%s \"%s\" cannot be opened: %s (relative names start "
                 "at the scenario file's directory)", path, out,
                 strerror(errno));
  }
  if (fgetc(f) == EOF && ferror(f)) {          /* e.g. a directory */
    int e = errno;
    fclose(f);
    return liq_scn_bad_at(p, s, "%s \"%s\" cannot be read: %s", path, out,
                 strerror(e));
  }
  fclose(f);
  return LIQ_OK;
}

/* price.model names, in liq_price_model order. */
static const char *const price_models[] = {"gbm", "replay", "jump", "garch",
                                            "bootstrap", NULL};

#define M_GBM       (1u << LIQ_PRICE_GBM)
#define M_REPLAY    (1u << LIQ_PRICE_REPLAY)
#define M_JUMP      (1u << LIQ_PRICE_JUMP)
#define M_GARCH     (1u << LIQ_PRICE_GARCH)
#define M_BOOTSTRAP (1u << LIQ_PRICE_BOOTSTRAP)

/* The keys of price, and the models that take them. */
static const sel_key price_keys[] = {
  {"model", ALL_USERS},
  {"start", M_GBM | M_JUMP | M_GARCH | M_BOOTSTRAP},
  {"drift", M_GBM | M_JUMP},
  {"volatility", M_GBM | M_JUMP},
  {"intensity", M_JUMP},
  {"jump_mean", M_JUMP},
  {"jump_sd", M_JUMP},
  {"mu", M_GARCH},
  {"omega", M_GARCH},
  {"alpha", M_GARCH},
  {"beta", M_GARCH},
  {"nu", M_GARCH},
  {"variance0", M_GARCH},
  {"file", M_REPLAY | M_BOOTSTRAP},
  {"from", M_REPLAY | M_BOOTSTRAP},
  {"to", M_REPLAY | M_BOOTSTRAP},
  {"block", M_BOOTSTRAP},
  {"substeps", ALL_USERS},
  {"mark_file", M_REPLAY},
  {NULL, 0}};

static const refusal price_no[] = {
  {"columns", "is not implemented yet (CSV columns are detected "
              "automatically)"},
  {NULL, NULL}};

/* file, from and to of the replay and bootstrap models. */
static int validate_window(loader *p, const config_setting_t *g,
                          liq_price_params *pp) {
  const config_setting_t *s_file = config_setting_get_member(g, "file");
  const config_setting_t *s_from = config_setting_get_member(g, "from");
  const config_setting_t *s_to = config_setting_get_member(g, "to");
  char why[64];
  int rc;
  if (s_file == NULL) {
    snprintf(why, sizeof why, " for model %s", price_models[pp->model]);
    return liq_scn_missing(p, g, "file", why);
  }
  if ((rc = resolve_file(p, s_file, pp->file, sizeof pp->file)) != LIQ_OK) {
    return rc;
  }
  if (s_from) {
    if ((rc = liq_scn_time_of(p, s_from, &pp->from_ms)) != LIQ_OK) return rc;
    pp->has_from = 1;
  }
  if (s_to) {
    if ((rc = liq_scn_time_of(p, s_to, &pp->to_ms)) != LIQ_OK) return rc;
    pp->has_to = 1;
  }
  if (s_from && s_to && pp->from_ms > pp->to_ms) {
    char from[64], to[64];
    liq_time_format_utc(pp->from_ms, from, sizeof from);
    liq_time_format_utc(pp->to_ms, to, sizeof to);
    return liq_scn_bad_at2(p, s_from, s_to,
                  "price.from (%s) must not be after price.to (%s)", from,
                  to);
  }
  return LIQ_OK;
}

/* gbm and jump: start, drift, volatility; jump adds the Merton jumps. */
static int validate_diffusion(loader *p, const config_setting_t *g,
                             liq_price_params *pp) {
  /* Up to 100 (10000 % a year): what `liqsim fit` gets from short, fast
  ** bars must load; the run's length bounds it further (validate_horizon). */
  static const num_range r_vol = {0.0, 100.0, 0, 0};
  static const num_range r_jump_mean = {-10.0, 10.0, 0, 0};
  const char *model = price_models[pp->model];
  char why[96];
  int rc;
  snprintf(why, sizeof why, " for model %s", model);
  if ((rc = liq_scn_req_number(p, g, "start", why, &r_price, &pp->start)) != LIQ_OK) {
    return rc;
  }
  if ((rc = liq_scn_opt_number(p, g, "drift", &r_any, &pp->drift)) != LIQ_OK) return rc;
  snprintf(why, sizeof why, " for model %s (annualised, e.g. 0.8)", model);
  rc = liq_scn_req_number(p, g, "volatility", why, &r_vol, &pp->volatility);
  if (rc || pp->model != LIQ_PRICE_JUMP) return rc;
  rc = liq_scn_req_number(p, g, "intensity", " for model jump (expected jumps per "
                 "year, e.g. 10)", &r_non_negative, &pp->jump_intensity);
  if (rc) return rc;
  rc = liq_scn_req_number(p, g, "jump_mean", " for model jump (mean log jump size, "
                 "e.g. -0.02)", &r_jump_mean, &pp->jump_mean);
  if (rc) return rc;
  return liq_scn_req_number(p, g, "jump_sd", " for model jump (sd of the log jump "
                   "size, e.g. 0.05)", &r_non_negative, &pp->jump_sd);
}

/* garch: GARCH(1,1) per step with Student-t innovations. */
static int validate_garch(loader *p, const config_setting_t *g,
                         liq_price_params *pp) {
  static const num_range r_nu = {2.0, HUGE_VAL, 1, 0};
  static const num_range r_mu = {-1.0, 1.0, 0, 0};       /* per step */
  static const num_range r_omega = {0.0, 1.0, 1, 0};     /* per step: sd <= 100 % */
  const config_setting_t *s_alpha, *s_beta;
  int rc;
  rc = liq_scn_req_number(p, g, "start", " for model garch", &r_price, &pp->start);
  if (rc) return rc;
  if ((rc = liq_scn_opt_number(p, g, "mu", &r_mu, &pp->garch_mu)) != LIQ_OK) return rc;
  rc = liq_scn_req_number(p, g, "omega", " for model garch (constant of the variance "
                 "per step, e.g. 1e-7)", &r_omega, &pp->garch_omega);
  if (rc) return rc;
  rc = liq_scn_req_number(p, g, "alpha", " for model garch (weight of the last "
                 "squared return, e.g. 0.05)", &r_non_negative, &pp->garch_alpha);
  if (rc) return rc;
  rc = liq_scn_req_number(p, g, "beta", " for model garch (weight of the last "
                 "variance, e.g. 0.9)", &r_non_negative, &pp->garch_beta);
  if (rc) return rc;
  s_alpha = config_setting_get_member(g, "alpha");
  s_beta = config_setting_get_member(g, "beta");
  if (!(pp->garch_alpha + pp->garch_beta < 1.0)) {
    return liq_scn_bad_at2(p, s_alpha, s_beta, "price.alpha + price.beta must be < 1 "
                  "(a stationary variance), got %s + %s = %s",
                  liq_scn_num(pp->garch_alpha).z, liq_scn_num(pp->garch_beta).z,
                  liq_scn_num(pp->garch_alpha + pp->garch_beta).z);
  }
  rc = liq_scn_req_number(p, g, "nu", " for model garch (Student-t degrees of "
                 "freedom, > 2, e.g. 5)", &r_nu, &pp->garch_nu);
  if (rc) return rc;
  return liq_scn_opt_number(p, g, "variance0", &r_positive, &pp->garch_variance0);
}

static int validate_price(loader *p, const config_setting_t *g,
                         liq_price_params *pp) {
  static const num_range r_block = {1.0, HUGE_VAL, 0, 0};
  const config_setting_t *s_model;
  int rc, model;
  pp->drift = 0.0;
  pp->garch_mu = 0.0;
  pp->garch_variance0 = NAN;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  s_model = config_setting_get_member(g, "model");
  if (s_model == NULL) {
    rc = liq_scn_check_sel_keys(p, g, "model", price_models, -1, price_keys, price_no);
    if (rc) return rc;
    return liq_scn_missing(p, g, "model", " (gbm, replay, jump, garch or bootstrap)");
  }
  if ((rc = liq_scn_choose_name(p, s_model, price_models, &model)) != LIQ_OK) {
    return rc;
  }
  pp->model = model;          /* price_models is in liq_price_model order */
  rc = liq_scn_check_sel_keys(p, g, "model", price_models, model, price_keys, price_no);
  if (rc) return rc;
  pp->substeps = 1;
  {
    const config_setting_t *s_sub = config_setting_get_member(g, "substeps");
    long long k;
    if (s_sub != NULL) {
      if ((rc = liq_scn_integer_in(p, s_sub, 1, LIQ_PATH_MAX_SUBSTEPS, &k)) != LIQ_OK) return rc;
      pp->substeps = (size_t)k;
    }
  }
  switch (pp->model) {
    case LIQ_PRICE_REPLAY: {
      const config_setting_t *s_mark = config_setting_get_member(g, "mark_file");
      pp->mark_file[0] = '\0';
      if ((rc = validate_window(p, g, pp)) != LIQ_OK) return rc;
      if (s_mark == NULL) return LIQ_OK;
      return resolve_file(p, s_mark, pp->mark_file, sizeof pp->mark_file);
    }
    case LIQ_PRICE_GARCH:
      return validate_garch(p, g, pp);
    case LIQ_PRICE_BOOTSTRAP:
      if ((rc = validate_window(p, g, pp)) != LIQ_OK) return rc;
      pp->block = 20.0;
      if ((rc = liq_scn_opt_number(p, g, "block", &r_block, &pp->block)) != LIQ_OK) {
        return rc;
      }
      pp->start = NAN;           /* the window's first open */
      return liq_scn_opt_number(p, g, "start", &r_price, &pp->start);
    default:
      return validate_diffusion(p, g, pp);
  }
}

/* The most steps a run takes: positions and steps share the 10^8 cap, so
** a path's five arrays stay within 4 GB. */
#define MAX_STEPS 100000000LL

/* steps and step_seconds, which depend on the price model. */
static int validate_steps(loader *p, const config_setting_t *root,
                         liq_scenario *sc) {
  /* Up to a century per step, as funding.interval_seconds. */
  static const num_range r_step = {0.0, 3.2e9, 1, 0};
  const config_setting_t *s_steps = config_setting_get_member(root, "steps");
  const config_setting_t *s_dt = config_setting_get_member(root, "step_seconds");
  const char *model = price_models[sc->price.model];
  char why[96];
  long long n = 0;
  int rc;
  if (sc->price.model == LIQ_PRICE_REPLAY ||
      sc->price.model == LIQ_PRICE_BOOTSTRAP) {
    if (s_dt) {
      return liq_scn_bad_at(p, s_dt, "step_seconds is not used with price.model %s "
                   "(the step is the file's bar interval)", model);
    }
    sc->step_seconds = 0.0;    /* taken from the file */
  }
  if (sc->price.model == LIQ_PRICE_REPLAY) {
    if (s_steps && (rc = liq_scn_integer_in(p, s_steps, 0, MAX_STEPS, &n)) != LIQ_OK) {
      return rc;
    }
    sc->steps = (size_t)n;     /* 0: every bar in the window */
    return LIQ_OK;
  }
  if (s_steps == NULL) {
    snprintf(why, sizeof why, " for price.model %s", model);
    return liq_scn_missing(p, root, "steps", why);
  }
  if ((rc = liq_scn_integer_in(p, s_steps, 1, MAX_STEPS, &n)) != LIQ_OK) return rc;
  sc->steps = (size_t)n;
  if (sc->price.model == LIQ_PRICE_BOOTSTRAP) return LIQ_OK;
  snprintf(why, sizeof why, " for price.model %s (e.g. 60)", model);
  return liq_scn_req_number(p, root, "step_seconds", why, &r_step, &sc->step_seconds);
}

/* The largest |log price move| a generated path's drift may add up to,
** and likewise volatility^2 / 2: e^100 is far inside the double range
** for any sane start price. */
#define MAX_LOG_MOVE 100.0

/*
** Generated paths (gbm, jump, garch): the run, and the warm-up path of a
** history-entry book (lookback_steps steps of the same model), must fit
** the millisecond clock, and their drift and variance must keep the price
** inside the floating-point range.  Checked against the run's length, so
** that a fitted drift of short, fast bars (large per year) still loads.
*/
static int validate_horizon(loader *p, const config_setting_t *root,
                           liq_scenario *sc) {
  const liq_price_params *pp = &sc->price;
  const config_setting_t *g = config_setting_get_member(root, "price");
  const config_setting_t *s_steps = config_setting_get_member(root, "steps");
  const config_setting_t *s_dt = config_setting_get_member(root,
                                                          "step_seconds");
  const char *len = "steps";
  double n = (double)sc->steps, years, ms;
  if (pp->model == LIQ_PRICE_REPLAY || pp->model == LIQ_PRICE_BOOTSTRAP) {
    return LIQ_OK;
  }
  if (sc->book.file[0] == '\0' && sc->book.entry_mode == LIQ_ENTRY_HISTORY &&
      (double)sc->book.entry_lookback > n) {
    const config_setting_t *b = config_setting_get_member(root, "book");
    const config_setting_t *e = b ? config_setting_get_member(b, "entry") : NULL;
    n = (double)sc->book.entry_lookback;
    len = "book.entry.lookback_steps";
    if (e && config_setting_get_member(e, "lookback_steps")) {
      s_steps = config_setting_get_member(e, "lookback_steps");
    }
  }
  if (pp->model == LIQ_PRICE_GARCH) {
    const config_setting_t *s_mu = config_setting_get_member(g, "mu");
    if (fabs(pp->garch_mu) * n > MAX_LOG_MOVE) {
      return liq_scn_bad_at2(p, s_mu, s_steps, "price.mu x %s must be within +-%s (a "
                    "log price move the floating-point range holds), got %s "
                    "x %s", len, liq_scn_num(MAX_LOG_MOVE).z, liq_scn_num(pp->garch_mu).z,
                    liq_scn_num(n).z);
    }
  }
  ms = n * sc->step_seconds * 1000.0;
  if (!(ms <= 9.0e18)) {
    /* the lookback when it is the longer path, else step_seconds */
    int by_lookback = s_steps != config_setting_get_member(root, "steps");
    return liq_scn_bad_at2(p, by_lookback ? s_steps : s_dt, by_lookback ? s_dt : s_steps,
                  "%s x step_seconds must be at most 9e15 s (the millisecond "
                  "clock), got %s x %s = %s s", len, liq_scn_num(n).z,
                  liq_scn_num(sc->step_seconds).z, liq_scn_num(n * sc->step_seconds).z);
  }
  if (pp->model == LIQ_PRICE_GARCH) return LIQ_OK;
  years = n * sc->step_seconds / (365.0 * 86400.0);
  if (fabs(pp->drift) * years > MAX_LOG_MOVE) {
    return liq_scn_bad_at2(p, config_setting_get_member(g, "drift"), s_steps,
                  "price.drift x the run's length must be within +-%s (a log "
                  "price move the floating-point range holds), got %s per "
                  "year x %.4g years (%s x step_seconds)", liq_scn_num(MAX_LOG_MOVE).z,
                  liq_scn_num(pp->drift).z, years, len);
  }
  if (0.5 * pp->volatility * pp->volatility * years > MAX_LOG_MOVE) {
    return liq_scn_bad_at2(p, config_setting_get_member(g, "volatility"), s_steps,
                  "price.volatility^2 / 2 x the run's length must be at most "
                  "%s (the log price's drag), got %s^2 / 2 x %.4g years (%s x "
                  "step_seconds)", liq_scn_num(MAX_LOG_MOVE).z,
                  liq_scn_num(pp->volatility).z, years, len);
  }
  return LIQ_OK;
}

/* Record where the settings later errors point at came from. */
static void record_where(loader *p, const config_setting_t *root,
                        liq_scenario *sc) {
  const config_setting_t *g = config_setting_get_member(root, "price");
  const config_setting_t *s = g ? config_setting_get_member(g, "model") : NULL;
  const config_setting_t *b = config_setting_get_member(root, "book");
  const config_setting_t *e = b ? config_setting_get_member(b, "entry") : NULL;
  liq_scenario_where *w = &sc->where;
  w->price = liq_scn_where_of(p, s ? s : g);
  s = config_setting_get_member(root, "steps");
  w->steps = s ? liq_scn_where_of(p, s) : w->price;
  s = b ? config_setting_get_member(b, "leverage") : NULL;
  w->book_leverage = liq_scn_where_of(p, s ? s : b);
  s = NULL;
  if (e) {
    s = config_setting_get_member(e, sc->book.entry_mode == LIQ_ENTRY_HISTORY
                                     ? "lookback_steps" : "spread");
  }
  w->book_entry = liq_scn_where_of(p, s ? s : e ? e : b);
  g = config_setting_get_member(root, "impact");
  s = g ? config_setting_get_member(g, "model") : NULL;
  w->impact = liq_scn_where_of(p, s ? s : g);
}

static int validate_leverage(loader *p, const config_setting_t *g,
                            liq_book_params *bp) {
  static const char *const keys[] = {"values", "weights", NULL};
  static const num_range r_lev = {1.0, HUGE_VAL, 0, 0};
  const config_setting_t *s_values, *s_weights;
  double sum = 0.0;
  size_t i, n_weights;
  int rc;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  s_values = config_setting_get_member(g, "values");
  s_weights = config_setting_get_member(g, "weights");
  if (s_values == NULL) return liq_scn_missing(p, g, "values", " (e.g. [5.0, 10.0, 20.0])");
  rc = liq_scn_numbers_in(p, s_values, 1, LIQ_MAX_LEVERAGES, &r_lev, bp->leverage,
                 &bp->n_leverage);
  if (rc) return rc;
  if (s_weights == NULL) {                   /* equal weights */
    for (i = 0; i < bp->n_leverage; i++) bp->weights[i] = 1.0;
    sum = (double)bp->n_leverage;
  } else {
    rc = liq_scn_numbers_in(p, s_weights, 1, LIQ_MAX_LEVERAGES, &r_non_negative,
                   bp->weights, &n_weights);
    if (rc) return rc;
    if (n_weights != bp->n_leverage) {
      return liq_scn_bad_at2(p, s_weights, s_values,
                    "book.leverage.weights has %zu values but "
                    "book.leverage.values has %zu (one weight per leverage)",
                    n_weights, bp->n_leverage);
    }
    for (i = 0; i < n_weights; i++) sum += bp->weights[i];
    if (!(sum > 0.0)) {
      return liq_scn_bad_at(p, s_weights, "book.leverage.weights must not all be zero");
    }
    if (!isfinite(sum)) {
      return liq_scn_bad_at(p, s_weights, "book.leverage.weights must have a finite sum");
    }
  }
  for (i = 0; i < bp->n_leverage; i++) bp->weights[i] /= sum;
  return LIQ_OK;
}

static int validate_notional(loader *p, const config_setting_t *g,
                            liq_book_params *bp) {
  static const char *const dists[] = {"lognormal", "fixed", NULL};
  static const char *const lognormal[] = {"dist", "median", "sigma", NULL};
  static const char *const all[] = {"dist", "median", "sigma", NULL};
  static const num_range r_sigma = {0.0, 5.0, 0, 0};
  static const num_range r_median = {0.0, 1e12, 1, 0};
  const config_setting_t *s_dist;
  int rc, dist;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  s_dist = config_setting_get_member(g, "dist");
  if (s_dist == NULL) {
    if ((rc = liq_scn_check_keys(p, g, all, NULL)) != LIQ_OK) return rc;
    return liq_scn_missing(p, g, "dist", " (lognormal or fixed)");
  }
  if ((rc = liq_scn_choose_name(p, s_dist, dists, &dist)) != LIQ_OK) return rc;
  bp->notional_dist = dist == 0 ? LIQ_NOTIONAL_LOGNORMAL : LIQ_NOTIONAL_FIXED;
  rc = liq_scn_check_keys(p, g, dist == 0 ? lognormal : all, NULL);
  if (rc) return rc;
  if (dist != 0 && config_setting_get_member(g, "sigma") != NULL)
    liq_scn_warn_at(p, config_setting_get_member(g, "sigma"), "book.notional.sigma is "
            "not used when dist is fixed (only when dist is lognormal); ignored");
  rc = liq_scn_req_number(p, g, "median", " (median entry notional, quote currency)",
                 &r_median, &bp->notional_median);
  if (rc) return rc;
  bp->notional_sigma = 0.0;
  if (bp->notional_dist == LIQ_NOTIONAL_FIXED) return LIQ_OK;
  return liq_scn_req_number(p, g, "sigma", " for dist lognormal (sd of log notional)",
                   &r_sigma, &bp->notional_sigma);
}

/* book.entry.from names, in liq_entry_mode order. */
static const char *const entry_froms[] = {"spread", "history", NULL};

static const sel_key entry_keys[] = {
  {"from", ALL_USERS},
  {"spread", 1u << LIQ_ENTRY_SPREAD},
  {"lookback_steps", 1u << LIQ_ENTRY_HISTORY},
  {NULL, 0}};

static int validate_entry(loader *p, const config_setting_t *g,
                         liq_book_params *bp) {
  const config_setting_t *s;
  long long n;
  int rc, from = LIQ_ENTRY_SPREAD;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "from")) != NULL &&
      (rc = liq_scn_choose_name(p, s, entry_froms, &from)) != LIQ_OK) {
    return rc;
  }
  bp->entry_mode = from;
  rc = liq_scn_check_sel_keys(p, g, "from", entry_froms, from, entry_keys, NULL);
  if (rc) return rc;
  if (bp->entry_mode == LIQ_ENTRY_SPREAD) {
    return liq_scn_opt_number(p, g, "spread", &r_unit, &bp->entry_spread);
  }
  if ((s = config_setting_get_member(g, "lookback_steps")) == NULL) {
    return liq_scn_missing(p, g, "lookback_steps", " for from history (the number "
                   "of bars before the start in which positions open)");
  }
  if ((rc = liq_scn_integer_in(p, s, 1, INT_MAX, &n)) != LIQ_OK) return rc;
  bp->entry_lookback = (size_t)n;
  return LIQ_OK;
}

/* book.file: the generator's keys must be absent. */
static int validate_book_file(loader *p, const config_setting_t *g,
                            const config_setting_t *s_file,
                            liq_book_params *bp) {
  static const char *const generated[] = {"positions", "long_share",
                                            "leverage", "notional", "entry",
                                            "open_interest", "cap_response",
                                            NULL};
  int i, n = config_setting_length(g);
  for (i = 0; i < n; i++) {
    const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
    char path[PATH_BUF];
    if (!liq_scn_is_one_of(config_setting_name(m), generated)) continue;
    liq_scn_setting_path(m, path, sizeof path);
    return liq_scn_bad_at2(p, m, s_file, "%s comes from book.file (remove one of "
                  "them: a book is either read or generated)", path);
  }
  bp->positions = 0;           /* the file's row count, known when read */
  return resolve_file(p, s_file, bp->file, sizeof bp->file);
}

static int validate_book(loader *p, const config_setting_t *g,
                        liq_book_params *bp) {
  static const char *const keys[] = {"positions", "long_share", "leverage",
                                       "notional", "entry", "file",
                                       "open_interest", "cap_response", NULL};
  static const char *const cap_responses[] = {"notional", "collateral", NULL};
  static const num_range r_oi = {0.0, 1e15, 0, 0};   /* 0: off */
  const config_setting_t *s;
  long long n;
  int rc;
  bp->cap_response = LIQ_CAP_NOTIONAL;
  bp->long_share = 0.5;
  bp->entry_spread = 0.0;
  bp->entry_mode = LIQ_ENTRY_SPREAD;
  bp->entry_lookback = 0;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "file")) != NULL) {
    return validate_book_file(p, g, s, bp);
  }
  if ((s = config_setting_get_member(g, "positions")) == NULL) {
    return liq_scn_missing(p, g, "positions", " (number of positions, e.g. 100000; "
                   "or book.file)");
  }
  if ((rc = liq_scn_integer_in(p, s, 1, 100000000, &n)) != LIQ_OK) return rc;
  bp->positions = (size_t)n;
  if ((rc = liq_scn_opt_number(p, g, "long_share", &r_unit, &bp->long_share)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "leverage")) == NULL) {
    return liq_scn_missing(p, g, "leverage", " (leverage = { values = [...]; "
                   "weights = [...]; })");
  }
  if ((rc = validate_leverage(p, s, bp)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "notional")) == NULL) {
    return liq_scn_missing(p, g, "notional", " (notional = { dist = \"lognormal\"; "
                   "median = ...; sigma = ...; })");
  }
  if ((rc = validate_notional(p, s, bp)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "cap_response")) != NULL &&
      (rc = liq_scn_choose_name(p, s, cap_responses, &bp->cap_response)) != LIQ_OK) {
    return rc;
  }
  bp->open_interest = 0.0;
  if ((rc = liq_scn_opt_number(p, g, "open_interest", &r_oi, &bp->open_interest)) != LIQ_OK)
    return rc;
  if ((s = config_setting_get_member(g, "entry")) != NULL) {
    return validate_entry(p, s, bp);
  }
  return LIQ_OK;
}

/* The index of the first element of a[0..n) not above its predecessor,
** or 0 when a is strictly increasing. */
static size_t first_not_increasing(const double *a, size_t n) {
  size_t i;
  for (i = 1; i < n; i++) {
    if (!(a[i] > a[i - 1])) return i;
  }
  return 0;
}

/*
** margin.tiers: a list of 1..LIQ_MAX_TIERS brackets, floors from 0
** strictly up, max_leverage non-increasing, rates non-decreasing and below
** 1/max_leverage.  Amounts left out are computed for continuity.
*/
static int validate_tiers(loader *p, const config_setting_t *s,
                         liq_margin_params *mp) {
  static const char *const keys[] = {"floor", "max_leverage", "maintenance",
                                       "amount", NULL};
  static const num_range r_lev = {1.0, HUGE_VAL, 0, 0};
  int given[LIQ_MAX_TIERS];
  int i, n, rc;
  if (!config_setting_is_list(s)) {
    return liq_scn_bad_at(p, s, "margin.tiers must be a list of groups ( { floor = ...; "
                 "max_leverage = ...; maintenance = ...; }, ... ), got %s",
                 liq_scn_type_name(s));
  }
  n = config_setting_length(s);
  if (n < 1 || n > LIQ_MAX_TIERS) {
    return liq_scn_bad_at(p, s, "margin.tiers must have 1 to %d tiers, got %d",
                 LIQ_MAX_TIERS, n);
  }
  for (i = 0; i < n; i++) {
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    const config_setting_t *m;
    liq_tier *t = &mp->tiers[i];
    const liq_tier *prev = i > 0 ? &mp->tiers[i - 1] : NULL;
    char path[PATH_BUF];
    if ((rc = liq_scn_need_group(p, e)) != LIQ_OK) return rc;
    if ((rc = liq_scn_check_keys(p, e, keys, NULL)) != LIQ_OK) return rc;
    rc = liq_scn_req_number(p, e, "floor", " (notional floor of the bracket, quote "
                   "currency; the first is 0)", &r_non_negative, &t->floor);
    if (rc) return rc;
    m = config_setting_get_member(e, "floor");
    liq_scn_setting_path(m, path, sizeof path);
    if (prev == NULL && t->floor != 0.0) {
      return liq_scn_bad_at(p, m, "%s must be 0 (the first bracket starts at notional "
                   "0), got %s", path, liq_scn_num(t->floor).z);
    }
    if (prev && !(t->floor > prev->floor)) {
      return liq_scn_bad_at(p, m, "%s must be above margin.tiers[%d].floor (%s), got %s "
                   "(floors strictly increasing)", path, i - 1,
                   liq_scn_num(prev->floor).z, liq_scn_num(t->floor).z);
    }
    rc = liq_scn_req_number(p, e, "max_leverage", " (leverage cap of the bracket, "
                   ">= 1)", &r_lev, &t->max_leverage);
    if (rc) return rc;
    m = config_setting_get_member(e, "max_leverage");
    liq_scn_setting_path(m, path, sizeof path);
    if (prev && t->max_leverage > prev->max_leverage) {
      return liq_scn_bad_at(p, m, "%s must not be above margin.tiers[%d].max_leverage "
                   "(%s), got %s (caps non-increasing)", path, i - 1,
                   liq_scn_num(prev->max_leverage).z, liq_scn_num(t->max_leverage).z);
    }
    rc = liq_scn_req_number(p, e, "maintenance", " (maintenance margin rate of the "
                   "bracket)", &r_any, &t->maintenance);
    if (rc) return rc;
    m = config_setting_get_member(e, "maintenance");
    liq_scn_setting_path(m, path, sizeof path);
    if (!(t->maintenance > 0.0 && t->maintenance < 1.0 / t->max_leverage)) {
      return liq_scn_bad_at(p, m, "%s must be in (0, 1/max_leverage = %s), got %s",
                   path, liq_scn_num(1.0 / t->max_leverage).z, liq_scn_num(t->maintenance).z);
    }
    if (prev && t->maintenance < prev->maintenance) {
      return liq_scn_bad_at(p, m, "%s must not be below margin.tiers[%d].maintenance "
                   "(%s), got %s (rates non-decreasing)", path, i - 1,
                   liq_scn_num(prev->maintenance).z, liq_scn_num(t->maintenance).z);
    }
    given[i] = (m = config_setting_get_member(e, "amount")) != NULL;
    if (given[i] && (rc = liq_scn_number_in(p, m, &r_non_negative, &t->amount)) != 0) {
      return rc;
    }
  }
  mp->n_tiers = (size_t)n;
  liq_margin_complete_tiers(mp, given);
  for (i = 0; i < n; i++) {
    const liq_tier *t = &mp->tiers[i];
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    if (given[i] && t->amount > t->maintenance * t->floor) {
      const config_setting_t *m = config_setting_get_member(e, "amount");
      char path[PATH_BUF];
      liq_scn_setting_path(m, path, sizeof path);
      return liq_scn_bad_at(p, m, "%s must be <= maintenance * floor (%s) so that the "
                   "maintenance margin is not negative at the bracket's "
                   "floor, got %s", path,
                   liq_scn_num(t->maintenance * t->floor).z, liq_scn_num(t->amount).z);
    }
  }
  return LIQ_OK;
}

/* margin.partial.mode names, in liq_partial_mode order. */
static const char *const partial_modes[] = {"none", "restore", "chunk", NULL};

static const sel_key partial_keys[] = {
  {"mode", ALL_USERS},
  {"buffer", 1u << LIQ_PARTIAL_RESTORE},
  {"share", 1u << LIQ_PARTIAL_CHUNK},
  {"cooldown_steps", 1u << LIQ_PARTIAL_CHUNK},
  {NULL, 0}};

static int validate_partial(loader *p, const config_setting_t *g,
                           liq_margin_params *mp) {
  /* (0, 10]: with no buffer the rest would sit exactly on the line, and
  ** rounding would decide whether it is hit again. */
  static const num_range r_buffer = {0.0, 10.0, 1, 0};
  static const num_range r_share = {0.0, 1.0, 1, 0};
  const config_setting_t *s;
  long long n;
  int rc, mode;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "mode")) == NULL) {
    rc = liq_scn_check_sel_keys(p, g, "mode", partial_modes, -1, partial_keys, NULL);
    if (rc) return rc;
    return liq_scn_missing(p, g, "mode", " (none, restore or chunk)");
  }
  if ((rc = liq_scn_choose_name(p, s, partial_modes, &mode)) != LIQ_OK) {
    return rc;
  }
  mp->partial_mode = mode;
  rc = liq_scn_check_sel_keys(p, g, "mode", partial_modes, mode, partial_keys, NULL);
  if (rc) return rc;
  if (mode == LIQ_PARTIAL_RESTORE) {
    mp->partial_buffer = 0.1;
    return liq_scn_opt_number(p, g, "buffer", &r_buffer, &mp->partial_buffer);
  }
  if (mode != LIQ_PARTIAL_CHUNK) return LIQ_OK;
  rc = liq_scn_req_number(p, g, "share", " for mode chunk (share of the position "
                 "closed per liquidation, e.g. 0.25)", &r_share,
                 &mp->partial_share);
  if (rc) return rc;
  if ((s = config_setting_get_member(g, "cooldown_steps")) != NULL) {
    if ((rc = liq_scn_integer_in(p, s, 0, INT_MAX, &n)) != LIQ_OK) return rc;
    mp->partial_cooldown = (int)n;
  }
  return LIQ_OK;
}

static int validate_topup(loader *p, const config_setting_t *g,
                         liq_margin_params *mp) {
  static const char *const keys[] = {"share", "delay_steps", NULL};
  const config_setting_t *s;
  long long n;
  int rc;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  rc = liq_scn_req_number(p, g, "share", " (share of called traders who add "
                 "collateral back to the initial margin, e.g. 0.3)", &r_unit,
                 &mp->topup_share);
  if (rc) return rc;
  if ((s = config_setting_get_member(g, "delay_steps")) != NULL) {
    if ((rc = liq_scn_integer_in(p, s, 0, INT_MAX, &n)) != LIQ_OK) return rc;
    mp->topup_delay = (int)n;
  }
  return LIQ_OK;
}

/*
** margin.initial_from = { model = "ewma"; file = "..."; confidence = 0.99;
** horizon_bars = 24; [lookback_bars = ...; lambda = ...;] }: margin.initial
** is the model's long-side margin for the run's first bar, computed as
** `liqsim backtest` computes it, from the history's bars that closed by
** then (liq_backtest_margin_from_file()).  The run starts at price.from
** for a replay with a window, else at the replay file's first bar; a
** generated path starts after the history's last bar.  Errors about the
** history keep their FILE:LINE when they have a line, else they are placed
** at margin.initial_from.
*/
static int validate_initial_from(loader *p, const config_setting_t *g,
                                 const liq_price_params *price,
                                 liq_margin_params *mp) {
  static const char *const keys[] = {"model", "file", "confidence",
                                     "horizon_bars", "lookback_bars",
                                     "lambda", NULL};
  static const char *const models[] = {"hs", "ewma", "fhs", "garch", NULL};
  liq_initial_from *f = &mp->initial_from;
  liq_backtest_settings bs;
  const config_setting_t *s;
  const char *z = NULL;
  long long v;
  double m_short = 0.0;
  liq_err e;
  int rc;
  memset(f, 0, sizeof *f);
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "model")) == NULL) {
    return liq_scn_missing(p, g, "model", " (\"hs\", \"ewma\", \"fhs\" or \"garch\")");
  }
  if ((rc = liq_scn_string_of(p, s, &z)) != LIQ_OK) return rc;
  if (!liq_scn_is_one_of(z, models)) {
    return liq_scn_bad_at(p, s, "margin.initial_from.model must be \"hs\", \"ewma\", "
                  "\"fhs\" or \"garch\", got \"%s\"", z);
  }
  f->model = liq_bt_model_parse(z);
  if ((s = config_setting_get_member(g, "file")) == NULL) {
    return liq_scn_missing(p, g, "file", " (the price history the model runs on)");
  }
  if ((rc = resolve_file(p, s, f->file, sizeof f->file)) != LIQ_OK) return rc;
  f->confidence = 0.99;
  rc = liq_scn_opt_number(p, g, "confidence", &r_open_unit, &f->confidence);
  if (rc) return rc;
  f->lambda = 0.94;
  if ((rc = liq_scn_opt_number(p, g, "lambda", &r_open_unit, &f->lambda)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "horizon_bars")) != NULL) {
    if ((rc = liq_scn_integer_in(p, s, 1, LLONG_MAX / 16, &v)) != LIQ_OK) return rc;
    f->horizon_bars = (size_t)v;
  }
  if ((s = config_setting_get_member(g, "lookback_bars")) != NULL) {
    if ((rc = liq_scn_integer_in(p, s, 1, LLONG_MAX / 16, &v)) != LIQ_OK) return rc;
    f->lookback_bars = (size_t)v;
  }
  /* When the run starts. */
  f->at_ms = INT64_MAX;
  liq_err_clear(&e);
  if (price->model == LIQ_PRICE_REPLAY && price->has_from) {
    f->at_ms = price->from_ms;
  } else if (price->model == LIQ_PRICE_REPLAY) {
    liq_path *first = NULL;
    rc = liq_path_replay(price->file, 0, 0, 0, 0, 1, &first, &e);
    if (rc != LIQ_OK) {
      *p->err = e;
      return rc;
    }
    f->at_ms = first->t_ms[0];
    liq_path_free(first);
  }
  liq_backtest_defaults(&bs);
  bs.model = f->model;
  bs.confidence = f->confidence;
  bs.horizon_bars = f->horizon_bars;
  bs.lookback_bars = f->lookback_bars;
  bs.lambda = f->lambda;
  rc = liq_backtest_margin_from_file(f->file, &bs, f->at_ms, &mp->initial, &m_short, &e);
  if (rc != LIQ_OK) {
    if (e.line > 0) {
      *p->err = e;
      return rc;
    }
    return liq_scn_bad_at(p, g, "margin.initial_from: %s", e.msg);
  }
  if (!(mp->initial > 0.0 && mp->initial <= 1.0)) {
    return liq_scn_bad_at(p, g, "margin.initial_from gives a long margin of %s (no fall "
                  "in the history's windows?); margin.initial must be in (0, 1]",
                  liq_scn_num(mp->initial).z);
  }
  f->short_rate = m_short;
  f->present = 1;
  return LIQ_OK;
}

static int validate_margin(loader *p, const config_setting_t *g,
                          const liq_price_params *price,
                          liq_margin_params *mp) {
  static const char *const keys[] = {"initial", "initial_from", "maintenance",
                                       "call_level", "liquidation_fee", "tiers",
                                       "partial", "topup", NULL};
  static const num_range r_initial = {0.0, 1.0, 1, 0};
  static const num_range r_fee = {0.0, 0.1, 0, 0};
  const config_setting_t *s_init, *s_from, *s_maint, *s_call, *s_tiers, *s;
  const char *maint = "margin.maintenance";
  double lo;
  int rc;
  mp->n_tiers = 0;
  mp->partial_mode = LIQ_PARTIAL_NONE;
  mp->partial_buffer = 0.0;
  mp->partial_share = 0.0;
  mp->partial_cooldown = 0;
  mp->topup_share = 0.0;
  mp->topup_delay = 0;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  s_init = config_setting_get_member(g, "initial");
  s_maint = config_setting_get_member(g, "maintenance");
  s_call = config_setting_get_member(g, "call_level");
  s_tiers = config_setting_get_member(g, "tiers");
  s_from = config_setting_get_member(g, "initial_from");
  memset(&mp->initial_from, 0, sizeof mp->initial_from);
  if (s_init && s_from) {
    return liq_scn_bad_at2(p, s_from, s_init, "margin.initial_from and margin.initial "
                   "exclude each other (initial_from computes the initial rate)");
  }
  if (s_from) {
    if ((rc = validate_initial_from(p, s_from, price, mp)) != LIQ_OK) return rc;
    s_init = s_from;                    /* where later errors point */
  } else {
    if (s_init == NULL) {
      return liq_scn_missing(p, g, "initial", " (rate in (0, 1], e.g. 0.01; or "
                     "initial_from = { model = ...; file = ...; })");
    }
    if ((rc = liq_scn_number_in(p, s_init, &r_initial, &mp->initial)) != LIQ_OK) return rc;
  }
  if (s_tiers && s_maint) {
    return liq_scn_bad_at2(p, s_maint, s_tiers, "margin.maintenance and margin.tiers must "
                  "not both be set (tiers replace the flat maintenance rate)");
  }
  if (s_tiers) {
    if ((rc = validate_tiers(p, s_tiers, mp)) != LIQ_OK) return rc;
    /* The first tier's rate stands in for the flat rate below. */
    s_maint = config_setting_get_member(config_setting_get_elem(s_tiers, 0),
                                       "maintenance");
    maint = "margin.tiers[0].maintenance";
  } else if (s_maint == NULL) {
    return liq_scn_missing(p, g, "maintenance", " (rate in (0, margin.initial), "
                   "e.g. 0.005; or margin.tiers)");
  } else {
    if ((rc = liq_scn_number_in(p, s_maint, &r_any, &mp->maintenance)) != LIQ_OK) return rc;
    if (!(mp->maintenance > 0.0)) {
      return liq_scn_bad_at(p, s_maint, "margin.maintenance must be in (0, "
                   "margin.initial), got %s", liq_scn_num(mp->maintenance).z);
    }
  }
  if (!(mp->maintenance < mp->initial)) {
    return liq_scn_bad_at2(p, s_maint, s_init, "%s must be below margin.initial (%s), "
                  "got %s", maint, liq_scn_num(mp->initial).z,
                  liq_scn_num(mp->maintenance).z);
  }
  mp->call_level = 1.0;
  if (s_call && (rc = liq_scn_number_in(p, s_call, &r_any, &mp->call_level)) != LIQ_OK) {
    return rc;
  }
  lo = mp->maintenance / mp->initial;
  if (!(mp->call_level >= lo)) {
    return liq_scn_bad_at2(p, s_call ? s_call : g, s_call ? s_maint : NULL,
                  "margin.call_level must be >= %s / margin.initial (%s), "
                  "got %s", maint, liq_scn_num(lo).z, liq_scn_num(mp->call_level).z);
  }
  if (!(mp->call_level * mp->initial <= 1.0)) {
    return liq_scn_bad_at2(p, s_call ? s_call : g, s_init,
                  "margin.call_level * margin.initial must be <= 1 (a call "
                  "level above the whole notional), got %s",
                  liq_scn_num(mp->call_level * mp->initial).z);
  }
  mp->liquidation_fee = 0.0;
  rc = liq_scn_opt_number(p, g, "liquidation_fee", &r_fee, &mp->liquidation_fee);
  if (rc) return rc;
  if ((s = config_setting_get_member(g, "partial")) != NULL &&
      (rc = validate_partial(p, s, mp)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "topup")) != NULL) {
    return validate_topup(p, s, mp);
  }
  return LIQ_OK;
}

/* impact.model names, in liq_impact_model order. */
static const char *const impact_models[] = {"none", "linear", "sqrt", "depth",
                                             NULL};

#define I_LINEAR (1u << LIQ_IMPACT_LINEAR)
#define I_SQRT   (1u << LIQ_IMPACT_SQRT)
#define I_DEPTH  (1u << LIQ_IMPACT_DEPTH)

static const sel_key impact_keys[] = {
  {"model", ALL_USERS},
  {"daily_volume", I_LINEAR | I_SQRT | I_DEPTH},
  {"coefficient", I_LINEAR | I_SQRT},
  {"daily_volatility", I_SQRT},
  {"depth", I_DEPTH},
  {"depth_file", I_DEPTH},
  {"max_rounds", ALL_USERS},
  {"half_life_seconds", I_LINEAR | I_SQRT | I_DEPTH},
  {"permanent", I_LINEAR | I_SQRT | I_DEPTH},
  {NULL, 0}};

/* impact.half_life_seconds: a number of seconds > 0, or "inf" (no decay,
** the default). */
static int validate_half_life(loader *p, const config_setting_t *g, double *pr) {
  const config_setting_t *s = config_setting_get_member(g, "half_life_seconds");
  char path[PATH_BUF];
  int rc;
  *pr = INFINITY;
  if (s == NULL) return LIQ_OK;
  liq_scn_setting_path(s, path, sizeof path);
  if (config_setting_type(s) == CONFIG_TYPE_STRING) {
    const char *z = config_setting_get_string(s);
    if (strcmp(z, "inf") == 0) return LIQ_OK;
    return liq_scn_bad_at(p, s, "%s must be a number of seconds > 0 or \"inf\" (no "
                  "decay), got \"%s\"", path, z);
  }
  if ((rc = liq_scn_number_in(p, s, &r_non_negative, pr)) != LIQ_OK) return rc;
  if (*pr == 0.0) {
    return liq_scn_bad_at(p, s, "%s must be > 0, or \"inf\" for no decay (0 used to "
                  "mean permanent impact: write \"inf\")", path);
  }
  return LIQ_OK;
}

static const num_range r_depth_pct = {0.0, 100.0, 1, 1};   /* (0, 100) */

/* impact.depth = { pct = [...]; bid = [...]; ask = [...]; } */
static int validate_depth(loader *p, const config_setting_t *g,
                         liq_impact_params *ip) {
  static const char *const keys[] = {"pct", "bid", "ask", NULL};
  static const char *const why[] = {
    " (percent distances from the price, increasing, e.g. [0.1, 0.5, 1.0])",
    " (cumulative bid notional within each pct, increasing)",
    " (cumulative ask notional within each pct, increasing)"};
  double *cols[3];
  const config_setting_t *col_settings[3];
  size_t col_counts[3];
  int rc, c;
  cols[0] = ip->depth_pct;
  cols[1] = ip->depth_bid;
  cols[2] = ip->depth_ask;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  for (c = 0; c < 3; c++) {
    size_t i;
    if ((col_settings[c] = config_setting_get_member(g, keys[c])) == NULL) {
      return liq_scn_missing(p, g, keys[c], why[c]);
    }
    rc = liq_scn_numbers_in(p, col_settings[c], 1, LIQ_MAX_DEPTH, c == 0 ? &r_depth_pct : &r_positive,
                   cols[c], &col_counts[c]);
    if (rc) return rc;
    if (c > 0 && col_counts[c] != col_counts[0]) {
      return liq_scn_bad_at2(p, col_settings[c], col_settings[0], "impact.depth.%s has %zu values but "
                    "impact.depth.pct has %zu (one notional per pct)",
                    keys[c], col_counts[c], col_counts[0]);
    }
    if ((i = first_not_increasing(cols[c], col_counts[c])) != 0) {
      const config_setting_t *e = config_setting_get_elem(col_settings[c], (unsigned)i);
      return liq_scn_bad_at(p, e, "impact.depth.%s must be strictly increasing, but "
                   "impact.depth.%s[%zu] = %s follows %s", keys[c],
                   keys[c], i, liq_scn_num(cols[c][i]).z, liq_scn_num(cols[c][i - 1]).z);
    }
  }
  ip->n_depth = col_counts[0];
  return LIQ_OK;
}


/*
** impact.depth_file: a CSV of rows pct,bid,ask (an optional header row
** "pct,bid,ask" first; blank lines and lines starting with '#' are
** skipped), with the rules of impact.depth.  Errors are located at the
** CSV's FILE:LINE.
*/
/* Reading impact.depth_file: one depth point per row after the header. */
typedef struct depth_reader {
  const char *file;
  liq_impact_params *ip;
  size_t n;                   /* points read */
} depth_reader;

static int depth_point(depth_reader *d, int line, char **field, liq_err *err);

/* One row of the depth file (see csv_int.h): the header or a point. */
static int on_depth_row(void *ctx, const liq_csv_row *row, liq_err *err) {
  depth_reader *d = ctx;
  const char *file = d->file;
  int line = (int)row->line, c, rc;
  char *field[3], *copy;
  size_t n_all = 0;
  if (row->n != 3) {
    return liq_errf(err, LIQ_INPUT, file, line, "expected 3 fields "
                    "pct,bid,ask, got %s", row->n > 3 ? "more" : row->n == 2
                    ? "2" : "1");
  }
  for (c = 0; c < 3; c++) n_all += row->len[c] + 1;
  if ((copy = malloc(n_all)) == NULL) {
    return liq_errf(err, LIQ_NOMEM, file, line, "out of memory");
  }
  for (c = 0, n_all = 0; c < 3; c++) {
    memcpy(copy + n_all, row->field[c], row->len[c] + 1);
    field[c] = liq_scn_trim(copy + n_all);
    n_all += row->len[c] + 1;
  }
  rc = depth_point(d, line, field, err);
  free(copy);
  return rc;
}

/* The header or one depth point, its fields trimmed. */
static int depth_point(depth_reader *d, int line, char **field, liq_err *err) {
  static const char *const col[] = {"pct", "bid", "ask"};
  liq_impact_params *ip = d->ip;
  const char *file = d->file;
  int c;
  double values[3];
  size_t n = d->n;
  if (n == 0 && liq_scn_equals_no_case(field[0], "pct") &&
      liq_scn_equals_no_case(field[1], "bid") && liq_scn_equals_no_case(field[2], "ask")) {
    return LIQ_OK;               /* the header */
  }
  for (c = 0; c < 3; c++) {
    char *end;
    const num_range *r = c == 0 ? &r_depth_pct : &r_positive;
    errno = 0;
    values[c] = strtod(field[c], &end);
    if (field[c][0] == '\0' || *end != '\0') {
      return liq_errf(err, LIQ_INPUT, file, line, "%s \"%s\" is not a "
                      "number%s", col[c], field[c], n == 0 && c == 0
                      ? " (the header, if any, must be pct,bid,ask)" : "");
    } else if (!isfinite(values[c])) {
      return liq_errf(err, LIQ_INPUT, file, line, "%s must be finite, "
                      "got %s", col[c], field[c]);
    } else if (!(r->lo_open ? values[c] > r->lo : values[c] >= r->lo) ||
               !(r->hi_open ? values[c] < r->hi : values[c] <= r->hi)) {
      return liq_errf(err, LIQ_INPUT, file, line, c == 0
                      ? "%s must be in (0, 100), got %s"
                      : "%s must be > 0, got %s", col[c], liq_scn_num(values[c]).z);
    } else if (n > 0) {
      const double *prev = c == 0 ? ip->depth_pct : c == 1 ? ip->depth_bid
                                                            : ip->depth_ask;
      if (!(values[c] > prev[n - 1])) {
        return liq_errf(err, LIQ_INPUT, file, line, "%s must be strictly "
                        "increasing, but %s follows %s", col[c],
                        liq_scn_num(values[c]).z, liq_scn_num(prev[n - 1]).z);
      }
    }
  }
  if (n == LIQ_MAX_DEPTH) {
    return liq_errf(err, LIQ_INPUT, file, line, "too many depth points "
                    "(at most %d)", LIQ_MAX_DEPTH);
  }
  ip->depth_pct[n] = values[0];
  ip->depth_bid[n] = values[1];
  ip->depth_ask[n] = values[2];
  d->n = n + 1;
  return LIQ_OK;
}

static int read_depth_file(loader *p, const config_setting_t *s,
                         liq_impact_params *ip) {
  char file[LIQ_PATH_MAX];
  depth_reader d;
  int rc;
  FILE *f;
  if ((rc = resolve_file(p, s, file, sizeof file)) != LIQ_OK) return rc;
  if ((f = fopen(file, "rb")) == NULL) {
    return liq_scn_bad_at(p, s, "impact.depth_file \"%s\" cannot be opened: %s", file,
                 strerror(errno));
  }
  d.file = file;
  d.ip = ip;
  d.n = 0;
  rc = liq_csv_read(f, file, "depth file", LIQ_CSV_COMMENTS, on_depth_row, &d,
                    p->err);
  fclose(f);
  if (rc == LIQ_OK && d.n == 0) {
    rc = liq_scn_bad_at(p, s, "impact.depth_file \"%s\" has no depth points (expected "
               "rows pct,bid,ask)", file);
  }
  ip->n_depth = d.n;
  return rc;
}

static int validate_impact(loader *p, const config_setting_t *g,
                          liq_impact_params *ip) {
  const config_setting_t *s, *s_file;
  long long n;
  int rc, model;
  ip->model = LIQ_IMPACT_NONE;
  ip->daily_volume = 0.0;
  ip->coefficient = 0.0;
  ip->daily_volatility = NAN;
  ip->max_rounds = 100;
  ip->half_life_seconds = INFINITY;
  ip->permanent = 0.0;
  ip->n_depth = 0;
  if (g == NULL) return LIQ_OK;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "model")) == NULL) {
    rc = liq_scn_check_sel_keys(p, g, "model", impact_models, -1, impact_keys, NULL);
    if (rc) return rc;
    return liq_scn_missing(p, g, "model", " (none, linear, sqrt or depth)");
  }
  if ((rc = liq_scn_choose_name(p, s, impact_models, &model)) != LIQ_OK) {
    return rc;
  }
  ip->model = model;          /* impact_models is in liq_impact_model order */
  rc = liq_scn_check_sel_keys(p, g, "model", impact_models, model, impact_keys, NULL);
  if (rc) return rc;
  if ((s = config_setting_get_member(g, "max_rounds")) != NULL) {
    if ((rc = liq_scn_integer_in(p, s, 1, 100000, &n)) != LIQ_OK) return rc;
    ip->max_rounds = (int)n;
  }
  rc = validate_half_life(p, g, &ip->half_life_seconds);
  if (rc || ip->model == LIQ_IMPACT_NONE) return rc;
  rc = liq_scn_opt_number(p, g, "permanent", &r_non_negative, &ip->permanent);
  if (rc) return rc;
  if (ip->model == LIQ_IMPACT_DEPTH) {
    rc = liq_scn_opt_number(p, g, "daily_volume", &r_positive, &ip->daily_volume);
    if (rc) return rc;
    if (ip->permanent > 0.0 && ip->daily_volume == 0.0) {
      return liq_scn_missing(p, g, "daily_volume", " for impact.permanent (the "
                     "permanent part is permanent * flow / daily_volume)");
    }
    s = config_setting_get_member(g, "depth");
    s_file = config_setting_get_member(g, "depth_file");
    if (s && s_file) {
      return liq_scn_bad_at2(p, s_file, s, "impact.depth and impact.depth_file exclude "
                    "each other (give the curve inline or in a file)");
    }
    if (s_file) return read_depth_file(p, s_file, ip);
    if (s == NULL) {
      return liq_scn_missing(p, g, "depth", " for model depth (depth = { pct = "
                     "[...]; bid = [...]; ask = [...]; } or depth_file = "
                     "\"depth.csv\")");
    }
    return validate_depth(p, s, ip);
  }
  rc = liq_scn_req_number(p, g, "daily_volume", ip->model == LIQ_IMPACT_LINEAR
                 ? " for model linear (quote notional per day)"
                 : " for model sqrt (quote notional per day)",
                 &r_positive, &ip->daily_volume);
  if (rc) return rc;
  rc = liq_scn_req_number(p, g, "coefficient", ip->model == LIQ_IMPACT_LINEAR
                 ? " for model linear (k)" : " for model sqrt (Y, about 0.5-1)",
                 &r_non_negative, &ip->coefficient);
  if (rc) return rc;
  return liq_scn_opt_number(p, g, "daily_volatility", &r_positive, &ip->daily_volatility);
}

/* insurance.policy names, in liq_insurance_policy order. */
static const char *const policies[] = {"none", "adl-ranked", "adl-prorata",
                                         "socialize", NULL};

static int validate_insurance(loader *p, const config_setting_t *g,
                             liq_insurance_params *ins) {
  static const char *const keys[] = {"fund", "policy", NULL};
  const config_setting_t *s;
  int rc, policy;
  ins->fund = 0.0;
  ins->policy = LIQ_POLICY_NONE;
  if (g == NULL) return LIQ_OK;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  if ((rc = liq_scn_opt_number(p, g, "fund", &r_non_negative, &ins->fund)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "policy")) != NULL) {
    if ((rc = liq_scn_choose_name(p, s, policies, &policy)) != LIQ_OK) return rc;
    ins->policy = policy;     /* policies is in liq_insurance_policy order */
  }
  return LIQ_OK;
}

/* funding: a constant rate per interval, or a file of payments (replay). */
static int validate_funding(loader *p, const config_setting_t *g,
                           const liq_price_params *pp,
                           liq_funding_params *fp) {
  static const char *const keys[] = {"rate", "interval_seconds", "file",
                                       NULL};
  static const num_range r_rate = {-0.1, 0.1, 1, 1};
  const config_setting_t *s_rate, *s_file, *s_interval;
  int rc;
  fp->mode = LIQ_FUNDING_NONE;
  fp->rate = 0.0;
  fp->interval_seconds = 28800.0;
  fp->file[0] = '\0';
  fp->events = NULL;
  fp->n_events = 0;
  if (g == NULL) return LIQ_OK;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  s_rate = config_setting_get_member(g, "rate");
  s_file = config_setting_get_member(g, "file");
  s_interval = config_setting_get_member(g, "interval_seconds");
  if (s_rate && s_file) {
    return liq_scn_bad_at2(p, s_file, s_rate, "funding.rate and funding.file exclude "
                  "each other (a constant rate, or payments from a file)");
  }
  if (s_file) {
    if (s_interval) {
      return liq_scn_bad_at(p, s_interval, "funding.interval_seconds is only used with "
                   "funding.rate (the file gives each payment's time)");
    }
    if (pp->model != LIQ_PRICE_REPLAY) {
      return liq_scn_bad_at(p, s_file, "funding.file needs a replay price path "
                   "(price.model is %s; use funding.rate)",
                   price_models[pp->model]);
    }
    if ((rc = resolve_file(p, s_file, fp->file, sizeof fp->file)) != LIQ_OK) {
      return rc;
    }
    fp->mode = LIQ_FUNDING_FILE;
    /* Read once, here: every run of the scenario places these payments. */
    return liq_funding_read(fp->file, &fp->events, &fp->n_events, p->err);
  }
  if (s_rate == NULL) {
    return liq_scn_missing(p, g, "rate", " (funding = { rate = 0.0001; } per "
                   "interval, or { file = \"funding.csv\"; })");
  }
  if ((rc = liq_scn_number_in(p, s_rate, &r_rate, &fp->rate)) != LIQ_OK) return rc;
  fp->mode = LIQ_FUNDING_CONSTANT;
  {
    /* One second to a century: funding events are placed in milliseconds. */
    static const num_range r_interval = {1.0, 3.2e9, 0, 0};
    return liq_scn_opt_number(p, g, "interval_seconds", &r_interval, &fp->interval_seconds);
  }
}

static int validate_quantiles(loader *p, const config_setting_t *s,
                             liq_stats_params *st) {
  char path[PATH_BUF], a_text[32], b_text[32];
  size_t i;
  int rc = liq_scn_numbers_in(p, s, 0, LIQ_MAX_QUANTILES, &r_open_unit, st->quantiles,
                     &st->n_quantiles);
  if (rc) return rc;
  for (i = 1; i < st->n_quantiles; i++) {
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    liq_scn_setting_path(e, path, sizeof path);
    if (!(st->quantiles[i] > st->quantiles[i - 1])) {
      return liq_scn_bad_at(p, e, "stats.quantiles must be strictly increasing, but "
                   "%s = %s follows %s", path, liq_scn_num(st->quantiles[i]).z,
                   liq_scn_num(st->quantiles[i - 1]).z);
    }
    liq_quantile_label(st->quantiles[i - 1], a_text, sizeof a_text);
    liq_quantile_label(st->quantiles[i], b_text, sizeof b_text);
    if (strcmp(a_text, b_text) == 0) {
      return liq_scn_bad_at(p, e, "%s = %s has the same column name (cushion_%s) as "
                   "%s (quantiles need distinct labels to 0.0001 %%)", path,
                   liq_scn_num(st->quantiles[i]).z, b_text, liq_scn_num(st->quantiles[i - 1]).z);
    }
  }
  return LIQ_OK;
}

static int validate_stats(loader *p, const config_setting_t *g,
                         liq_stats_params *st) {
  static const char *const keys[] = {"quantiles", "every", "steps",
                                       "events", "counterfactual", "positions",
                                       NULL};
  static const double default_values[] = {0.01, 0.05, 0.25, 0.5};
  const config_setting_t *s;
  long long n;
  int rc;
  st->n_quantiles = sizeof default_values / sizeof default_values[0];
  memcpy(st->quantiles, default_values, sizeof default_values);
  st->every = 1;
  st->steps = 1;
  st->events = 1;
  st->counterfactual = 0;
  st->positions = -1;
  if (g == NULL) return LIQ_OK;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "quantiles")) != NULL &&
      (rc = validate_quantiles(p, s, st)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "every")) != NULL) {
    if ((rc = liq_scn_integer_in(p, s, 1, INT_MAX, &n)) != LIQ_OK) return rc;
    st->every = (int)n;
  }
  if ((s = config_setting_get_member(g, "steps")) != NULL &&
      (rc = liq_scn_bool_of(p, s, &st->steps)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "events")) != NULL &&
      (rc = liq_scn_bool_of(p, s, &st->events)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "counterfactual")) != NULL &&
      (rc = liq_scn_bool_of(p, s, &st->counterfactual)) != LIQ_OK) {
    return rc;
  }
  if ((s = config_setting_get_member(g, "positions")) != NULL &&
      (rc = liq_scn_bool_of(p, s, &st->positions)) != LIQ_OK) {
    return rc;
  }
  return LIQ_OK;
}

/* The numeric scalars a sweep grid or a calibration may vary; is_int: the
** key takes whole numbers only. */
typedef struct numeric_key {
  const char *key;
  int is_int;
} numeric_key;

static const numeric_key numeric_keys[] = {
  {"seed", 1}, {"steps", 1}, {"step_seconds", 0},
  {"price.start", 0}, {"price.drift", 0}, {"price.volatility", 0},
  {"price.intensity", 0}, {"price.jump_mean", 0}, {"price.jump_sd", 0},
  {"price.mu", 0}, {"price.omega", 0}, {"price.alpha", 0},
  {"price.beta", 0}, {"price.nu", 0}, {"price.variance0", 0},
  {"price.block", 0}, {"price.substeps", 1},
  {"book.positions", 1}, {"book.long_share", 0}, {"book.notional.median", 0},
  {"book.open_interest", 0},
  {"book.notional.sigma", 0}, {"book.entry.spread", 0},
  {"book.entry.lookback_steps", 1},
  {"margin.initial", 0}, {"margin.maintenance", 0}, {"margin.call_level", 0},
  {"margin.liquidation_fee", 0},
  {"margin.partial.buffer", 0}, {"margin.partial.share", 0},
  {"margin.partial.cooldown_steps", 1},
  {"margin.topup.share", 0}, {"margin.topup.delay_steps", 1},
  {"funding.rate", 0}, {"funding.interval_seconds", 0},
  {"impact.daily_volume", 0}, {"impact.coefficient", 0},
  {"impact.daily_volatility", 0}, {"impact.max_rounds", 1},
  {"impact.half_life_seconds", 0}, {"impact.permanent", 0},
  {"insurance.fund", 0}, {"stats.every", 1},
  {NULL, 0}};

static const numeric_key *find_numeric_key(const char *key) {
  const numeric_key *k;
  for (k = numeric_keys; key && k->key; k++) {
    if (strcmp(k->key, key) == 0) return k;
  }
  return NULL;
}

int liq_scenario_is_sweep_key(const char *key) {
  return find_numeric_key(key) != NULL;
}

/* The model and policy names a sweep grid may vary; the point's scenario
** validates the name. */
static const char *const categorical_keys[] = {
  "impact.model", "insurance.policy", "price.model", "margin.partial.mode",
  "book.cap_response", NULL};

int liq_scenario_is_categorical_key(const char *key) {
  size_t i;
  for (i = 0; key && categorical_keys[i]; i++)
    if (strcmp(categorical_keys[i], key) == 0) return 1;
  return 0;
}

/* values = ["none", "sqrt"] of a categorical axis: names only, each a
** --set value (the point scenario checks it is one of the key's names). */
static int grid_names(loader *p, const config_setting_t *e,
                      const config_setting_t *s_values, liq_sweep_axis *ax) {
  char path[PATH_BUF];
  int i, n;
  if (s_values == NULL)
    return liq_scn_missing(p, e, "values", " (values = [\"none\", \"sqrt\"];)");
  liq_scn_setting_path(s_values, path, sizeof path);
  if (!config_setting_is_array(s_values) && !config_setting_is_list(s_values))
    return liq_scn_bad_at(p, s_values, "%s must be a list of names such as [\"none\", "
                  "\"sqrt\"], got %s", path, liq_scn_type_name(s_values));
  n = config_setting_length(s_values);
  if (n < 1 || n > LIQ_MAX_AXIS_NAMES)
    return liq_scn_bad_at(p, s_values, "%s has %d names, 1 to %d", path, n,
                  LIQ_MAX_AXIS_NAMES);
  for (i = 0; i < n; i++) {
    const config_setting_t *v = config_setting_get_elem(s_values, (unsigned)i);
    const char *z = NULL;
    int rc = liq_scn_string_of(p, v, &z);
    if (rc) return rc;
    if (strlen(z) >= sizeof ax->names[0] || strpbrk(z, "\"\\=") != NULL)
      return liq_scn_bad_at(p, v, "%s[%d] \"%s\" is not a model or policy name", path,
                    i, z);
    snprintf(ax->names[i], sizeof ax->names[i], "%s", z);
  }
  ax->n_values = (size_t)n;
  ax->categorical = 1;
  return LIQ_OK;
}

/* A string naming one of numeric_keys. */
static int numeric_key_of(loader *p, const config_setting_t *s,
                        const numeric_key **pk) {
  char path[PATH_BUF];
  const char *z = NULL;
  int rc = liq_scn_string_of(p, s, &z);
  if (rc) return rc;
  if ((*pk = find_numeric_key(z)) != NULL) return LIQ_OK;
  liq_scn_setting_path(s, path, sizeof path);
  return liq_scn_bad_at(p, s, "%s \"%s\" is not a numeric scenario key (expected a "
               "--set path such as \"margin.initial\" or \"book.positions\")",
               path, z);
}

/* 'v' rounded to 15 significant digits: 0.1 + 2 * 0.1 gives 0.3. */
static double round15(double v) {
  char z[40];
  snprintf(z, sizeof z, "%.15g", v);
  return strtod(z, NULL);
}

/* A value of an integer key must be whole. */
static int whole_for(loader *p, const config_setting_t *s, const numeric_key *k,
                    double v) {
  char path[PATH_BUF];
  if (!k->is_int || v == floor(v)) return LIQ_OK;
  liq_scn_setting_path(s, path, sizeof path);
  return liq_scn_bad_at(p, s, "%s must be a whole number (%s takes integers), got %s",
               path, k->key, liq_scn_num(v).z);
}

/* range = [from, to, step]: from, from + step, ... up to to (inclusive,
** with a tolerance of 1e-9 steps). */
static int expand_range(loader *p, const config_setting_t *s,
                       const numeric_key *k, liq_sweep_axis *ax) {
  char path[PATH_BUF];
  double a[3], count;
  size_t n, i;
  int rc;
  liq_scn_setting_path(s, path, sizeof path);
  if ((!config_setting_is_array(s) && !config_setting_is_list(s)) ||
      config_setting_length(s) != 3) {
    return liq_scn_bad_at(p, s, "%s must be [from, to, step], got %s", path,
                 config_setting_is_array(s) || config_setting_is_list(s)
                 ? "another number of values" : liq_scn_type_name(s));
  }
  for (i = 0; i < 3; i++) {
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    if ((rc = liq_scn_number_in(p, e, &r_any, &a[i])) != LIQ_OK) return rc;
    if (i != 1 && (rc = whole_for(p, e, k, a[i])) != LIQ_OK) return rc;
  }
  if (!(a[2] > 0.0)) {
    return liq_scn_bad_at(p, config_setting_get_elem(s, 2), "%s step must be > 0, got "
                 "%s", path, liq_scn_num(a[2]).z);
  }
  if (!(a[0] <= a[1])) {
    return liq_scn_bad_at(p, s, "%s from (%s) must not be above to (%s)", path,
                 liq_scn_num(a[0]).z, liq_scn_num(a[1]).z);
  }
  count = floor((a[1] - a[0]) / a[2] + 1e-9) + 1.0;
  if (!(count <= (double)LIQ_MAX_AXIS_VALUES)) {
    return liq_scn_bad_at(p, s, "%s gives %s values, at most %d per axis", path,
                 liq_scn_num(count).z, LIQ_MAX_AXIS_VALUES);
  }
  n = (size_t)count;
  for (i = 0; i < n; i++) ax->values[i] = round15(a[0] + (double)i * a[2]);
  ax->n_values = n;
  return LIQ_OK;
}

/* values = [...] of a numeric axis.  impact.half_life_seconds also takes
** "inf" (no decay), in a list since arrays hold one type: (60.0, "inf"). */
static int grid_values(loader *p, const config_setting_t *s_values,
                       const numeric_key *k, liq_sweep_axis *ax) {
  char path[PATH_BUF];
  int i, n, rc;
  if (strcmp(k->key, "impact.half_life_seconds") != 0 ||
      (!config_setting_is_array(s_values) && !config_setting_is_list(s_values)))
    return liq_scn_numbers_in(p, s_values, 1, LIQ_MAX_AXIS_VALUES, &r_any, ax->values,
                              &ax->n_values);
  n = config_setting_length(s_values);
  if (n < 1 || n > LIQ_MAX_AXIS_VALUES) {
    liq_scn_setting_path(s_values, path, sizeof path);
    return liq_scn_bad_at(p, s_values, "%s must have %d to %d values, got %d", path, 1,
                          LIQ_MAX_AXIS_VALUES, n);
  }
  for (i = 0; i < n; i++) {
    const config_setting_t *v = config_setting_get_elem(s_values, (unsigned)i);
    if (config_setting_type(v) == CONFIG_TYPE_STRING) {
      if (strcmp(config_setting_get_string(v), "inf") != 0) {
        liq_scn_setting_path(v, path, sizeof path);
        return liq_scn_bad_at(p, v, "%s must be a number of seconds or \"inf\", got "
                              "\"%s\"", path, config_setting_get_string(v));
      }
      ax->values[i] = INFINITY;
    } else if ((rc = liq_scn_number_in(p, v, &r_any, &ax->values[i])) != LIQ_OK) {
      return rc;
    }
  }
  ax->n_values = (size_t)n;
  return LIQ_OK;
}

/* One grid entry: { key = "..."; values = [...]; } or { key; range; }. */
static int validate_grid_entry(loader *p, const config_setting_t *e,
                             liq_sweep_axis *ax) {
  static const char *const keys[] = {"key", "values", "range", NULL};
  const config_setting_t *s, *s_values, *s_range;
  const numeric_key *k;
  size_t i;
  int rc;
  if ((rc = liq_scn_need_group(p, e)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, e, keys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(e, "key")) == NULL) {
    return liq_scn_missing(p, e, "key", " (e.g. \"margin.initial\")");
  }
  {
    const char *z = NULL;
    if (config_setting_type(s) == CONFIG_TYPE_STRING &&
        (z = config_setting_get_string(s)) != NULL &&
        liq_scenario_is_categorical_key(z)) {
      snprintf(ax->key, sizeof ax->key, "%s", z);
      if (config_setting_get_member(e, "range") != NULL)
        return liq_scn_bad_at(p, config_setting_get_member(e, "range"), "%s is a model "
                      "or policy name: give values = [\"...\", ...], not a range", z);
      return grid_names(p, e, config_setting_get_member(e, "values"), ax);
    }
    if (z != NULL && find_numeric_key(z) == NULL) {
      char path[PATH_BUF];
      liq_scn_setting_path(s, path, sizeof path);
      return liq_scn_bad_at(p, s, "%s \"%s\" is not a sweep key (expected a numeric "
                    "--set path such as \"margin.initial\", or a model or "
                    "policy: impact.model, insurance.policy, price.model, "
                    "margin.partial.mode, book.cap_response)", path, z);
    }
  }
  if ((rc = numeric_key_of(p, s, &k)) != LIQ_OK) return rc;
  snprintf(ax->key, sizeof ax->key, "%s", k->key);
  s_values = config_setting_get_member(e, "values");
  s_range = config_setting_get_member(e, "range");
  if (s_values && s_range) {
    char path[PATH_BUF];
    liq_scn_setting_path(e, path, sizeof path);
    return liq_scn_bad_at(p, s_range, "%s takes values or range, not both", path);
  }
  if (s_range) return expand_range(p, s_range, k, ax);
  if (s_values == NULL) {
    return liq_scn_missing(p, e, "values", " (values = [0.01, 0.02]; or range = "
                   "[from, to, step];)");
  }
  rc = grid_values(p, s_values, k, ax);
  if (rc) return rc;
  for (i = 0; i < ax->n_values; i++) {
    rc = whole_for(p, config_setting_get_elem(s_values, (unsigned)i), k,
                  ax->values[i]);
    if (rc) return rc;
  }
  return LIQ_OK;
}

/* At most LIQ_SWEEP_MAX_TASKS tasks (grid points x replicates), the
** sweep's own cap, so that `check` and `sweep` agree and the error has a
** line (the cap used to be 10^8 here: `check` passed a sweep of 3 x 10^6
** tasks that `sweep` then refused without a line). */
#define LIQ_MAX_SWEEP_TASKS ((double)LIQ_SWEEP_MAX_TASKS)
static int check_sweep_size(loader *p, const config_setting_t *g,
                          const liq_sweep_params *sw) {
  double points = 1.0;
  size_t i;
  if (sw->zip && sw->n_axes > 0) points = (double)sw->axes[0].n_values;
  else for (i = 0; i < sw->n_axes; i++) points *= (double)sw->axes[i].n_values;
  if (points * (double)sw->replicates > LIQ_MAX_SWEEP_TASKS)
    /* at the sweep section, or at --set sweep.replicates=N when that set it */
    return liq_scn_bad_at2(p, g, config_setting_get_member(g, "replicates"), "sweep has %.0f grid points x %zu replicates = %.0f tasks, "
                 "at most %.0f (split the sweep into several scenarios)", points,
                 sw->replicates, points * (double)sw->replicates, LIQ_MAX_SWEEP_TASKS);
  return LIQ_OK;
}

/*
** sweep: replicates, mode and the grid's axes.  Each value is checked for
** its type only; the sweep loads the scenario with each grid point as
** --set overrides, which validates it fully.
*/
static int validate_sweep(loader *p, const config_setting_t *g,
                         liq_sweep_params *sw) {
  static const char *const keys[] = {"replicates", "grid", "mode", NULL};
  static const char *const modes[] = {"product", "zip", NULL};
  const config_setting_t *s, *s_grid;
  long long n;
  int rc, i, mode = 0, n_axes;
  memset(sw, 0, sizeof *sw);
  sw->replicates = 1;
  if (g == NULL) return LIQ_OK;
  sw->present = 1;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "replicates")) != NULL) {
    if ((rc = liq_scn_integer_in(p, s, 1, INT_MAX, &n)) != LIQ_OK) return rc;
    sw->replicates = (size_t)n;
  }
  if ((s = config_setting_get_member(g, "mode")) != NULL &&
      (rc = liq_scn_choose_name(p, s, modes, &mode)) != LIQ_OK) {
    return rc;
  }
  sw->zip = mode == 1;
  if ((s_grid = config_setting_get_member(g, "grid")) == NULL)
    return check_sweep_size(p, g, sw);      /* replicates of the base point alone */
  if (!config_setting_is_list(s_grid)) {
    return liq_scn_bad_at(p, s_grid, "sweep.grid must be a list of groups ( { key = "
                 "...; values = [...]; }, ... ), got %s", liq_scn_type_name(s_grid));
  }
  n_axes = config_setting_length(s_grid);
  if (n_axes > LIQ_MAX_AXES) {
    return liq_scn_bad_at(p, config_setting_get_elem(s_grid, LIQ_MAX_AXES),
                 "sweep.grid has %d axes, at most %d", n_axes, LIQ_MAX_AXES);
  }
  for (i = 0; i < n_axes; i++) {
    const config_setting_t *e = config_setting_get_elem(s_grid, (unsigned)i);
    liq_sweep_axis *ax = &sw->axes[i];
    int j;
    if ((rc = validate_grid_entry(p, e, ax)) != LIQ_OK) return rc;
    for (j = 0; j < i; j++) {
      if (strcmp(ax->key, sw->axes[j].key) == 0) {
        return liq_scn_bad_at(p, e, "sweep.grid[%d] repeats key \"%s\" of "
                     "sweep.grid[%d]", i, ax->key, j);
      }
    }
    if (sw->zip && i > 0 && ax->n_values != sw->axes[0].n_values) {
      return liq_scn_bad_at(p, e, "sweep.grid[%d] has %zu values but sweep.grid[0] has "
                   "%zu (mode zip pairs values one to one)", i, ax->n_values,
                   sw->axes[0].n_values);
    }
    sw->n_axes = (size_t)i + 1;
  }
  return check_sweep_size(p, g, sw);
}

/*
** calibrate = { key; range = [lo, hi]; target; max; replicates; confidence;
** tolerance; }: the section `liqsim calibrate` reads (liq_calibrate.h).
** key: a real-valued sweep key; target: a liq_calibrate_target name; max
** in [0, 1) for the probability targets, >= 0 for the others.
*/
#define LIQ_CAL_MAX_REPLICATES 10000000
static int validate_calibrate(loader *p, const config_setting_t *g,
                              liq_calibrate_params *cp) {
  static const char *const keys[] = {"key", "range", "target", "max",
    "replicates", "confidence", "tolerance", NULL};
  const char *targets[LIQ_CAL_N_TARGETS + 1];
  const config_setting_t *s;
  const numeric_key *k;
  double range[2];
  size_t n = 0;
  long long reps;
  int rc, t;
  memset(cp, 0, sizeof *cp);
  if (g == NULL) return LIQ_OK;
  if ((rc = liq_scn_need_group(p, g)) != LIQ_OK) return rc;
  if ((rc = liq_scn_check_keys(p, g, keys, NULL)) != LIQ_OK) return rc;
  cp->line = (int)config_setting_source_line(g);
  if ((s = config_setting_get_member(g, "key")) == NULL) {
    return liq_scn_missing(p, g, "key", " (e.g. \"margin.initial\")");
  }
  if ((rc = numeric_key_of(p, s, &k)) != LIQ_OK) return rc;
  if (k->is_int) {
    return liq_scn_bad_at(p, s, "calibrate.key \"%s\" takes whole numbers; a "
                  "calibration searches a real-valued key (e.g. "
                  "\"margin.initial\")", k->key);
  }
  snprintf(cp->key, sizeof cp->key, "%s", k->key);
  if ((s = config_setting_get_member(g, "range")) == NULL) {
    return liq_scn_missing(p, g, "range", " (the search interval, e.g. [0.005, 0.5])");
  }
  cp->range_line = (int)config_setting_source_line(s);
  if ((rc = liq_scn_numbers_in(p, s, 2, 2, &r_any, range, &n)) != LIQ_OK) return rc;
  if (!(range[0] < range[1])) {
    return liq_scn_bad_at(p, s, "calibrate.range [%s, %s] is empty: the first value "
                  "must be below the second", liq_scn_num(range[0]).z, liq_scn_num(range[1]).z);
  }
  cp->lo = range[0];
  cp->hi = range[1];
  if ((s = config_setting_get_member(g, "target")) == NULL) {
    return liq_scn_missing(p, g, "target", " (e.g. \"bad_debt_probability\")");
  }
  for (t = 0; t < LIQ_CAL_N_TARGETS; t++) targets[t] = liq_calibrate_target_name(t);
  targets[LIQ_CAL_N_TARGETS] = NULL;
  if ((rc = liq_scn_choose_name(p, s, targets, &cp->target)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(g, "max")) == NULL) {
    return liq_scn_missing(p, g, "max", " (the largest acceptable target value)");
  }
  if ((rc = liq_scn_number_in(p, s, &r_any, &cp->max)) != LIQ_OK) return rc;
  if (liq_calibrate_target_is_probability(cp->target)
          ? !(cp->max >= 0.0 && cp->max < 1.0) : !(cp->max >= 0.0)) {
    return liq_scn_bad_at(p, s, "calibrate.max must be %s for target %s, got %s",
                  liq_calibrate_target_is_probability(cp->target)
                      ? "in [0, 1) (a probability)" : ">= 0",
                  targets[cp->target], liq_scn_num(cp->max).z);
  }
  reps = 1000;
  if ((s = config_setting_get_member(g, "replicates")) != NULL &&
      (rc = liq_scn_integer_in(p, s, 2, LIQ_CAL_MAX_REPLICATES, &reps)) != LIQ_OK) {
    return rc;
  }
  cp->replicates = (size_t)reps;
  cp->confidence = 0.95;
  if ((rc = liq_scn_opt_number(p, g, "confidence", &r_open_unit, &cp->confidence)) != LIQ_OK) {
    return rc;
  }
  cp->tolerance = (cp->hi - cp->lo) / 1000.0;
  if ((s = config_setting_get_member(g, "tolerance")) != NULL) {
    if ((rc = liq_scn_number_in(p, s, &r_positive, &cp->tolerance)) != LIQ_OK) return rc;
    if (!(cp->tolerance < cp->hi - cp->lo)) {
      return liq_scn_bad_at(p, s, "calibrate.tolerance %s must be below the width of "
                    "calibrate.range (%s)", liq_scn_num(cp->tolerance).z,
                    liq_scn_num(cp->hi - cp->lo).z);
    }
  }
  cp->present = 1;
  return LIQ_OK;
}

static const char *const top_keys[] = {
  "name", "seed", "steps", "step_seconds", "price", "book", "margin",
  "impact", "insurance", "funding", "stats", "sweep", "calibrate", NULL};

int liq_scn_validate(loader *p, const config_setting_t *root, liq_scenario *sc) {
  const config_setting_t *s;
  long long seed = 1;
  int rc;
  if ((rc = liq_scn_check_keys(p, root, top_keys, NULL)) != LIQ_OK) return rc;
  if ((rc = validate_name(p, root, sc)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(root, "seed")) != NULL &&
      (rc = liq_scn_integer_in(p, s, 0, LLONG_MAX, &seed)) != LIQ_OK) {
    return rc;
  }
  sc->seed = (uint64_t)seed;
  if ((s = config_setting_get_member(root, "price")) == NULL) {
    return liq_scn_missing(p, root, "price", " (price = { model = \"gbm\"; ... })");
  }
  if ((rc = validate_price(p, s, &sc->price)) != LIQ_OK) return rc;
  if ((rc = validate_steps(p, root, sc)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(root, "book")) == NULL) {
    return liq_scn_missing(p, root, "book", " (book = { positions = ...; leverage = "
                   "{ ... }; notional = { ... }; })");
  }
  if ((rc = validate_book(p, s, &sc->book)) != LIQ_OK) return rc;
  if ((rc = validate_horizon(p, root, sc)) != LIQ_OK) return rc;
  if ((s = config_setting_get_member(root, "margin")) == NULL) {
    return liq_scn_missing(p, root, "margin", " (margin = { initial = ...; "
                   "maintenance = ...; })");
  }
  if ((rc = validate_margin(p, s, &sc->price, &sc->margin)) != LIQ_OK) return rc;
  rc = validate_impact(p, config_setting_get_member(root, "impact"), &sc->impact);
  if (rc) return rc;
  rc = validate_insurance(p, config_setting_get_member(root, "insurance"),
                         &sc->insurance);
  if (rc) return rc;
  rc = validate_funding(p, config_setting_get_member(root, "funding"),
                       &sc->price, &sc->funding);
  if (rc) return rc;
  rc = validate_stats(p, config_setting_get_member(root, "stats"), &sc->stats);
  if (rc) return rc;
  rc = validate_sweep(p, config_setting_get_member(root, "sweep"), &sc->sweep);
  if (rc) return rc;
  rc = validate_calibrate(p, config_setting_get_member(root, "calibrate"),
                          &sc->calibrate);
  if (rc) return rc;
  record_where(p, root, sc);
  return LIQ_OK;
}

