/*
** cmd_backtest.c: `liqsim backtest CSV --model M [options]`.
**
** Reads the price file with the replay reader (every layout `run`
** replays), runs the margin model bar by bar (liq_backtest_run), prints
** a report per side and stores the tables backtests / backtest_points.
** Its own option parser: the options are the command's alone.
*/
#define _POSIX_C_SOURCE 200809L

#include "cmd_backtest.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "liq_backtest.h"
#include "liq_err.h"
#include "liq_path.h"
#include "liq_time.h"

enum { BT_OK = 0, BT_RUNTIME = 1, BT_BAD_INPUT = 2 };

#define BT_DEFAULT_DB "results/backtest.db"

static const char *const SYNOPSIS =
  "backtest CSV --model hs|ewma|fhs|garch|file [--margin-file M.csv]\n"
  "                [--confidence C] [--horizon-bars H] [--lookback-bars L]\n"
  "                [--apc buffer|floor|stress] [--from DATE] [--to DATE] [--out DB]";

static const char *const HELP =
  "Backtest a margin model on a price history (any layout 'run' replays;\n"
  "returns across gaps of more than 1.5 bar spacings are left out, as in\n"
  "'fit').  Bar t's margin comes from the closes before t only; it is\n"
  "exceeded for a long when the log move over the next H bars falls below\n"
  "ln(1 - margin), for a short when it rises above ln(1 + margin).  Prints\n"
  "per side: observations, exceedances, Kupiec POF, Christoffersen\n"
  "independence and conditional coverage (on all points and on every H-th\n"
  "point, since overlapping windows cluster), the Basel traffic-light zone\n"
  "of the last 250 non-overlapping observations, and the margin's\n"
  "procyclicality; stores tables backtests and backtest_points.\n"
  "\n"
  "      --model NAME       hs (historical), ewma (RiskMetrics), fhs (filtered\n"
  "                         historical), garch (GARCH(1,1)-t, as 'fit'), or\n"
  "                         file (--margin-file)\n"
  "      --margin-file M    CSV open_time_ms,long,short: margin rates (fractions)\n"
  "                         per bar; every bar of the window needs a row\n"
  "      --confidence C     in (0, 1), default 0.99\n"
  "      --horizon-bars H   margin period of risk in bars (default one day)\n"
  "      --lookback-bars L  bars of history per margin (default 365 days)\n"
  "      --lambda X         EWMA decay per day for ewma and fhs (default 0.94;\n"
  "                         per bar lambda^(bar seconds / 86400))\n"
  "      --refit-bars N     garch: refit every N bars (default 30 days)\n"
  "      --apc KIND         EMIR anti-procyclicality: buffer (25 % released in\n"
  "                         stress), floor (ten-year lookback), stress (25 %\n"
  "                         weight on the stressed margin); default none\n"
  "      --from DATE        first bar to test: YYYY-MM-DD[ HH:MM[:SS]] (UTC) or\n"
  "                         Unix ms; earlier bars still serve as lookback\n"
  "      --to DATE          last bar to test, same forms (inclusive)\n"
  "  -o, --out DB           results database (default " BT_DEFAULT_DB ")\n"
  "  -q, --quiet            print nothing on success\n"
  "  -h, --help             show this help\n";

static int usage(const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 1, 2)))
#endif
  ;
static int usage(const char *fmt, ...) {
  va_list ap;
  fputs("liqsim: backtest: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\nTry 'liqsim backtest --help' for more information.\n", stderr);
  return BT_BAD_INPUT;
}

static int report(const liq_err *err, int reading_input) {
  char buf[sizeof err->file + sizeof err->msg + 64];
  liq_err e = *err;
  if (e.msg[0] == '\0') snprintf(e.msg, sizeof e.msg, "%s", liq_strerror(e.code));
  liq_err_format(&e, buf, sizeof buf);
  fprintf(stderr, "liqsim: %s\n", buf);
  if (e.code == LIQ_INPUT || e.code == LIQ_USAGE) return BT_BAD_INPUT;
  if (reading_input && e.code == LIQ_IO) return BT_BAD_INPUT;
  return BT_RUNTIME;
}

typedef struct bt_options {
  const char *csv, *out, *margin_file;
  int quiet;
  liq_backtest_settings set;
} bt_options;

