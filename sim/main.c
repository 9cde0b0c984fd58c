/*
** main.c: the liqsim command-line program.
**
**   liqsim run SCENARIO [--out DB] [--seed N] [--set key=value]... [--quiet]
**   liqsim check SCENARIO [--set key=value]...
**   liqsim report DB [--run ID]
**   liqsim sweep | calibrate | backtest | fit | merge     (not implemented yet)
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
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "liq_book.h"
#include "liq_engine.h"
#include "liq_err.h"
#include "liq_path.h"
#include "liq_scenario.h"
#include "liq_store.h"

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
  OPT_RUN   = 1 << 4
};

typedef struct options {
  const char   *input;      /* SCENARIO (run, check) or DB (report) */
  const char   *out;        /* --out DB, NULL: results/<name>.db */
  int           has_seed;
  uint64_t      seed;       /* --seed N, overrides the scenario's seed */
  int64_t       run_id;     /* --run ID, 0: all runs */
  liq_override *ov;         /* --set overrides in command-line order (owned) */
  size_t        n_ov;
  int           quiet;      /* --quiet: no result line */
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
    "  -h, --help           show this help\n" },
  { "check", cmd_check, OPT_SET, "SCENARIO",
    "check SCENARIO [--set key=value]...",
    "Validate a scenario without running it: the file, the overrides, the\n"
    "price data (replay CSV) and the book.  Prints\n"
    "'SCENARIO: ok (N positions, T steps, MODEL)' or a FILE:LINE error.\n"
    "\n"
    "      --set key=value  apply an override before validating; repeatable\n"
    "  -h, --help           show this help\n" },
  { "report", cmd_report, OPT_RUN, "DB",
    "report DB [--run ID]",
    "Print a text summary of the runs stored in a results database.\n"
    "\n"
    "      --run ID         only this run (default: all runs)\n"
    "  -h, --help           show this help\n" },
  { "sweep", NULL, 0, NULL,
    "sweep SCENARIO [--out DB] [-j N] [--shard K/N] [--resume]", NULL },
  { "calibrate", NULL, 0, NULL, "calibrate SCENARIO [--out DB] [-j N]", NULL },
  { "backtest", NULL, 0, NULL, "backtest ...", NULL },
  { "fit", NULL, 0, NULL, "fit CSV --model gbm|jump|garch", NULL },
  { "merge", NULL, 0, NULL, "merge OUT_DB IN_DB...", NULL },
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void print_usage(FILE *f) {
  size_t i;
  fprintf(f, "usage: liqsim COMMAND [ARGS]\n\n"
             "liqsim simulates liquidation cascades of leveraged positions.\n\n"
             "commands:\n");
  for (i = 0; i < N_COMMANDS; i++)
    fprintf(f, "  liqsim %s%s\n", COMMANDS[i].synopsis,
            COMMANDS[i].fn ? "" : "   (not implemented yet)");
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
  if (opt->ov == NULL) {
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
    if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
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
      if (parse_uint(v, UINT64_MAX, &opt->seed) != 0)
        return usage_error(c, "%s: --seed must be a non-negative integer, got '%s'",
                           c->name, v);
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
    } else if ((c->accepts & OPT_RUN) &&
               match_option(argv, argc, &i, "--run", NULL, 1, &v)) {
      uint64_t id = 0;
      if (v == NULL)
        return usage_error(c, "%s: option '--run' needs a run id", c->name);
      if (parse_uint(v, INT64_MAX, &id) != 0 || id == 0)
        return usage_error(c, "%s: --run must be a positive integer, got '%s'",
                           c->name, v);
      opt->run_id = (int64_t)id;
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

static int load_inputs(const options *opt, inputs *in /* OUT */, liq_err *err) {
  int rc;
  memset(in, 0, sizeof *in);
  rc = liq_scenario_load(opt->input, opt->ov, opt->n_ov, &in->sc, err);
  if (rc != LIQ_OK) return rc;
  if (opt->has_seed) in->sc->seed = opt->seed;
  in->seed = in->sc->seed;
  rc = liq_path_build(in->sc, liq_seed(in->seed, 0, LIQ_STREAM_PATH),
                      &in->path, err);
  if (rc != LIQ_OK) return rc;
  if (in->path->n == 0)
    return liq_errf(err, LIQ_INPUT, opt->input, 0, "the price path has no bars");
  return liq_book_generate(&in->sc->book, &in->sc->margin, in->path->open[0],
                           liq_seed(in->seed, 0, LIQ_STREAM_BOOK), &in->book,
                           err);
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
  char amp[32];
  if (isnan(sm->amplification))
    snprintf(amp, sizeof amp, "n/a");
  else
    snprintf(amp, sizeof amp, "%.3f", sm->amplification);
  printf("run %" PRId64 " (%s, seed %" PRIu64 "): %zu of %zu liquidated, "
         "bad debt %.2f (uncovered %.2f), max rounds %d, amplification %s, "
         "%.2f s -> %s\n",
         run_id, sc->name, seed, sm->liquidated, sm->positions, sm->bad_debt,
         sm->uncovered_loss, sm->max_cascade_rounds, amp, wall, db);
}

static int cmd_run(const options *opt) {
  inputs in;
  liq_store *st = NULL;
  liq_store_sink_ctx ctx;
  liq_sink sink;
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

  /* Output: the results database and its runs row. */
  if (opt->out != NULL) {
    snprintf(db, sizeof db, "%s", opt->out);
  } else {
    rc = default_out(in.sc, db, sizeof db, &err);
    if (rc != LIQ_OK) goto fail;
  }
  rc = liq_store_open(db, &st, &err);
  if (rc != LIQ_OK) goto fail;
  rc = liq_store_begin_run(st, in.sc, in.seed, &run_id, &err);
  if (rc != LIQ_OK) goto fail;

  /* The run: every step and liquidation goes straight to the store. */
  ctx.st = st;
  ctx.sc = in.sc;
  ctx.n_steps = in.path->n;
  sink = liq_store_sink(&ctx);
  rc = liq_engine_run(in.sc, in.path, in.book, &sink, &sm, &err);
  if (rc == LIQ_OK) rc = liq_store_finish_run(st, &sm, &err);
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
  if (rc != LIQ_OK) {
    code = report_error(&err, 1);
  } else {
    printf("%s: ok (%zu positions, %zu steps, %s)\n", opt->input,
           in.sc->book.positions, in.path->n, model_name(in.sc->price.model));
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
  rc = liq_store_report(opt->input, opt->run_id, stdout, &err);
  if (rc != LIQ_OK) return report_error(&err, 1);
  return EXIT_OK;
}

/* ------------------------------------------------------------------------
** main: parse -> dispatch
** --------------------------------------------------------------------- */

int main(int argc, char **argv) {
  const command *c = NULL;
  options opt;
  size_t i;
  int code;

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
  if (c->fn == NULL) {
    fprintf(stderr, "liqsim: %s is not implemented yet\n", c->name);
    return EXIT_BAD_INPUT;
  }

  code = parse_options(c, argc - 2, argv + 2, &opt);
  if (code < 0) code = c->fn(&opt);
  free(opt.ov);
  return code;
}
