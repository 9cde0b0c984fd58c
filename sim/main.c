/*
** main.c: the liqsim command-line program.
**
**   liqsim run SCENARIO [--out DB] [--seed N] [--set key=value]... [--quiet]
**   liqsim check SCENARIO [--set key=value]...
**   liqsim report DB [--run ID]
**   liqsim fit CSV --model gbm|jump|garch [--from DATE] [--to DATE]
**   liqsim sweep SCENARIO [--out DB] [-j N] [--shard K/N] [--resume] [--quiet]
**   liqsim merge OUT_DB IN_DB... [--quiet]
**   liqsim calibrate SCENARIO [--out DB] [-j N] [--set key=value]... [--quiet]
**   liqsim backtest CSV --model M ...  (sim/cmd_backtest.c)
**
** A run reads as the algorithm: load the scenario (with its --set
** overrides), build the exogenous price path, generate the book around the
** path's first price, open the results database, run the engine with the
** database as its sink, close the run and print one line.
**
** Errors go to stderr as "liqsim: FILE:LINE: message".  Exit codes: 0 ok,
** 1 runtime failure, 2 bad usage or bad input.  An input file (scenario,
** price CSV, results database for 'report') that cannot be read counts as
** bad input, exit 2: the fix is on the command line, not in the machine.
*/
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>       /* mallopt */
#endif
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#ifdef LIQ_HAVE_MPI
#include <mpi.h>
#endif

#include "liq_book.h"
#include "liq_calibrate.h"
#include "liq_engine.h"
#include "liq_err.h"
#include "liq_fit.h"
#include "liq_inputs.h"
#include "liq_funding.h"
#include "liq_path.h"
#include "liq_time.h"
#include "liq_scenario.h"
#include "liq_sink_thread.h"
#include "liq_store.h"
#include "liq_sweep.h"
#include "cmd_backtest.h"

#ifndef LIQ_VERSION
#define LIQ_VERSION "unknown"
#endif

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_BAD_INPUT = 2 };

#define RESULTS_DIR "results"

/* ------------------------------------------------------------------------
** Command-line options
** --------------------------------------------------------------------- */

/* Which options a subcommand accepts. */
enum {
  OPT_OUT   = 1 << 0,
  OPT_SEED  = 1 << 1,
  OPT_SET   = 1 << 2,
  OPT_QUIET = 1 << 3,
  OPT_RUN   = 1 << 4,
  OPT_FIT   = 1 << 8,   /* fit: --model, --from, --to */
  OPT_JOBS  = 1 << 9,   /* sweep: -j N */
  OPT_SHARD = 1 << 10,  /* sweep: --shard K/N */
  OPT_RESUME = 1 << 11, /* sweep: --resume */
  OPT_INPUTS = 1 << 12, /* several positional arguments (merge) */
  OPT_SWEEP = 1 << 13   /* report: --sweep [ID] */
};

typedef struct options {
  const char   *input;      /* SCENARIO (run, check) or DB (report) */
  const char   *out;        /* --out DB, NULL: results/<name>.db */
  int           has_seed;
  uint64_t      seed;       /* --seed N, overrides the scenario's seed */
  int64_t       run_id;     /* --run ID, 0: all runs */
  int           has_sweep;  /* report: --sweep [ID] */
  int64_t       sweep_id;   /* report: --sweep ID, 0: every sweep */
  liq_override *ov;         /* --set overrides in command-line order (owned) */
  size_t        n_ov;
  int           quiet;      /* --quiet: no result line */
  const char   *model;      /* fit: --model NAME */
  int           has_from, has_to; /* fit: --from / --to given */
  int64_t       from_ms, to_ms;   /* fit: window on bar open times, Unix ms */
  int           jobs;       /* sweep: -j N worker threads, 0: all cores */
  size_t        shard_k, shard_n; /* sweep: --shard K/N, 0/0: none */
  int           resume;     /* sweep: --resume */
  const char  **inputs;     /* OPT_INPUTS: every positional argument (owned array) */
  size_t        n_inputs;
} options;

typedef struct command {
  const char *name;
  int (*fn)(const options *opt);  /* NULL: not implemented yet */
  unsigned    accepts;            /* OPT_* mask */
  const char *input_name;         /* the positional argument */
  const char *synopsis;
  const char *help;
} command;

static int cmd_run(const options *opt);
static int cmd_check(const options *opt);
static int cmd_report(const options *opt);
static int cmd_fit(const options *opt);
static int cmd_sweep(const options *opt);
static int cmd_merge(const options *opt);
static int cmd_calibrate(const options *opt);