/* --name=value or --name value; NULL value when missing. */
static int opt_is(char **argv, int argc, int *i, const char *name,
                  const char *short_name, int takes_value, const char **v) {
  const char *a = argv[*i];
  size_t n = strlen(name);
  if (short_name && strcmp(a, short_name) == 0) {
    if (takes_value) *v = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
  }
  if (strncmp(a, name, n) != 0) return 0;
  if (a[n] == '\0') {
    if (takes_value) *v = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
  }
  if (takes_value && a[n] == '=') {
    *v = a + n + 1;
    return 1;
  }
  return 0;
}

static int parse_count(const char *v, size_t *out) {
  char *end;
  unsigned long long x;
  if (v == NULL || *v < '0' || *v > '9') return -1;
  errno = 0;
  x = strtoull(v, &end, 10);
  if (errno || *end != '\0' || x == 0 || x > (unsigned long long)(SIZE_MAX / 16)) return -1;
  *out = (size_t)x;
  return 0;
}

static int parse_real(const char *v, double *out) {
  char *end;
  if (v == NULL || *v == '\0') return -1;
  errno = 0;
  *out = strtod(v, &end);
  return *end != '\0' || errno == ERANGE || !isfinite(*out) ? -1 : 0;
}

/* -1: go on; else an exit code. */
static int parse_args(int argc, char **argv, bt_options *o) {
  int i, have_model = 0;
  const char *v = NULL;
  memset(o, 0, sizeof *o);
  liq_backtest_defaults(&o->set);
  for (i = 0; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("usage: liqsim %s\n\n%s", SYNOPSIS, HELP);
      return BT_OK;
    }
  for (i = 0; i < argc; i++) {
    const char *a = argv[i];
    v = NULL;
    if (a[0] != '-' || strcmp(a, "-") == 0) {
      if (o->csv) return usage("unexpected argument '%s' (one CSV only)", a);
      o->csv = a;
    } else if (opt_is(argv, argc, &i, "--model", NULL, 1, &v)) {
      int m = liq_bt_model_parse(v);
      if (m < 0)
        return usage("--model must be hs, ewma, fhs, garch or file, got '%s'", v ? v : "");
      o->set.model = m;
      have_model = 1;
    } else if (opt_is(argv, argc, &i, "--margin-file", NULL, 1, &v)) {
      if (v == NULL || *v == '\0') return usage("option '--margin-file' needs a file");
      o->margin_file = v;
    } else if (opt_is(argv, argc, &i, "--confidence", NULL, 1, &v)) {
      if (parse_real(v, &o->set.confidence) != 0 ||
          !(o->set.confidence > 0.0 && o->set.confidence < 1.0))
        return usage("--confidence must be a number in (0, 1), got '%s'", v ? v : "");
    } else if (opt_is(argv, argc, &i, "--lambda", NULL, 1, &v)) {
      if (parse_real(v, &o->set.lambda) != 0 ||
          !(o->set.lambda > 0.0 && o->set.lambda < 1.0))
        return usage("--lambda must be a number in (0, 1), got '%s'", v ? v : "");
    } else if (opt_is(argv, argc, &i, "--horizon-bars", NULL, 1, &v)) {
      if (parse_count(v, &o->set.horizon_bars) != 0)
        return usage("--horizon-bars must be a positive whole number, got '%s'", v ? v : "");
    } else if (opt_is(argv, argc, &i, "--lookback-bars", NULL, 1, &v)) {
      if (parse_count(v, &o->set.lookback_bars) != 0)
        return usage("--lookback-bars must be a positive whole number, got '%s'", v ? v : "");
    } else if (opt_is(argv, argc, &i, "--refit-bars", NULL, 1, &v)) {
      if (parse_count(v, &o->set.refit_bars) != 0)
        return usage("--refit-bars must be a positive whole number, got '%s'", v ? v : "");
    } else if (opt_is(argv, argc, &i, "--apc", NULL, 1, &v)) {
      int k = liq_bt_apc_parse(v);
      if (k < 0) return usage("--apc must be buffer, floor, stress or none, got '%s'", v ? v : "");
      o->set.apc = k;
    } else if (opt_is(argv, argc, &i, "--from", NULL, 1, &v)) {
      if (v == NULL || liq_time_parse(v, &o->set.from_ms) != 0)
        return usage("--from must be YYYY-MM-DD[ HH:MM[:SS]] (UTC) or Unix "
                     "milliseconds, got '%s'", v ? v : "");
      o->set.has_from = 1;
    } else if (opt_is(argv, argc, &i, "--to", NULL, 1, &v)) {
      if (v == NULL || liq_time_parse(v, &o->set.to_ms) != 0)
        return usage("--to must be YYYY-MM-DD[ HH:MM[:SS]] (UTC) or Unix "
                     "milliseconds, got '%s'", v ? v : "");
      o->set.has_to = 1;
    } else if (opt_is(argv, argc, &i, "--out", "-o", 1, &v)) {
      if (v == NULL || *v == '\0') return usage("option '--out' needs a database path");
      o->out = v;
    } else if (opt_is(argv, argc, &i, "--quiet", "-q", 0, &v)) {
      o->quiet = 1;
    } else {
      return usage("unknown option '%s'", a);
    }
  }
  if (o->csv == NULL) return usage("missing CSV argument");
  if (!have_model) return usage("missing --model (hs, ewma, fhs, garch or file)");
  if (o->set.model == LIQ_BT_FILE && o->margin_file == NULL)
    return usage("--model file needs --margin-file M.csv");
  if (o->set.model != LIQ_BT_FILE && o->margin_file != NULL)
    return usage("--margin-file goes with --model file only");
  if (o->set.has_from && o->set.has_to && o->set.to_ms < o->set.from_ms)
    return usage("--to is before --from");
  return -1;
}