static const command COMMANDS[] = {
  { "run", cmd_run, OPT_OUT | OPT_SEED | OPT_SET | OPT_QUIET, "SCENARIO",
    "run SCENARIO [--out DB] [--seed N] [--set key=value]... [--quiet]",
    "Run one scenario and store its steps, liquidations and summary.\n"
    "\n"
    "  -o, --out DB         results database (default results/<name>.db;\n"
    "                       a second run into the same file appends a run)\n"
    "      --seed N         base seed, a non-negative integer (default: the\n"
    "                       scenario's 'seed'); the seed used is stored\n"
    "      --set key=value  override a scenario setting by its dotted path,\n"
    "                       e.g. --set margin.maintenance=0.004; repeatable;\n"
    "                       validated like the file, stored in runs.params\n"
    "  -q, --quiet          print nothing on success\n"
    "  -h, --help           show this help\n"
    "\n"
    "Books above 131,072 positions are drawn, and sides above 65,536 positions\n"
    "sorted, on OMP_NUM_THREADS threads (default: all cores); the numbers are\n"
    "the same for any count.\n" },
  { "check", cmd_check, OPT_SET, "SCENARIO",
    "check SCENARIO [--set key=value]...",
    "Validate a scenario without running it: the file, the overrides, the\n"
    "price data (replay CSV) and the book.  Prints\n"
    "'SCENARIO: ok (N positions, T steps, MODEL)' or a FILE:LINE error.\n"
    "\n"
    "      --set key=value  apply an override before validating; repeatable\n"
    "  -h, --help           show this help\n" },
  { "report", cmd_report, OPT_RUN | OPT_SWEEP, "DB",
    "report DB [--run ID | --sweep [ID]]",
    "Print a text summary of the runs stored in a results database; for a\n"
    "database holding sweeps, the sweeps' aggregates per grid point.\n"
    "\n"
    "      --run ID         only this run (default: all runs)\n"
    "      --sweep [ID]     the aggregates per grid point of sweep ID (default:\n"
    "                       every sweep); the default for a sweep database\n"
    "  -h, --help           show this help\n" },
  { "sweep", cmd_sweep, OPT_OUT | OPT_SEED | OPT_SET | OPT_JOBS | OPT_SHARD |
    OPT_RESUME | OPT_QUIET,
    "SCENARIO",
    "sweep SCENARIO [--out DB] [--seed N] [--set key=value]... [-j N] [--shard K/N]\n"
    "       [--resume] [--quiet]",
    "Run the scenario's sweep section: every grid point (cartesian product of\n"
    "the axes, or zipped with mode = \"zip\") times 'replicates', each task a\n"
    "run stored with its sweep_id and task_id, then per-point aggregates in\n"
    "table sweep_aggregates.  Every grid point is validated like --set before\n"
    "anything runs.  Replicate k uses the path and book seeds of (seed, k) at\n"
    "every grid point; results do not depend on -j, ranks or shards.\n"
    "\n"
    "  -o, --out DB         results database (default results/<name>.db, or\n"
    "                       results/<name>-shard-K-of-N.db with --shard)\n"
    "      --seed N         base seed (default: the scenario's 'seed')\n"
    "      --set key=value  override a setting at every grid point (before the\n"
    "                       axes); repeatable; stored with the sweep (spec) and\n"
    "                       in runs.params; --resume and merge refuse others\n"
    "  -j, --jobs N         worker threads (default: all cores)\n"
    "      --shard K/N      run only the tasks with task_id % N == K-1 (K in\n"
    "                       1..N), for array jobs; combine with 'liqsim merge'\n"
    "      --resume         continue the database's last sweep: tasks not done\n"
    "                       (and rows an interrupted task left) are run again;\n"
    "                       the scenario text, grid, --set and --seed must be\n"
    "                       the same\n"
    "  -q, --quiet          no progress and no result line\n"
    "  -h, --help           show this help\n"
    "\n"
    "Under MPI (built with -DLIQ_MPI=ON): mpirun -n R liqsim sweep ...\n"
    "spreads the tasks over R ranks; rank 0 writes the database.\n" },
  { "calibrate", cmd_calibrate, OPT_OUT | OPT_JOBS | OPT_SET | OPT_QUIET, "SCENARIO",
    "calibrate SCENARIO [--out DB] [-j N] [--set key=value]... [--quiet]",
    "Find the value of the calibrate section's key (e.g. margin.initial) inside\n"
    "its range at which the target statistic over 'replicates' paths and\n"
    "books meets target <= max with the least margin, with a confidence\n"
    "interval.  Replicate k uses the sweep's seeds at every value (common\n"
    "random numbers); the answer does not depend on -j.  Prints one line and\n"
    "the evaluated points; stores tables calibrations and calibration_points.\n"
    "When the whole range meets the target, or none of it, it says so with\n"
    "the metric at both ends (exit 0, no value).\n"
    "\n"
    "  -o, --out DB         results database (default results/<name>.db)\n"
    "  -j, --jobs N         worker threads (default: all cores)\n"
    "      --set key=value  override a scenario setting; repeatable\n"
    "  -q, --quiet          no result line and no table\n"
    "  -h, --help           show this help\n" },
  { "backtest", NULL, 0, "CSV",    /* own parser: sim/cmd_backtest.c */
    "backtest CSV --model hs|ewma|fhs|garch|file [options]", NULL },
  { "fit", cmd_fit, OPT_FIT, "CSV",
    "fit CSV --model gbm|jump|garch [--from DATE] [--to DATE]",
    "Fit a price model by maximum likelihood to the log close-to-close\n"
    "returns of a price CSV (any layout 'run' replays; returns across gaps of\n"
    "more than 1.5 bar spacings are left out) and print a price section to\n"
    "paste into a scenario, with the bar spacing as step_seconds and ln L,\n"
    "AIC and the number of returns as a comment.\n"
    "\n"
    "      --model NAME     gbm (closed form), jump (Merton jump diffusion) or\n"
    "                       garch (GARCH(1,1), Student-t; parameters per bar)\n"
    "      --from DATE      first bar open time: YYYY-MM-DD[ HH:MM[:SS]] (UTC)\n"
    "                       or Unix milliseconds\n"
    "      --to DATE        last bar open time, same forms (inclusive)\n"
    "  -h, --help           show this help\n" },
  { "merge", cmd_merge, OPT_INPUTS | OPT_QUIET, "OUT_DB",
    "merge OUT_DB IN_DB... [--quiet]",
    "Merge the sweep databases of 'liqsim sweep --shard K/N' into OUT_DB\n"
    "(created when missing): done tasks are copied with new run ids and the\n"
    "aggregates recomputed.  Every input must hold a sweep of the same\n"
    "scenario text and sweep spec (else exit 2, nothing written).  Tasks no\n"
    "input has done can be run with 'liqsim sweep SCENARIO --resume --out\n"
    "OUT_DB'.\n"
    "\n"
    "  -q, --quiet          print nothing on success\n"
    "  -h, --help           show this help\n" },
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void print_usage(FILE *f) {
  size_t i;
  fprintf(f, "usage: liqsim COMMAND [ARGS]\n\n"
             "liqsim simulates liquidation cascades of leveraged positions.\n\n"
             "commands:\n");
  for (i = 0; i < N_COMMANDS; i++)
    fprintf(f, "  liqsim %s%s\n", COMMANDS[i].synopsis,
            COMMANDS[i].fn || COMMANDS[i].input_name ? "" : "   (not implemented yet)");
  fprintf(f, "\n"
             "  liqsim COMMAND --help   help for one command\n"
             "  liqsim --version        print the version\n\n"
             "Exit status: 0 ok, 1 runtime failure, 2 bad usage or bad input.\n");
}

static void print_command_help(const command *c) {
  printf("usage: liqsim %s\n\n%s", c->synopsis, c->help);
}

/* "liqsim: message" plus a pointer to the help; returns the exit code. */
static int usage_error(const command *c, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
static int usage_error(const command *c, const char *fmt, ...) {
  va_list ap;
  fputs("liqsim: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if (c != NULL)
    fprintf(stderr, "\nTry 'liqsim %s --help' for more information.\n", c->name);
  else
    fputs("\nTry 'liqsim --help' for more information.\n", stderr);
  return EXIT_BAD_INPUT;
}

/* A non-negative decimal integer that fits in *out (<= max). */
static int parse_uint(const char *s, uint64_t max, uint64_t *out) {
  char *end = NULL;
  unsigned long long v;
  const char *p;
  if (s == NULL || *s == '\0') return -1;
  for (p = s; *p; p++)
    if (*p < '0' || *p > '9') return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno == ERANGE || *end != '\0' || v > max) return -1;
  *out = (uint64_t)v;
  return 0;
}

/* Does argv[*i] name option 'name' (long form, or 'short_name' when not
** NULL)?  Sets *value to the value for options that take one, from
** "--name=value" or the next argument; *value is NULL when it is missing. */
static int match_option(char **argv, int argc, int *i, const char *name,
                        const char *short_name, int takes_value,
                        const char **value) {
  const char *a = argv[*i];
  size_t n = strlen(name);
  int is_short = short_name != NULL && strcmp(a, short_name) == 0;
  if (!is_short && strncmp(a, name, n) != 0) return 0;
  if (!is_short && a[n] != '\0' && !(takes_value && a[n] == '=')) return 0;
  if (!takes_value) return 1;
  if (!is_short && a[n] == '=') {
    *value = a + n + 1;
  } else if (*i + 1 < argc) {
    *value = argv[++*i];
  } else {
    *value = NULL;
  }
  return 1;
}

/* -j N, -jN, --jobs N or --jobs=N. */
static int match_jobs(char **argv, int argc, int *i, const char **value) {
  const char *a = argv[*i];
  if (strncmp(a, "-j", 2) == 0 && a[2] >= '0' && a[2] <= '9') {
    *value = a + 2;
    return 1;
  }
  return match_option(argv, argc, i, "--jobs", "-j", 1, value);
}

/*
** Parse the arguments after the subcommand name.  Returns -1 when the
** command should go on, else an exit code (help printed: 0, usage error
** reported: 2).
*/
static int parse_options(const command *c, int argc, char **argv,
                         options *opt /* OUT */) {
  int i, only_positional = 0;
  const char *v = NULL;

  memset(opt, 0, sizeof *opt);
  opt->ov = calloc((size_t)argc + 1, sizeof *opt->ov);
  opt->inputs = calloc((size_t)argc + 1, sizeof *opt->inputs);
  if (opt->ov == NULL || opt->inputs == NULL) {
    fputs("liqsim: out of memory\n", stderr);
    return EXIT_RUNTIME;
  }
  /* --help wins wherever it stands, even after a bad option. */
  for (i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) break;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      print_command_help(c);
      return EXIT_OK;
    }
  }
  for (i = 0; i < argc; i++) {
    const char *a = argv[i];
    v = NULL;
    if ((only_positional || a[0] != '-' || strcmp(a, "-") == 0) &&
        (c->accepts & OPT_INPUTS)) {
      opt->inputs[opt->n_inputs++] = a;
      if (opt->input == NULL) opt->input = a;
    } else if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
      if (opt->input != NULL)
        return usage_error(c, "%s: unexpected argument '%s' (one %s only)",
                           c->name, a, c->input_name);
      opt->input = a;
    } else if (strcmp(a, "--") == 0) {
      only_positional = 1;
    } else if ((c->accepts & OPT_OUT) &&
               match_option(argv, argc, &i, "--out", "-o", 1, &v)) {
      if (v == NULL || *v == '\0')
        return usage_error(c, "%s: option '--out' needs a database path", c->name);
      opt->out = v;
    } else if ((c->accepts & OPT_SEED) &&
               match_option(argv, argc, &i, "--seed", NULL, 1, &v)) {
      if (v == NULL)
        return usage_error(c, "%s: option '--seed' needs a value", c->name);
      /* the scenario's seed key's range: the stored seed reproduces the run */
      if (parse_uint(v, INT64_MAX, &opt->seed) != 0)
        return usage_error(c, "%s: --seed must be a non-negative integer, got "
                           "'%s' (at most %" PRId64 ", the seed key's range)",
                           c->name, v, INT64_MAX);
      opt->has_seed = 1;
    } else if ((c->accepts & OPT_SET) &&
               match_option(argv, argc, &i, "--set", NULL, 1, &v)) {
      if (v == NULL)
        return usage_error(c, "%s: option '--set' needs key=value", c->name);
      /* Located like the scenario module's override errors: "--set":N. */
      if (strchr(v, '=') == NULL || v[0] == '=')
        return usage_error(c, "--set:%zu: expected key=value, got '%s'",
                           opt->n_ov + 1, v);
      opt->ov[opt->n_ov++].assignment = v;
    } else if ((c->accepts & OPT_QUIET) &&
               match_option(argv, argc, &i, "--quiet", "-q", 0, &v)) {
      opt->quiet = 1;
    } else if ((c->accepts & OPT_SWEEP) &&
               match_option(argv, argc, &i, "--sweep", NULL, 0, &v)) {
      /* An optional id: the next argument when it is a number. */
      uint64_t id = 0;
      opt->has_sweep = 1;
      if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9') {
        if (parse_uint(argv[i + 1], INT64_MAX, &id) != 0 || id == 0)
          return usage_error(c, "%s: --sweep takes a positive sweep id, got '%s'",
                             c->name, argv[i + 1]);
        opt->sweep_id = (int64_t)id;
        i++;
      }
    } else if ((c->accepts & OPT_RUN) &&
               match_option(argv, argc, &i, "--run", NULL, 1, &v)) {
      uint64_t id = 0;
      if (v == NULL)
        return usage_error(c, "%s: option '--run' needs a run id", c->name);
      if (parse_uint(v, INT64_MAX, &id) != 0 || id == 0)
        return usage_error(c, "%s: --run must be a positive integer, got '%s'",
                           c->name, v);
      opt->run_id = (int64_t)id;
    } else if ((c->accepts & OPT_FIT) &&
               match_option(argv, argc, &i, "--model", NULL, 1, &v)) {
      if (v == NULL)
        return usage_error(c, "%s: option '--model' needs gbm, jump or garch", c->name);
      if (liq_fit_model_parse(v) < 0)
        return usage_error(c, "%s: --model must be gbm, jump or garch, got '%s'",
                           c->name, v);
      opt->model = v;
    } else if ((c->accepts & OPT_FIT) &&
               match_option(argv, argc, &i, "--from", NULL, 1, &v)) {
      if (v == NULL || liq_time_parse(v, &opt->from_ms) != 0)
        return usage_error(c, "%s: --from must be YYYY-MM-DD[ HH:MM[:SS]] (UTC) or "
                           "Unix milliseconds, got '%s'", c->name, v ? v : "");
      if (strchr(v, '-') == NULL && strchr(v, ':') == NULL &&
          liq_time_looks_like_seconds(opt->from_ms)) {
        char hint[256];
        liq_time_seconds_hint(opt->from_ms, hint, sizeof hint);
        return usage_error(c, "%s: --from %s", c->name, hint);
      }
      opt->has_from = 1;
    } else if ((c->accepts & OPT_FIT) &&
               match_option(argv, argc, &i, "--to", NULL, 1, &v)) {
      if (v == NULL || liq_time_parse(v, &opt->to_ms) != 0)
        return usage_error(c, "%s: --to must be YYYY-MM-DD[ HH:MM[:SS]] (UTC) or "
                           "Unix milliseconds, got '%s'", c->name, v ? v : "");
      if (strchr(v, '-') == NULL && strchr(v, ':') == NULL &&
          liq_time_looks_like_seconds(opt->to_ms)) {
        char hint[256];
        liq_time_seconds_hint(opt->to_ms, hint, sizeof hint);
        return usage_error(c, "%s: --to %s", c->name, hint);
      }
      opt->has_to = 1;
    } else if ((c->accepts & OPT_JOBS) && match_jobs(argv, argc, &i, &v)) {
      uint64_t n = 0;
      if (v == NULL)
        return usage_error(c, "%s: option '-j' needs a number of threads", c->name);
      if (parse_uint(v, 4096, &n) != 0 || n == 0)
        return usage_error(c, "%s: -j must be a whole number in 1..4096, got '%s'",
                           c->name, v);
      opt->jobs = (int)n;
    } else if ((c->accepts & OPT_SHARD) &&
               match_option(argv, argc, &i, "--shard", NULL, 1, &v)) {
      char kbuf[32];
      const char *slash = v ? strchr(v, '/') : NULL;
      uint64_t k = 0, n = 0;
      if (slash == NULL || (size_t)(slash - v) >= sizeof kbuf)
        return usage_error(c, "%s: --shard must be K/N (e.g. 2/8), got '%s'",
                           c->name, v ? v : "");
      memcpy(kbuf, v, (size_t)(slash - v));
      kbuf[slash - v] = '\0';
      if (parse_uint(kbuf, UINT32_MAX, &k) != 0 ||
          parse_uint(slash + 1, UINT32_MAX, &n) != 0 || k < 1 || n < 1 || k > n)
        return usage_error(c, "%s: --shard must be K/N with 1 <= K <= N, got '%s'",
                           c->name, v);
      opt->shard_k = (size_t)k;
      opt->shard_n = (size_t)n;
    } else if ((c->accepts & OPT_RESUME) &&
               match_option(argv, argc, &i, "--resume", NULL, 0, &v)) {
      opt->resume = 1;
    } else {
      return usage_error(c, "%s: unknown option '%s'", c->name, a);
    }
  }
  if (opt->input == NULL)
    return usage_error(c, "%s: missing %s argument", c->name, c->input_name);
  return -1;
}