/* "2020-03-12 10:00" UTC */
static void fmt_time(int64_t ms, char *buf, size_t size) {
  char full[48];
  liq_time_format(ms, full, sizeof full);
  snprintf(buf, size, "%.*s", (int)(strlen(full) > 3 ? strlen(full) - 3 : strlen(full)), full);
}

static void mean_max(const double *m, size_t n, double *mean, double *mx) {
  size_t i, k = 0;
  double s = 0.0;
  *mx = NAN;
  for (i = 0; i < n; i++) {
    if (isnan(m[i])) continue;
    s += m[i];
    k++;
    if (isnan(*mx) || m[i] > *mx) *mx = m[i];
  }
  *mean = k ? s / (double)k : (double)NAN;
}

static void print_coverage(const char *title, const liq_bt_coverage *l,
                           const liq_bt_coverage *s) {
  printf("%s\n", title);
  printf("  observations          %12zu %12zu\n", l->n_obs, s->n_obs);
  printf("  exceedances           %12zu %12zu\n", l->exceedances, s->exceedances);
  printf("  rate                  %11.3f%% %11.3f%%\n", 100.0 * l->rate, 100.0 * s->rate);
  printf("  Kupiec POF LR         %12.3f %12.3f\n", l->kupiec_lr, s->kupiec_lr);
  printf("    p-value             %12.4f %12.4f\n", l->kupiec_p, s->kupiec_p);
  printf("  Christoffersen ind LR %12.3f %12.3f\n", l->chr.lr_ind, s->chr.lr_ind);
  printf("    p-value             %12.4f %12.4f\n", l->chr.p_ind, s->chr.p_ind);
  printf("  cond. coverage LR     %12.3f %12.3f\n", l->chr.lr_cc, s->chr.lr_cc);
  printf("    p-value             %12.4f %12.4f\n", l->chr.p_cc, s->chr.p_cc);
}

/* "3.09", or "n/a" when the margin touched 0 (no finite ratio). */
static const char *ratio(double v, char *buf, size_t size) {
  if (isnan(v)) snprintf(buf, size, "n/a");
  else snprintf(buf, size, "%.2f", v);
  return buf;
}

static void print_report(const bt_options *o, const liq_backtest_result *r,
                         int64_t id, const char *db) {
  const liq_backtest_settings *s = &r->set;
  const liq_bt_side *L = &r->side[0], *S = &r->side[1];
  char a[32], b[32], extra[96] = "";
  double ml, xl, ms, xs;
  size_t gl, yl;
  fmt_time(r->t_ms[0], a, sizeof a);
  fmt_time(r->t_ms[r->n - 1], b, sizeof b);
  if (s->model == LIQ_BT_EWMA || s->model == LIQ_BT_FHS)
    snprintf(extra, sizeof extra, ", lambda %g", s->lambda);
  else if (s->model == LIQ_BT_GARCH)
    snprintf(extra, sizeof extra, ", refit every %zu bars (%zu fits, %zu failed)",
             s->refit_bars, r->garch_fits, r->garch_fit_failures);
  printf("backtest %" PRId64 ": %s on %s\n", id, liq_bt_model_name(s->model), o->csv);
  printf("  bars %s .. %s UTC (%zu), %g %% over %zu bars of %g s, lookback %zu "
         "bars%s, apc %s\n", a, b, r->n, 100.0 * s->confidence, s->horizon_bars,
         r->step_seconds, s->lookback_bars, extra, liq_bt_apc_name(s->apc));
  printf("                               long        short\n");
  print_coverage("all points (overlapping windows when H > 1)", &L->all, &S->all);
  print_coverage("non-overlapping (every H-th point)", &L->nonoverlap, &S->nonoverlap);
  liq_traffic_light_bounds(LIQ_BT_BASEL_WINDOW, s->confidence, &gl, &yl);
  printf("traffic light (250 non-overlapping obs; green 0-%zu, yellow %zu-%zu, red %zu+)\n",
         gl, gl + 1, yl, yl + 1);
  if (L->zone < 0) {
    printf("  last window           n/a: %zu non-overlapping observations (< 250), "
           "%zu and %zu exceedances\n", L->zone_n, L->zone_exceedances, S->zone_exceedances);
  } else {
    double q = 1.0 - s->confidence;
    printf("  last window           %6s %2zu/%-3zu %5s %2zu/%-3zu\n",
           liq_zone_name(L->zone), L->zone_exceedances, L->zone_n,
           liq_zone_name(S->zone), S->zone_exceedances, S->zone_n);
    printf("    P(X <= k), binomial %11.2f%% %11.2f%%\n",
           100.0 * liq_binomial_cdf(L->zone_exceedances, L->zone_n, q),
           100.0 * liq_binomial_cdf(S->zone_exceedances, S->zone_n, q));
  }
  printf("  windows g/y/r  %8zu/%zu/%zu %8zu/%zu/%zu\n", L->windows[0], L->windows[1],
         L->windows[2], S->windows[0], S->windows[1], S->windows[2]);
  mean_max(r->margin_long, r->n, &ml, &xl);
  mean_max(r->margin_short, r->n, &ms, &xs);
  printf("margin\n");
  printf("  mean                  %11.3f%% %11.3f%%\n", 100.0 * ml, 100.0 * ms);
  printf("  max                   %11.3f%% %11.3f%%\n", 100.0 * xl, 100.0 * xs);
  printf("  peak-to-trough        %12s %12s\n", ratio(L->peak_to_trough, a, sizeof a),
         ratio(S->peak_to_trough, b, sizeof b));
  printf("  max 30-day increase   %11.1f%% %11.1f%%\n", 100.0 * L->max_increase_30d,
         100.0 * S->max_increase_30d);
  printf("-> %s\n", db);
}

/* "backtest: 42 %" on one stderr line (a terminal only). */
static void progress(void *ud, size_t done, size_t total) {
  int *printed = ud;
  fprintf(stderr, "\rbacktest: %3.0f %%", total ? 100.0 * (double)done / (double)total : 100.0);
  fflush(stderr);
  *printed = 1;
}

int liq_cli_backtest(int argc, char **argv) {
  bt_options o;
  liq_path *p = NULL;
  liq_margin_series *mf = NULL;
  liq_backtest_result *r = NULL;
  liq_backtest_meta meta;
  liq_err err;
  int64_t id = 0;
  int rc, code, printed = 0;

  code = parse_args(argc, argv, &o);
  if (code >= 0) return code;
  liq_err_clear(&err);
  code = BT_OK;
  rc = liq_path_replay(o.csv, 0, 0, 0, 0, 0, &p, &err);
  if (rc != LIQ_OK) return report(&err, 1);
  if (o.margin_file) {
    rc = liq_margin_series_read(o.margin_file, &mf, &err);
    if (rc != LIQ_OK) {
      code = report(&err, 1);
      goto out;
    }
  }
  if (!o.quiet && isatty(STDERR_FILENO)) {
    o.set.progress = progress;
    o.set.progress_ud = &printed;
  }
  rc = liq_backtest_run(p, o.csv, &o.set, mf, &r, &err);
  if (printed) fputc('\n', stderr);
  if (rc != LIQ_OK) {
    code = report(&err, 1);
    goto out;
  }
  if (o.out == NULL) {
    if (mkdir("results", 0777) != 0 && errno != EEXIST) {
      liq_errf(&err, LIQ_IO, "results", 0, "cannot create the results directory: %s",
               strerror(errno));
      code = report(&err, 0);
      goto out;
    }
    o.out = BT_DEFAULT_DB;
  }
  meta.file = o.csv;
  meta.margin_file = o.margin_file;
  rc = liq_backtest_store(o.out, &meta, r, &id, &err);
  if (rc != LIQ_OK) {
    code = report(&err, 0);
    goto out;
  }
  if (!o.quiet) print_report(&o, r, id, o.out);
out:
  liq_backtest_result_free(r);
  liq_margin_series_free(mf);
  liq_path_free(p);
  return code;
}