/* ------------------------------------------------------------------------
** Errors and helpers
** --------------------------------------------------------------------- */

/* Print "liqsim: FILE:LINE: message" and return the exit code for it.
** 'reading_input': the error came from reading the inputs the user named,
** so an unreadable file (LIQ_IO) is bad input too. */
static int report_error(const liq_err *err, int reading_input) {
  char buf[sizeof err->file + sizeof err->msg + 64];
  liq_err e = *err;
  if (e.msg[0] == '\0')
    snprintf(e.msg, sizeof e.msg, "%s", liq_strerror(e.code));
  liq_err_format(&e, buf, sizeof buf);
  fprintf(stderr, "liqsim: %s\n", buf);
  if (e.code == LIQ_INPUT || e.code == LIQ_USAGE) return EXIT_BAD_INPUT;
  if (reading_input && e.code == LIQ_IO) return EXIT_BAD_INPUT;
  return EXIT_RUNTIME;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *model_name(int model) {
  switch (model) {
    case LIQ_PRICE_GBM:    return "gbm";
    case LIQ_PRICE_REPLAY: return "replay";
    case LIQ_PRICE_JUMP:   return "jump";
    case LIQ_PRICE_GARCH:  return "garch";
    case LIQ_PRICE_BOOTSTRAP: return "bootstrap";
    default:               return "unknown";
  }
}

/* Default database: results/<scenario name>.db, creating results/. */
static int default_out(const liq_scenario *sc, char *buf, size_t size,
                       liq_err *err) {
  if (mkdir(RESULTS_DIR, 0777) != 0 && errno != EEXIST)
    return liq_errf(err, LIQ_IO, RESULTS_DIR, 0,
                    "cannot create the results directory: %s", strerror(errno));
  snprintf(buf, size, "%s/%s.db", RESULTS_DIR, sc->name);
  return LIQ_OK;
}

/* The inputs of a run: scenario (with overrides), path, book. */
typedef struct inputs {
  liq_scenario *sc;
  liq_path     *path;
  liq_book     *book;
  uint64_t      seed;       /* base seed actually used */
} inputs;

/* The scenario's warnings (known keys its models do not use), once, on
** stderr: "liqsim: warning: FILE:LINE: ..." each. */
static void print_warnings(const liq_scenario *sc) {
  const char *z = sc->warnings;
  while (*z) {
    const char *nl = strchr(z, '\n');
    int len = nl ? (int)(nl - z) : (int)strlen(z);
    fprintf(stderr, "liqsim: warning: %.*s\n", len, z);
    z += len + (nl != NULL);
  }
}

/* Append each line of 'z' not yet in 'seen' (a growable "\n"-joined list)
** to it and print it as a warning. */
static void print_new_warnings(const char *z, char **seen, size_t *n_seen) {
  while (z && *z) {
    const char *nl = strchr(z, '\n');
    size_t len = nl ? (size_t)(nl - z) : strlen(z);
    char line[LIQ_SCENARIO_WARNINGS + 2];
    if (len > LIQ_SCENARIO_WARNINGS) len = LIQ_SCENARIO_WARNINGS;
    snprintf(line, sizeof line, "%.*s\n", (int)len, z);
    if (*seen == NULL || strstr(*seen, line) == NULL) {
      char *grown = realloc(*seen, *n_seen + strlen(line) + 1);
      fprintf(stderr, "liqsim: warning: %.*s\n", (int)len, z);
      if (grown != NULL) {
        memcpy(grown + *n_seen, line, strlen(line) + 1);
        *n_seen += strlen(line);
        *seen = grown;
      }
    }
    z += len + (nl != NULL);
  }
}

/* A sweep's warnings once: the base scenario's, and with a categorical
** axis (a model or policy at each point, e.g. impact.model = "none") each
** distinct one of its grid points' (keys the point's model does not use),
** so one file can hold every model's parameters. */
static void print_sweep_warnings(const liq_scenario *sc) {
  char *seen = NULL;
  size_t n_seen = 0, a, g;
  int categorical = 0;
  print_new_warnings(sc->warnings, &seen, &n_seen);
  for (a = 0; a < sc->sweep.n_axes; a++) categorical |= sc->sweep.axes[a].categorical;
  if (categorical) {
    liq_sweep_plan *plan = NULL;
    liq_err e;
    liq_err_clear(&e);
    /* An invalid point fails in liq_sweep_run() with its message. */
    if (liq_sweep_plan_build(sc, &plan, &e) == LIQ_OK)
      for (g = 0; g < plan->n_points; g++)
        print_new_warnings(plan->points[g].warnings, &seen, &n_seen);
    liq_sweep_plan_free(plan);
  }
  free(seen);
}

static int load_inputs(const options *opt, inputs *in /* OUT */, liq_err *err) {
  int rc;
  memset(in, 0, sizeof *in);
  rc = liq_scenario_load(opt->input, opt->ov, opt->n_ov, &in->sc, err);
  if (rc != LIQ_OK) return rc;
  print_warnings(in->sc);
  if (opt->has_seed) in->sc->seed = opt->seed;
  in->seed = in->sc->seed;
  /* A run is replicate 0 of its scenario (the same path and book). */
  rc = liq_inputs_build(in->sc, 0, &in->path, &in->book, err);
  if (rc != LIQ_OK) return rc;
  /* What the engine refuses before a run, so that check and run agree. */
  rc = liq_engine_check_inputs(in->sc, in->path, err);
  if (rc != LIQ_OK) return rc;
  {
    double *rates = NULL;
    rc = liq_funding_schedule(&in->sc->funding, in->path, &rates, err);
    free(rates);
  }
  return rc;
}

static void free_inputs(inputs *in) {
  liq_book_free(in->book);
  liq_path_free(in->path);
  liq_scenario_free(in->sc);
  memset(in, 0, sizeof *in);
}

/* ------------------------------------------------------------------------
** Subcommands
** --------------------------------------------------------------------- */

static void print_result(int64_t run_id, const liq_scenario *sc, uint64_t seed,
                         const liq_summary *sm, double wall, const char *db) {
  printf("run %" PRId64 " (%s, seed %" PRIu64 "): %zu of %zu liquidated, "
         "bad debt %.2f (uncovered %.2f), max rounds %d, impact at the low %+.1f bp, "
         "at the high %+.1f bp, %.2f s -> %s\n",
         run_id, sc->name, seed, sm->liquidated, sm->positions, sm->bad_debt,
         sm->uncovered_loss, sm->max_cascade_rounds, 1e4 * sm->impact_at_low,
         1e4 * sm->impact_at_high, wall, db);
}

/*
** A run's sink wraps the store's: SIGINT and SIGTERM stop the run at the
** next row (the store then records it failed, with why, and keeps none of
** its rows), and on a terminal a progress line like the sweep's shows
** after the first second.
*/
static volatile sig_atomic_t run_signal;

static void fmt_duration(double s, char *buf, size_t size);

static void on_run_signal(int sig) { run_signal = sig; }

typedef struct run_watch {
  liq_sink inner;             /* the store's sink */
  size_t n_steps;
  double t0, last;            /* start, time of the last progress line */
  int progress;               /* show a progress line (stderr is a terminal) */
  int printed;                /* a progress line is on the terminal */
} run_watch;

static int run_interrupted(liq_err *err) {
  int sig = run_signal;
  return liq_errf(err, LIQ_IO, NULL, 0, "interrupted by %s",
                  sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM"
                  : "a signal");
}

static void run_progress(run_watch *w, size_t step) {
  double now = now_seconds(), elapsed = now - w->t0, rate;
  char eta[32];
  size_t done = step + 1;
  if (elapsed < 1.0 || (now - w->last < 0.25 && done < w->n_steps)) return;
  w->last = now;
  rate = (double)done / elapsed;
  fmt_duration((double)(w->n_steps - done) / rate, eta, sizeof eta);
  fprintf(stderr, "\rrun: %zu/%zu steps (%.0f%%), %.0f steps/s, ETA %s   ",
          done, w->n_steps, 100.0 * (double)done / (double)w->n_steps, rate, eta);
  fflush(stderr);
  w->printed = 1;
}

static int watch_step(void *ud, const liq_step_row *row, liq_err *err) {
  run_watch *w = ud;
  if (run_signal) return run_interrupted(err);
  if (w->progress && (row->step % 64 == 0 || row->step + 1 == w->n_steps))
    run_progress(w, row->step);
  return w->inner.step(w->inner.ud, row, err);
}

static int watch_liquidation(void *ud, const liq_liquidation_row *row,
                             liq_err *err) {
  run_watch *w = ud;
  if (run_signal) return run_interrupted(err);
  return w->inner.liquidation(w->inner.ud, row, err);
}

static int watch_adl(void *ud, const liq_adl_row *row, liq_err *err) {
  run_watch *w = ud;
  if (run_signal) return run_interrupted(err);
  return w->inner.adl(w->inner.ud, row, err);
}

/* Catch SIGINT and SIGTERM once (a second one ends the process). */
static void run_signals(int catch_them) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = catch_them ? on_run_signal : SIG_DFL;
  sa.sa_flags = catch_them ? (SA_RESTART | SA_RESETHAND) : 0;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

static int cmd_run(const options *opt) {
  inputs in;
  liq_store *st = NULL;
  liq_store_sink_ctx ctx;
  liq_sink sink, engine_sink;
  liq_sink_thread *writer = NULL;
  run_watch watch;
  liq_summary sm;
  liq_err err, err2;
  char db[LIQ_PATH_MAX + 64];
  int64_t run_id = 0;
  int rc, code = EXIT_OK;
  double t0 = now_seconds();

  liq_err_clear(&err);
  memset(&sm, 0, sizeof sm);

  /* Inputs: scenario -> path -> book.  Failures here are bad input. */
  rc = load_inputs(opt, &in, &err);
  if (rc != LIQ_OK) {
    code = report_error(&err, 1);
    goto out;
  }

  if (in.sc->sweep.present && !opt->quiet)
    fprintf(stderr, "liqsim: %s has a sweep section: 'run' runs only the base "
            "point (no grid values, replicate 0); 'liqsim sweep %s' runs the "
            "grid\n", opt->input, opt->input);

  /* Output: the results database and its runs row. */
  if (opt->out != NULL) {
    snprintf(db, sizeof db, "%s", opt->out);
  } else {
    rc = default_out(in.sc, db, sizeof db, &err);
    if (rc != LIQ_OK) goto fail;
  }
  /* Signals are caught from before the runs row exists, so none can leave
  ** it 'running': the run then stops at its first row. */
  run_signal = 0;
  run_signals(1);
  rc = liq_store_open_run(db, &st, &err);   /* large pages for a new file */
  if (rc != LIQ_OK) goto fail;
  rc = liq_store_begin_run(st, in.sc, in.seed, &run_id, &err);
  if (rc != LIQ_OK) goto fail;
  /* The run: every step and liquidation goes to the store, written by a
  ** writer thread while the engine runs on (the same rows, in order). */
  ctx.st = st;
  ctx.sc = in.sc;
  ctx.n_steps = in.path->n;
  memset(&watch, 0, sizeof watch);
  watch.inner = liq_store_sink(&ctx);
  /* stats.positions (default: books of up to 10^6): the book as run,
  ** written by the writer thread before the first row */
  if (in.sc->stats.positions > 0 ||
      (in.sc->stats.positions < 0 && in.book->n <= 1000000u))
    ctx.positions = in.book;
  watch.n_steps = in.path->n;
  watch.t0 = now_seconds();
  watch.progress = !opt->quiet && isatty(STDERR_FILENO);
  sink.step = watch_step;
  sink.liquidation = watch.inner.liquidation ? watch_liquidation : NULL;
  sink.adl = watch.inner.adl ? watch_adl : NULL;
  sink.ud = &watch;
  /* the writer thread calls the watch (signals, progress), then the store */
  liq_sink_thread_start(&sink, &writer, &engine_sink);
  rc = liq_engine_run(in.sc, in.path, in.book, &engine_sink, &sm, &err);
  {
    int rc_writer = liq_sink_thread_finish(writer, &err2);
    if (rc_writer != LIQ_OK) {   /* the store's error stopped the run */
      rc = rc_writer;
      err = err2;
    }
  }
  if (watch.printed) fputc('\n', stderr);
  if (rc == LIQ_OK && run_signal) rc = run_interrupted(&err);
  if (rc == LIQ_OK) rc = liq_store_sink_positions(&ctx, &err);   /* no row came */
  if (rc == LIQ_OK) rc = liq_store_finish_run(st, &sm, &err);
  run_signals(0);         /* a signal from here on ends the process */
  if (rc != LIQ_OK) {
    liq_err_clear(&err2);
    if (liq_store_fail_run(st, err.msg[0] ? err.msg : liq_strerror(rc),
                           &err2) != LIQ_OK)
      report_error(&err2, 0);
    goto fail;
  }

  if (!opt->quiet)
    print_result(run_id, in.sc, in.seed, &sm, now_seconds() - t0, db);
  goto out;

fail:
  code = report_error(&err, 0);
out:
  run_signals(0);
  liq_store_close(st);
  free_inputs(&in);
  return code;
}

static int cmd_check(const options *opt) {
  inputs in;
  liq_err err;
  int rc, code = EXIT_OK;

  liq_err_clear(&err);
  rc = load_inputs(opt, &in, &err);
  if (rc == LIQ_OK && in.sc->sweep.present) {
    /* Every grid point loads as `liqsim sweep` would load it. */
    liq_sweep_plan *plan = NULL;
    rc = liq_sweep_plan_build(in.sc, &plan, &err);
    liq_sweep_plan_free(plan);
  }
  if (rc == LIQ_OK) rc = liq_calibrate_check(in.sc, opt->ov, opt->n_ov, &err);
  if (rc != LIQ_OK) {
    code = report_error(&err, 1);
  } else {
    printf("%s: ok (%zu positions, %zu steps, %s)\n", opt->input,
           in.book->n, in.path->n, model_name(in.sc->price.model));
  }
  free_inputs(&in);
  return code;
}

static int cmd_report(const options *opt) {
  liq_err err;
  int rc;

  liq_err_clear(&err);
  /* Don't let SQLite create an empty database for a mistyped name. */
  if (access(opt->input, R_OK) != 0) {
    liq_errf(&err, LIQ_IO, opt->input, 0, "cannot read the database: %s",
             strerror(errno));
    return report_error(&err, 1);
  }
  {
    struct stat sb;
    if (stat(opt->input, &sb) == 0 && !S_ISREG(sb.st_mode)) {
      liq_errf(&err, LIQ_INPUT, opt->input, 0, "is %s (expected a liqsim "
               "database file)", S_ISDIR(sb.st_mode) ? "a directory"
               : "not a regular file");
      return report_error(&err, 1);
    }
  }
  if (opt->has_sweep && opt->run_id != 0) {
    liq_errf(&err, LIQ_USAGE, NULL, 0, "report: give --run or --sweep, not both");
    return report_error(&err, 1);
  }
  /* A sweep database holds thousands of runs: its aggregates by default. */
  if (opt->has_sweep ||
      (opt->run_id == 0 && liq_store_report_is_sweep_db(opt->input)))
    rc = liq_store_report_sweep(opt->input, opt->sweep_id, stdout, &err);
  else
    rc = liq_store_report(opt->input, opt->run_id, stdout, &err);
  if (rc == LIQ_OK && opt->run_id == 0 && !opt->has_sweep)
    rc = liq_store_calibration_report(opt->input, stdout, &err);
  if (rc != LIQ_OK) return report_error(&err, 1);
  return EXIT_OK;
}

/* "2021-05-19 13:10" (UTC) for the fit's comment line: liq_time_format()
** without its seconds. */
static void fit_time(int64_t ms, char *buf, size_t size) {
  char full[48];
  size_t n;
  liq_time_format(ms, full, sizeof full);
  n = strlen(full);
  if (n > 3) full[n - 3] = '\0';
  snprintf(buf, size, "%s", full);
}

static int cmd_fit(const options *opt) {
  liq_path *p = NULL;
  liq_fit_result res;
  liq_err err;
  char a[32], b[32];
  int rc, code = EXIT_OK;

  liq_err_clear(&err);
  if (opt->model == NULL) {
    fputs("liqsim: fit: missing --model (gbm, jump or garch)\n"
          "Try 'liqsim fit --help' for more information.\n", stderr);
    return EXIT_BAD_INPUT;
  }
  rc = liq_path_replay(opt->input, opt->has_from, opt->from_ms, opt->has_to,
                       opt->to_ms, 0, &p, &err);
  if (rc != LIQ_OK) return report_error(&err, 1);
  rc = liq_fit_run(p, liq_fit_model_parse(opt->model), &res, &err);
  if (rc != LIQ_OK) {
    if (err.file[0] == '\0') snprintf(err.file, sizeof err.file, "%s", opt->input);
    code = report_error(&err, 1);
  } else {
    fit_time(p->t_ms[0], a, sizeof a);
    fit_time(p->t_ms[p->n - 1], b, sizeof b);
    printf("# fitted to %s: %zu bars, %s to %s UTC\n", opt->input, p->n, a, b);
    liq_fit_print_section(&res, stdout);
  }
  liq_path_free(p);
  return code;
}

/* Exit code of a library status, without printing (MPI ranks > 0). */
static int exit_code_of(int rc) {
  if (rc == LIQ_OK) return EXIT_OK;
  return (rc == LIQ_INPUT || rc == LIQ_USAGE) ? EXIT_BAD_INPUT : EXIT_RUNTIME;
}

/* "1h02m", "3m05s", "42s" */
static void fmt_duration(double s, char *buf, size_t size) {
  long t = (long)(s + 0.5);
  if (!isfinite(s) || s < 0) snprintf(buf, size, "?");
  else if (t >= 3600) snprintf(buf, size, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else if (t >= 60) snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
  else snprintf(buf, size, "%lds", t);
}

typedef struct sweep_progress_state {
  double last;                /* elapsed seconds at the last line */
  int printed;                /* a progress line is on the terminal */
} sweep_progress_state;

/* "sweep: 120/2000 tasks (6%), 35.2 tasks/s, ETA 53s" on one stderr line,
** at most four times a second. */
static void sweep_progress(void *ud, size_t done, size_t todo, double elapsed) {
  sweep_progress_state *p = ud;
  double rate;
  char eta[32];
  if (done < todo && elapsed - p->last < 0.25 && p->printed) return;
  p->last = elapsed;
  rate = elapsed > 0 ? (double)done / elapsed : 0.0;
  if (rate > 0) fmt_duration((double)(todo - done) / rate, eta, sizeof eta);
  else snprintf(eta, sizeof eta, "?");
  fprintf(stderr, "\rsweep: %zu/%zu tasks (%.0f%%), %.1f tasks/s, ETA %s   ",
          done, todo, todo ? 100.0 * (double)done / (double)todo : 100.0, rate,
          eta);
  fflush(stderr);
  p->printed = 1;
}

/* The library never aborts the process: when a sweep under MPI leaves the
** ranks out of step (liq_sweep_report.abort_ranks), the program aborts
** them all, so none waits for a message that will not come. */
static void abort_all_ranks(int code) {
#ifdef LIQ_HAVE_MPI
  int on = 0;
  MPI_Initialized(&on);
  if (on) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  (void)code;
}

static int cmd_sweep(const options *opt) {
  liq_scenario *sc = NULL;
  liq_sweep_options so;
  liq_sweep_report rep;
  sweep_progress_state prog;
  liq_err err;
  char db[LIQ_PATH_MAX + 64];
  int rc, rank = 0, size = 1, code = EXIT_OK;

  liq_err_clear(&err);
  memset(&so, 0, sizeof so);
  memset(&prog, 0, sizeof prog);
  rc = liq_sweep_mpi_begin(NULL, NULL, &rank, &size, &err);
  if (rc != LIQ_OK) return report_error(&err, 0);

  {
    /* --seed N is the override seed=N after the --set ones, so each grid
    ** point (unless seed is an axis) and the sweep's spec carry it. */
    liq_override *ov = calloc(opt->n_ov + 1, sizeof *ov);
    char seed_set[48];
    size_t n = opt->n_ov;
    if (ov == NULL) {
      liq_errf(&err, LIQ_NOMEM, NULL, 0, "out of memory");
      code = report_error(&err, 0);
      goto out;
    }
    if (n) memcpy(ov, opt->ov, n * sizeof *ov);
    if (opt->has_seed) {
      snprintf(seed_set, sizeof seed_set, "seed=%" PRIu64, opt->seed);
      ov[n++].assignment = seed_set;
    }
    rc = liq_scenario_load(opt->input, ov, n, &sc, &err);
    free(ov);
  }
  if (rc != LIQ_OK) {
    code = rank == 0 ? report_error(&err, 1) : exit_code_of(rc);
    goto out;
  }
  if (rank == 0) print_sweep_warnings(sc);
  if (rank == 0 && sc->stats.positions == 1)   /* a warning: also with --quiet */
    fprintf(stderr, "liqsim: %s: stats.positions = true is for 'liqsim run': a sweep "
            "stores no books (R x G of them); 'liqsim run %s --set KEY=VALUE ...' "
            "with a grid point's values stores that point's replicate-0 book\n",
            opt->input, opt->input);
  if (opt->out != NULL) {
    snprintf(db, sizeof db, "%s", opt->out);
  } else {
    rc = default_out(sc, db, sizeof db, &err);
    if (rc != LIQ_OK) {
      code = rank == 0 ? report_error(&err, 0) : exit_code_of(rc);
      goto out;
    }
    if (opt->shard_n > 1)
      snprintf(db, sizeof db, "%s/%s-shard-%zu-of-%zu.db", RESULTS_DIR, sc->name,
               opt->shard_k, opt->shard_n);
  }

  so.db = db;
  so.threads = opt->jobs;
  so.shard_k = opt->shard_k;
  so.shard_n = opt->shard_n;
  so.resume = opt->resume;
  if (!opt->quiet && rank == 0 && isatty(STDERR_FILENO)) {
    so.progress = sweep_progress;
    so.progress_ud = &prog;
  }
  rc = liq_sweep_run(sc, &so, &rep, &err);
  if (prog.printed) fputc('\n', stderr);
  if (rc != LIQ_OK) {
    code = rank == 0 || rep.abort_ranks ? report_error(&err, 0) : exit_code_of(rc);
    if (rep.abort_ranks) abort_all_ranks(code);
    if (rep.abort_ranks) abort_all_ranks(code);
    goto out;
  }
  if (!opt->quiet && rank == 0) {
    char shard[64] = "";
    if (opt->shard_n > 1)
      snprintf(shard, sizeof shard, ", shard %zu/%zu: %zu tasks", opt->shard_k,
               opt->shard_n, rep.n_shard);
    printf("sweep %" PRId64 " (%s): %zu tasks = %zu grid points x %zu "
           "replicates%s; %zu run now, %zu done before; %.2f s, %.1f tasks/s, "
           "%d thread%s x %d rank%s -> %s\n",
           rep.sweep_id, sc->name, rep.n_tasks, rep.n_points,
           rep.n_points ? rep.n_tasks / rep.n_points : 0, shard, rep.n_run,
           rep.n_already, rep.seconds,
           rep.seconds > 0 ? (double)rep.n_run / rep.seconds : 0.0,
           rep.threads, rep.threads == 1 ? "" : "s", rep.ranks,
           rep.ranks == 1 ? "" : "s", db);
  }

out:
  liq_scenario_free(sc);
  liq_sweep_mpi_end();
  return code;
}

static int cmd_merge(const options *opt) {
  liq_err err;
  int64_t sweep_id = 0;
  size_t i, n_done = 0, n_tasks = 0;
  int rc;

  liq_err_clear(&err);
  if (opt->n_inputs < 2) {
    fputs("liqsim: merge: needs OUT_DB and at least one IN_DB\n"
          "Try 'liqsim merge --help' for more information.\n", stderr);
    return EXIT_BAD_INPUT;
  }
  /* Don't let SQLite create an empty database for a mistyped input. */
  for (i = 1; i < opt->n_inputs; i++) {
    if (access(opt->inputs[i], R_OK) != 0) {
      liq_errf(&err, LIQ_IO, opt->inputs[i], 0, "cannot read the database: %s",
               strerror(errno));
      return report_error(&err, 1);
    }
  }
  rc = liq_sweep_merge(opt->inputs[0], opt->inputs + 1, opt->n_inputs - 1,
                       &sweep_id, &n_done, &n_tasks, &err);
  if (rc != LIQ_OK) return report_error(&err, 1);
  if (!opt->quiet)
    printf("merged %zu database%s into %s: sweep %" PRId64 ", %zu of %zu tasks "
           "done\n", opt->n_inputs - 1, opt->n_inputs == 2 ? "" : "s",
           opt->inputs[0], sweep_id, n_done, n_tasks);
  if (n_done < n_tasks)
    fprintf(stderr, "liqsim: merge: %zu of %zu tasks missing; run them with "
            "'liqsim sweep SCENARIO --resume --out %s'\n", n_tasks - n_done,
            n_tasks, opt->inputs[0]);
  return EXIT_OK;
}

/* "2,000" */
static void fmt_count(size_t n, char *buf, size_t size) {
  char raw[32];
  size_t len, i, o = 0;
  snprintf(raw, sizeof raw, "%zu", n);
  len = strlen(raw);
  for (i = 0; i < len && o + 2 < size; i++) {
    if (i > 0 && (len - i) % 3 == 0) buf[o++] = ',';
    buf[o++] = raw[i];
  }
  buf[o] = '\0';
}

/* The result line, the direction, and the evaluated points by value. */
static void print_calibration(const liq_scenario *sc, const liq_calibrate_result *r,
                              int64_t id, const char *db) {
  const liq_calibrate_params *cp = &sc->calibrate;
  const char *tn = liq_calibrate_target_name(cp->target);
  char reps[32], runs[32];
  int dec;
  size_t i, j, *o = malloc((r->n_points ? r->n_points : 1) * sizeof *o);
  fmt_count(r->replicates, reps, sizeof reps);
  fmt_count(r->runs, runs, sizeof runs);
  /* the key to the tolerance's decimals, as the search resolved it */
  dec = cp->tolerance > 0 ? (int)ceil(-log10(cp->tolerance) - 1e-9) : 6;
  if (dec < 0) dec = 0;
  if (dec > 12) dec = 12;
  if (r->has_value)
    printf("%s = %.*f (%g %% CI %.*f to %.*f): %s %.4g <= %g (se %.2g); "
           "%zu evaluations x %s replicates in %.1f s\n",
           cp->key, dec, r->value, 100.0 * cp->confidence, dec, r->ci_low, dec,
           r->ci_high, tn, r->metric_at_value, cp->max, r->metric_se,
           r->n_points, reps, r->seconds);
  else
    printf("%s: no value (%s): %s; %zu evaluations x %s replicates in %.1f s\n",
           cp->key, liq_calibrate_status_name(r->status), r->note, r->n_points,
           reps, r->seconds);
  printf("  %s %s as %s rises, so the answer is the %s value that meets it; "
         "%s runs simulated (the rest implied); book.cap_response = \"%s\"; "
         "calibration %lld -> %s\n", tn,
         r->direction < 0 ? "falls" : r->direction > 0 ? "rises" : "is flat",
         cp->key, r->direction > 0 ? "largest" : "smallest", runs,
         r->cap_response, (long long)id, db);
  if (r->has_value && r->note[0]) printf("  note: %s\n", r->note);
  if (o == NULL) return;
  for (i = 0; i < r->n_points; i++) {           /* by value, ties in order */
    for (j = i; j > 0 && r->points[o[j - 1]].value > r->points[i].value; j--)
      o[j] = o[j - 1];
    o[j] = i;
  }
  printf("  %14s  %12s  %10s  %6s\n", cp->key, tn, "se", "runs");
  for (i = 0; i < r->n_points; i++) {
    const liq_calibrate_point *p = &r->points[o[i]];
    printf("  %14.6g  %12.6g  %10.2g  %6zu%s%s\n", p->value, p->metric,
           p->metric_se, p->runs, p->metric <= cp->max ? "  meets" : "",
           r->has_value && p->value == r->value ? " <- answer" : "");
  }
  free(o);
}

/* "calibrate: 12 evaluations, margin.initial = 0.3155: bad_debt_probability
** 0.011; 4,203 runs, 41 s" on one stderr line. */
static void calibrate_progress(void *ud, size_t evaluations, double value,
                               double metric, size_t runs, double elapsed) {
  const liq_calibrate_params *cp = ud;
  char n[32];
  fmt_count(runs, n, sizeof n);
  fprintf(stderr, "\rcalibrate: %zu evaluations, %s = %.6g: %s %.4g; %s runs, "
          "%.0f s   ", evaluations, cp->key, value,
          liq_calibrate_target_name(cp->target), metric, n, elapsed);
  fflush(stderr);
}

static int cmd_calibrate(const options *opt) {
  liq_scenario *sc = NULL;
  liq_calibrate_result res;
  liq_err err;
  char db[LIQ_PATH_MAX + 64];
  int64_t id = 0;
  int rc, show, code = EXIT_OK;

  liq_err_clear(&err);
  memset(&res, 0, sizeof res);
  rc = liq_scenario_load(opt->input, opt->ov, opt->n_ov, &sc, &err);
  if (rc != LIQ_OK) return report_error(&err, 1);
  if (!sc->calibrate.present) {
    liq_errf(&err, LIQ_INPUT, opt->input, 0,
             "the scenario has no calibrate section (calibrate = { key = "
             "\"margin.initial\"; range = [...]; target = ...; max = ...; })");
    code = report_error(&err, 1);
    goto out;
  }
  if (opt->out != NULL) {
    snprintf(db, sizeof db, "%s", opt->out);
  } else if ((rc = default_out(sc, db, sizeof db, &err)) != LIQ_OK) {
    code = report_error(&err, 0);
    goto out;
  }
  show = !opt->quiet && isatty(STDERR_FILENO);
  rc = liq_calibrate_run_with_progress(sc, opt->ov, opt->n_ov, NULL, opt->jobs,
                                       show ? calibrate_progress : NULL,
                                       &sc->calibrate, &res, &err);
  if (show) fputc('\n', stderr);
  if (rc == LIQ_OK) rc = liq_store_calibration_write(db, sc, &sc->calibrate, &res, &id, &err);
  if (rc != LIQ_OK) {
    code = report_error(&err, 1);
    goto out;
  }
  if (!opt->quiet) print_calibration(sc, &res, id, db);
out:
  liq_calibrate_result_free(&res);
  liq_scenario_free(sc);
  return code;
}

/* ------------------------------------------------------------------------
** main: parse -> dispatch
** --------------------------------------------------------------------- */

/*
** glibc maps every allocation above its (adaptive) threshold and trims the
** heap top back to the system on free; calibrate's and a sweep's jobs
** allocate and free books of a few hundred KiB each, so they paid 4.3 s of
** system time in 11 s of scenarios/calibrate-initial-margin.cfg (now 0.03 s;
** 8.7 s wall).  Below 4 MiB from the heap, and keep what is freed: peak
** memory does not change (W2's 10^7-position run: 572 MB either way, its
** arrays are larger and still mapped).
*/
static void tune_malloc(void) {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

int main(int argc, char **argv) {
  const command *c = NULL;
  options opt;
  size_t i;
  int code;

  tune_malloc();
  gsl_set_error_handler_off();   /* GSL's default handler aborts */

  if (argc < 2) {
    print_usage(stderr);
    return EXIT_BAD_INPUT;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    print_usage(stdout);
    return EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("liqsim %s\n", LIQ_VERSION);
    return EXIT_OK;
  }
  for (i = 0; i < N_COMMANDS; i++)
    if (strcmp(argv[1], COMMANDS[i].name) == 0) c = &COMMANDS[i];
  if (c == NULL) {
    if (argv[1][0] == '-')
      return usage_error(NULL, "unknown option '%s'", argv[1]);
    return usage_error(NULL, "unknown command '%s'", argv[1]);
  }
  if (strcmp(c->name, "backtest") == 0) return liq_cli_backtest(argc - 2, argv + 2);
  if (c->fn == NULL) {
    fprintf(stderr, "liqsim: %s is not implemented yet\n", c->name);
    return EXIT_BAD_INPUT;
  }

  code = parse_options(c, argc - 2, argv + 2, &opt);
  if (code < 0) code = c->fn(&opt);
  free(opt.ov);
  free(opt.inputs);
  return code;
}
