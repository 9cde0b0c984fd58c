/*
** test_input_edges.c: regression tests for the input side (scenario
** loader, --set, price/book/depth/funding CSVs, fit, CLI) at its edges.
**
** Each test once demonstrated a bug found in a review; its comment says
** what used to happen and what happens now.  The project rule they guard:
** bad input is LIQ_INPUT / exit 2 with "liqsim: FILE:LINE: what is wrong",
** never a crash, a hang or a silent default.  CLI cases run the liqsim
** binary (LIQ_BINARY) with a time limit and check the exit code and
** stderr, because several of the old bugs aborted, hung or exited the
** process.  Every temporary directory is removed at the end.
*/
#define _DEFAULT_SOURCE 1   /* mkdtemp, mkfifo, lstat */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

#include "liq_book.h"
#include "liq_engine.h"
#include "liq_funding.h"
#include "liq_path.h"
#include "liq_scenario.h"

extern char **environ;

/* ------------------------------------------------------------------------
** Helpers
*/

/* The temporary directories made so far, removed by the group teardown
** (which runs even when a test fails). */
static char made_dirs[64][256];
static size_t n_made_dirs;

/* A fresh directory for one test's files. */
static void temp_dir(char *buf, size_t size) {
  const char *dir = getenv("TMPDIR");
  snprintf(buf, size, "%s/liqsim-edges-XXXXXX", dir ? dir : "/tmp");
  assert_non_null(mkdtemp(buf));
  if (n_made_dirs < sizeof made_dirs / sizeof made_dirs[0])
    snprintf(made_dirs[n_made_dirs++], sizeof made_dirs[0], "%s", buf);
}

/* Remove 'path' and, for a directory, everything under it. */
static void remove_tree(const char *path) {
  struct stat st;
  DIR *d;
  struct dirent *e;
  if (lstat(path, &st) != 0) return;
  if (!S_ISDIR(st.st_mode)) {
    unlink(path);
    return;
  }
  if ((d = opendir(path)) != NULL) {
    while ((e = readdir(d)) != NULL) {
      char sub[1024];
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      remove_tree(sub);
    }
    closedir(d);
  }
  rmdir(path);
}

static int remove_temp_dirs(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < n_made_dirs; i++) remove_tree(made_dirs[i]);
  n_made_dirs = 0;
  return 0;
}

/* Write 'n' bytes (may hold NULs) to dir/name; the path goes to 'out'. */
static void write_file(const char *dir, const char *name, const char *data,
                       size_t n, char *out, size_t size) {
  FILE *f;
  snprintf(out, size, "%s/%s", dir, name);
  f = fopen(out, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  fclose(f);
}

static void write_text(const char *dir, const char *name, const char *text,
                       char *out, size_t size) {
  write_file(dir, name, text, strlen(text), out, size);
}

/* Read up to size - 1 bytes of 'path' into buf (NUL-terminated). */
static char *slurp(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "rb");
  size_t n = 0;
  if (f != NULL) {
    n = fread(buf, 1, size - 1, f);
    fclose(f);
  }
  buf[n] = '\0';
  return buf;
}

typedef struct cli_result {
  int   code;        /* exit code; -1: killed at the time limit; 128+sig: signal */
  char *out, *err;   /* stdout, stderr (static buffers: nothing leaks when an
                     ** assertion fails) */
} cli_result;

/* Run liqsim with argv[] (NULL-terminated, without the program name),
** killing it after 'limit_s' seconds. */
static cli_result run_cli(const char *dir, double limit_s, const char *const *args) {
  static char out_text[65536], err_text[65536];
  char out[512], err[512];
  const char *argv[32];
  posix_spawn_file_actions_t fa;
  cli_result r;
  struct timespec t0, now, nap = {0, 10 * 1000 * 1000};
  pid_t pid;
  int status = 0, i;

  snprintf(out, sizeof out, "%s/stdout.txt", dir);
  snprintf(err, sizeof err, "%s/stderr.txt", dir);
  argv[0] = LIQ_BINARY;
  for (i = 0; args[i] && i < 30; i++) argv[i + 1] = args[i];
  argv[i + 1] = NULL;
  assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
  posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  assert_int_equal(posix_spawn(&pid, LIQ_BINARY, &fa, NULL, (char *const *)argv,
                               environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((double)(now.tv_sec - t0.tv_sec) + 1e-9 * (double)(now.tv_nsec - t0.tv_nsec) >
        limit_s) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.code = -1;
      r.out = slurp(out, out_text, sizeof out_text);
      r.err = slurp(err, err_text, sizeof err_text);
      return r;
    }
    nanosleep(&nap, NULL);
  }
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out, out_text, sizeof out_text);
  r.err = slurp(err, err_text, sizeof err_text);
  return r;
}

/* stderr must start with "liqsim: <something ending in 'file_suffix'>:<line>: ". */
static int located_in(const char *err, const char *file_suffix) {
  const char *p;
  if (strncmp(err, "liqsim: ", 8) != 0) return 0;
  p = strstr(err, file_suffix);
  if (p == NULL) return 0;
  p += strlen(file_suffix);
  if (*p++ != ':') return 0;
  if (*p < '1' || *p > '9') return 0;
  while (*p >= '0' && *p <= '9') p++;
  return p[0] == ':' && p[1] == ' ';
}

/* located_in() at exactly 'line'. */
static int located_at(const char *err, const char *file_suffix, int line) {
  char want[300];
  snprintf(want, sizeof want, "%s:%d: ", file_suffix, line);
  return located_in(err, file_suffix) && strstr(err, want) != NULL;
}

static void print_cli(const char *what, const cli_result *r) {
  print_message("%s: exit %d\n  stderr: %.600s\n", what, r->code, r->err);
}

/* Load 'text' (named 'name'), expecting LIQ_INPUT at 'line' with a message
** holding 'fragment'. */
static void expect_bad(const char *text, const char *name, int line,
                       const char *fragment) {
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, name, NULL, 0, &sc, &err);
  if (rc != LIQ_INPUT || err.line != line || strstr(err.msg, fragment) == NULL)
    print_message("expected %s:%d: ...%s...\n     got rc %d, %s:%d: %s\n", name, line,
                  fragment, rc, err.file, err.line, err.msg);
  liq_scenario_free(sc);
  assert_int_equal(rc, LIQ_INPUT);
  assert_null(sc);
  assert_string_equal(err.file, name);
  assert_int_equal(err.line, line);
  assert_non_null(strstr(err.msg, fragment));
}

/* The book and margin every scenario below shares (4 lines). */
#define BOOK_MARGIN                                                            \
  "book = { positions = 10; long_share = 0.5;\n"                               \
  "  leverage = { values = [2.0, 5.0]; };\n"                                   \
  "  notional = { dist = \"fixed\"; median = 1000.0; }; };\n"                  \
  "margin = { initial = 0.01; maintenance = 0.005; };\n"

/* 4 lines; price.model on line 4. */
#define GBM_HEAD                                                               \
  "name = \"edges\";\n"                                                        \
  "steps = 10;\n"                                                              \
  "step_seconds = 60;\n"                                                       \
  "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n"

/* ------------------------------------------------------------------------
** Scenario loader
*/

/*
** Used to: widenIntegers() rewrote only the main file's text while
** libconfig read @include'd files itself, so an integer wider than 32
** bits in an included file was silently wrapped by libconfig 1.5 (a
** window start of 1700000180000 became some other time).  Now @include
** is refused at its line before libconfig sees the text; the words in a
** comment are no directive.
*/
static void test_include_refused(void **state) {
  char dir[256], csv[512], inc[512], cfg[512], text[4096];
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  temp_dir(dir, sizeof dir);
  snprintf(csv, sizeof csv, "%s/cli_ok.csv", LIQ_TEST_DATA);
  snprintf(text, sizeof text,
           "price = { model = \"replay\"; file = \"%s\"; from = 1700000180000; };\n",
           csv);
  write_text(dir, "price.cfg", text, inc, sizeof inc);
  write_text(dir, "main.cfg", "name = \"inc\";\n@include \"price.cfg\"\n" BOOK_MARGIN,
             cfg, sizeof cfg);
  liq_err_clear(&err);
  rc = liq_scenario_load(cfg, NULL, 0, &sc, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_null(sc);
  assert_string_equal(err.file, cfg);
  assert_int_equal(err.line, 2);
  assert_string_equal(err.msg, "@include is not supported: put the settings in the "
                               "scenario file");

  /* In comments, "@include" is text. */
  liq_err_clear(&err);
  rc = liq_scenario_load_string("# @include \"price.cfg\"\n"
                                "/* @include \"price.cfg\" */\n"
                                "// @include \"price.cfg\"\n" GBM_HEAD BOOK_MARGIN,
                                "c.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  liq_scenario_free(sc);
}

/*
** Used to: libconfig opened @include files itself, and including a
** directory made flex's YY_FATAL_ERROR print "input in flex scanner
** failed" and call exit(2) inside the library: no "liqsim: FILE:LINE:"
** message, and a sweep worker or any library user was killed outright.
** Now the directive is refused before libconfig reads anything.
*/
static void test_include_directory_refused(void **state) {
  char dir[256], sub[512], cfg[512];
  const char *args[] = {"check", cfg, NULL};
  cli_result r;
  (void)state;
  temp_dir(dir, sizeof dir);
  snprintf(sub, sizeof sub, "%s/sub", dir);
  assert_int_equal(mkdir(sub, 0700), 0);
  write_text(dir, "incdir.cfg", "name = \"d\";\n@include \"sub\"\n", cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  print_cli("check @include \"sub\" (a directory)", &r);
  assert_int_equal(r.code, 2);
  assert_true(located_at(r.err, "incdir.cfg", 2));
  assert_non_null(strstr(r.err, "@include is not supported"));
}

/*
** Used to: libconfig 1.5 joined the include dir to every @include name,
** absolute ones too, so @include "/abs/path.cfg" failed with "cannot open
** include file" whenever the scenario was named with a directory.  Now
** every @include, absolute or relative, gets the same located refusal.
*/
static void test_include_absolute_refused(void **state) {
  char dir[256], inc[512], cfg[512], text[4096];
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "price.cfg",
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n",
             inc, sizeof inc);
  snprintf(text, sizeof text,
           "name = \"abs\";\nsteps = 10;\nstep_seconds = 60;\n@include \"%s\"\n"
           BOOK_MARGIN, inc);
  write_text(dir, "main.cfg", text, cfg, sizeof cfg);
  liq_err_clear(&err);
  rc = liq_scenario_load(cfg, NULL, 0, &sc, &err);
  liq_scenario_free(sc);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 4);
  assert_non_null(strstr(err.msg, "@include is not supported"));
}

/*
** Used to: widenIntegers() looked ahead from every '[' to the next ']'
** token, so text with many '[' and no ']' cost O(n^2): 100 kB of '['
** took 52 s under ASan.  Now one linear pass marks each array once: the
** syntax error comes at once.
*/
static void test_bracket_lookahead_linear(void **state) {
  char dir[256], cfg[512];
  const char *args[] = {"check", cfg, NULL};
  size_t n = 60000;
  char *text = malloc(n + 8);
  cli_result r;
  (void)state;
  assert_non_null(text);
  memcpy(text, "x = ", 4);
  memset(text + 4, '[', n);
  text[n + 4] = '\n';
  temp_dir(dir, sizeof dir);
  write_file(dir, "brackets.cfg", text, n + 5, cfg, sizeof cfg);
  free(text);
  r = run_cli(dir, 2.0, args);
  print_cli("check 60000 x '['", &r);
  assert_int_equal(r.code, 2);           /* -1: still running after 2 s */
  assert_true(located_in(r.err, "brackets.cfg"));
}

/* Widening still works across arrays: a wide literal widens its array. */
static void test_wide_integers_in_arrays(void **state) {
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  liq_err_clear(&err);
  rc = liq_scenario_load_string(GBM_HEAD BOOK_MARGIN
                                "sweep = { grid = ( { key = \"seed\"; values = "
                                "[1, 5000000000, 2]; }, { key = \"steps\"; "
                                "values = [10, 20]; } ); };\n",
                                "w.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_int_equal(sc->sweep.n_axes, 2);
  assert_rel(sc->sweep.axes[0].values[1], 5e9, 0);
  assert_rel(sc->sweep.axes[0].values[2], 2.0, 0);
  assert_rel(sc->sweep.axes[1].values[1], 20.0, 0);
  liq_scenario_free(sc);
}

/*
** Used to: integerIn() compared a float with (double)LLONG_MAX, which
** rounds up to 2^63, so d = 2^63 passed and (long long)d was undefined
** (INT64_MIN on x86): price.from = 9223372036854775808.0 silently became
** INT64_MIN and --set seed=9223372036854775808 was reported as "got
** -9223372036854775808".  Now only [-2^63, 2^63) converts.
*/
static void test_float_2pow63_rejected(void **state) {
  char text[4096];
  liq_scenario *sc = NULL;
  liq_err err;
  liq_override ov[1] = {{"seed=9223372036854775808"}};
  int rc;
  (void)state;
  snprintf(text, sizeof text,
           "name = \"w\";\n"
           "price = { model = \"replay\"; file = \"%s/cli_ok.csv\";\n"
           "  from = 9223372036854775808.0; };\n" BOOK_MARGIN, LIQ_TEST_DATA);
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "w.cfg", NULL, 0, &sc, &err);
  liq_scenario_free(sc);
  sc = NULL;
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 3);

  liq_err_clear(&err);
  rc = liq_scenario_load_string(GBM_HEAD BOOK_MARGIN, "s.cfg", ov, 1, &sc, &err);
  assert_int_equal(rc, LIQ_INPUT);
  print_message("--set seed=2^63: %s\n", err.msg);
  assert_null(strstr(err.msg, "-9223372036854775808"));

  /* -2^63 itself is a valid time. */
  snprintf(text, sizeof text,
           "name = \"w\";\n"
           "price = { model = \"replay\"; file = \"%s/cli_ok.csv\";\n"
           "  from = -9223372036854775808.0; };\n" BOOK_MARGIN, LIQ_TEST_DATA);
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "w.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_true(sc->price.from_ms == INT64_MIN);
  liq_scenario_free(sc);
}

/*
** Used to: fmt_time() negated ms, which overflows for INT64_MIN, so
** price.to = -9223372036854775808 (a valid bound) made the replay's "no
** bars between ..." message abort under UBSan (exit 1, no liqsim
** message).  Now it floors without negating: exit 2 with the message.
*/
static void test_window_to_int64_min(void **state) {
  char dir[256], cfg[512], text[4096];
  const char *args[] = {"check", cfg, NULL};
  cli_result r;
  (void)state;
  temp_dir(dir, sizeof dir);
  snprintf(text, sizeof text,
           "name = \"w\";\n"
           "price = { model = \"replay\"; file = \"%s/cli_ok.csv\";\n"
           "  to = -9223372036854775808; };\n" BOOK_MARGIN, LIQ_TEST_DATA);
  write_text(dir, "tomin.cfg", text, cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  print_cli("check to = INT64_MIN", &r);
  assert_int_equal(r.code, 2);
  assert_non_null(strstr(r.err, "liqsim: "));
  assert_non_null(strstr(r.err, "no bars between"));
  assert_null(strstr(r.err, "runtime error"));
}

/*
** Used to: steps had no upper bound, so steps = 10^12 passed validation
** and path_alloc() asked for 8 TB per array (ASan aborted; a plain build
** exited 1 with "gbm: out of memory" and no location).  Now steps is
** capped at 10^8, like book.positions, at its line.
*/
static void test_steps_bounded(void **state) {
  char dir[256], cfg[512];
  const char *args[] = {"check", cfg, NULL};
  cli_result r;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "steps.cfg",
             "name = \"s\";\nsteps = 1000000000000;\nstep_seconds = 1;\n"
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n"
             BOOK_MARGIN, cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  print_cli("check steps = 1e12", &r);
  assert_int_equal(r.code, 2);
  assert_true(located_at(r.err, "steps.cfg", 2));
  assert_non_null(strstr(r.err, "steps must be in [1, 100000000]"));
  /* replay: 0 (every bar) to 10^8 */
  expect_bad("name = \"r\";\nsteps = 100000001;\nprice = { model = \"replay\"; file = \""
             LIQ_TEST_DATA "/cli_ok.csv\"; };\n" BOOK_MARGIN, "r.cfg", 2,
             "steps must be in [0, 100000000]");
}

/*
** Used to: step_seconds = 1e16 passed validation (> 0), then the
** generator said "liqsim: gbm: 10 steps of 1e+16 s overflow the
** millisecond clock" with no FILE:LINE.  Now step_seconds is at most
** 3.2e9 s, and steps x step_seconds (or the history warm-up's
** lookback_steps x step_seconds) must fit the clock, at the setting.
*/
static void test_clock_overflow_located(void **state) {
  char dir[256], cfg[512];
  const char *args[] = {"check", cfg, NULL};
  cli_result r;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "dt.cfg",
             "name = \"s\";\nsteps = 10;\nstep_seconds = 1e16;\n"
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n"
             BOOK_MARGIN, cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  print_cli("check step_seconds = 1e16", &r);
  assert_int_equal(r.code, 2);
  assert_true(located_at(r.err, "dt.cfg", 3));
  assert_non_null(strstr(r.err, "step_seconds must be in (0, 3200000000]"));

  expect_bad("name = \"s\";\nsteps = 100000000;\nstep_seconds = 3.2e9;\n"
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.0; };\n"
             BOOK_MARGIN, "p.cfg", 3, "millisecond clock");
  expect_bad("name = \"s\";\nsteps = 10;\nstep_seconds = 3.2e9;\n"
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.0; };\n"
             "book = { positions = 10; leverage = { values = [2.0]; };\n"
             "  notional = { dist = \"fixed\"; median = 1000.0; };\n"
             "  entry = { from = \"history\"; lookback_steps = 100000000; }; };\n"
             "margin = { initial = 0.01; maintenance = 0.005; };\n",
             "l.cfg", 7, "book.entry.lookback_steps x step_seconds");
}

/*
** Used to: price.drift accepted any finite number, so drift = 1e300
** validated, then the generator overflowed: LIQ_NUMERIC, exit 1,
** "liqsim: gbm: price left the floating-point range" without FILE:LINE;
** the same for garch mu = 1000 or omega = 1e300 and jump_mean = 1000.
** Now validation bounds them (drift and volatility^2/2 against the run's
** length, so that a fitted drift of fast bars still loads; garch mu and
** omega per step; jump_mean), and as a second line of defence any
** generator failure is LIQ_INPUT at price.model, naming the settings.
*/
static void test_drift_overflow_located(void **state) {
  char dir[256], cfg[512];
  const char *args[] = {"check", cfg, NULL};
  cli_result r;
  liq_scenario *sc = NULL;
  liq_path *p = NULL;
  liq_err err;
  int rc;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "drift.cfg",
             "name = \"s\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"gbm\"; start = 30000.0; drift = 1e300;\n"
             "  volatility = 0.8; };\n" BOOK_MARGIN, cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  print_cli("check drift = 1e300", &r);
  assert_int_equal(r.code, 2);
  assert_true(located_at(r.err, "drift.cfg", 4));

  expect_bad("name = \"s\";\nsteps = 1000000;\nstep_seconds = 3600;\n"
             "price = { model = \"gbm\"; start = 30000.0;\n  volatility = 5; };\n"
             BOOK_MARGIN, "v.cfg", 5, "price.volatility^2 / 2 x the run's length");
  expect_bad("name = \"g\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"garch\"; start = 100.0; mu = 1000;\n"
             "  omega = 1e-6; alpha = 0.05; beta = 0.9; nu = 5; };\n" BOOK_MARGIN,
             "g.cfg", 4, "price.mu must be in [-1, 1]");
  expect_bad("name = \"g\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"garch\"; start = 100.0;\n"
             "  omega = 1e300; alpha = 0.05; beta = 0.9; nu = 5; };\n" BOOK_MARGIN,
             "g.cfg", 5, "price.omega must be in (0, 1]");
  expect_bad("name = \"g\";\nsteps = 1000;\nstep_seconds = 60;\n"
             "price = { model = \"garch\"; start = 100.0; mu = 0.5;\n"
             "  omega = 1e-6; alpha = 0.05; beta = 0.9; nu = 5; };\n" BOOK_MARGIN,
             "g.cfg", 4, "price.mu x steps");
  expect_bad("name = \"j\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"jump\"; start = 100.0; volatility = 0.5;\n"
             "  intensity = 10; jump_mean = 1000; jump_sd = 0.1; };\n" BOOK_MARGIN,
             "j.cfg", 5, "price.jump_mean must be in [-10, 10]");

  /* A drift fitted on 1-second bars is huge per year, yet harmless over a
  ** short run: it loads. */
  liq_err_clear(&err);
  rc = liq_scenario_load_string("name = \"f\";\nsteps = 10;\nstep_seconds = 1;\n"
                                "price = { model = \"gbm\"; start = 100.0; "
                                "drift = 150000; volatility = 60; };\n" BOOK_MARGIN,
                                "f.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  liq_scenario_free(sc);
  sc = NULL;

  /* Second line of defence: a generator failure names the scenario's
  ** price.model line (here validation is bypassed). */
  liq_err_clear(&err);
  rc = liq_scenario_load_string(GBM_HEAD BOOK_MARGIN, "s.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  sc->price.drift = 1e300;
  rc = liq_path_build(&sc->price, sc->steps, sc->step_seconds, 1, &p, &err);
  rc = liq_scenario_locate(sc, sc->where.price, rc, &err);
  print_message("bypassed validation: %s:%d: %s\n", err.file, err.line, err.msg);
  assert_int_equal(rc, LIQ_INPUT);
  assert_null(p);
  assert_string_equal(err.file, "s.cfg");
  assert_int_equal(err.line, 4);
  assert_non_null(strstr(err.msg, "price.drift"));
  liq_scenario_free(sc);
}

/*
** Used to: when every draw of history entries failed, the error had no
** file ("liqsim: book: 1000 draws in a row of a long were liquidated
** ...") and blamed lookback_steps although the cause was the gap between
** the last warm-up close (100) and the start (90) at leverage 50.  Now it
** is located at book.entry.lookback_steps and gives the numbers: the
** warm-up closes, the gap to the start, the lowest leverage and the move
** it survives.
*/
static void test_book_draw_failure_located(void **state) {
  char dir[256], csv[512], cfg[512], text[4096];
  const char *args[] = {"check", cfg, NULL};
  cli_result r;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "gap.csv",
             "1700000000000,100,100,100,100\n"
             "1700000060000,90,90,90,90\n"
             "1700000120000,90,90,90,90\n", csv, sizeof csv);
  snprintf(text, sizeof text,
           "name = \"hist\";\n"
           "price = { model = \"replay\"; file = \"%s\"; from = 1700000060000; };\n"
           "book = { positions = 10; long_share = 1.0;\n"
           "  leverage = { values = [50.0]; };\n"
           "  notional = { dist = \"fixed\"; median = 1000.0; };\n"
           "  entry = { from = \"history\"; lookback_steps = 1; }; };\n"
           "margin = { initial = 0.01; maintenance = 0.005; };\n", csv);
  write_text(dir, "hist.cfg", text, cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  print_cli("check history entries that all fail", &r);
  assert_int_equal(r.code, 2);
  assert_true(located_at(r.err, "hist.cfg", 6));
  assert_non_null(strstr(r.err, "10 % below the lowest"));
  assert_non_null(strstr(r.err, "book.leverage.values (50)"));
}

/* ------------------------------------------------------------------------
** Price CSV (replay)
*/

/*
** Used to: the first row was a header whenever its first field was not a
** number, so a data row with a typo in its time
** ("1700000000000x,100,101,99,100.5") was silently dropped as a header
** and the replay started one bar late.  Now a header must have no numeric
** price column: this row is data, and its time an error at line 1.
*/
static void test_csv_bad_first_row_is_data(void **state) {
  char dir[256], csv[512];
  liq_path *p = NULL;
  liq_err err;
  int rc;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "typo.csv",
             "1700000000000x,100,101,99,100.5\n"
             "1700000060000,100.5,101,99.5,100\n"
             "1700000120000,100,100.8,99,100.2\n", csv, sizeof csv);
  liq_err_clear(&err);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  liq_path_free(p);
  p = NULL;
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 1);
  assert_non_null(strstr(err.msg, "open time is not a number"));

  /* A header is still a header; so is a close-only one. */
  write_text(dir, "hdr.csv",
             "open_time,open,high,low,close\n"
             "1700000000000,100,101,99,100.5\n"
             "1700000060000,100.5,101,99.5,100\n", csv, sizeof csv);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  assert_liq_ok(rc, &err);
  assert_int_equal(p->n, 2);
  liq_path_free(p);
  p = NULL;
  write_text(dir, "hdr2.csv", "time,price\n1700000000,100\n1700000060,101\n", csv,
             sizeof csv);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  assert_liq_ok(rc, &err);
  assert_int_equal(p->n, 2);
  liq_path_free(p);
}

/*
** Used to: fields were copied with their length but parsed as C strings,
** so "100.5<NUL>junk" read as 100.5: binary junk was accepted silently.
** Now a NUL byte anywhere is an error at its line.
*/
static void test_csv_nul_byte_rejected(void **state) {
  static const char data[] =
    "1700000000000,100,101,99,100.5\n"
    "1700000060000,100.5\0junk,101,99.5,100\n"
    "1700000120000,100,100.8,99,100.2\n";
  char dir[256], csv[512];
  liq_path *p = NULL;
  liq_err err;
  int rc;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_file(dir, "nul.csv", data, sizeof data - 1, csv, sizeof csv);
  liq_err_clear(&err);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  liq_path_free(p);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 2);
  assert_non_null(strstr(err.msg, "NUL byte"));
}

/* Replay 'csv' expecting LIQ_INPUT at 'line'. */
static void expect_csv_line(const char *csv, int line) {
  liq_path *p = NULL;
  liq_err err;
  int rc;
  liq_err_clear(&err);
  rc = liq_path_replay(csv, 0, 0, 0, 0, 0, &p, &err);
  liq_path_free(p);
  if (rc != LIQ_INPUT || err.line != line)
    print_message("%s: rc %d, line %d: %s\n", csv, rc, err.line, err.msg);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, line);
}

/*
** Used to: lines were counted at '\n' only, while libcsv ends rows at a
** bare '\r' too, so a CR-only file (classic Mac, some exports) parsed but
** reported every error at line 1.  Now lines end at LF, CR or CRLF (a
** CRLF counts once, also when a read splits it).  The NaN is on line 4.
*/
static void test_csv_cr_line_numbers(void **state) {
  char dir[256], csv[512], *big;
  size_t pad, n, head;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "cr.csv",
             "open_time,open,high,low,close\r"
             "1700000000000,100,101,99,100.5\r"
             "1700000060000,100.5,101,99.5,100\r"
             "1700000120000,100,100.8,99,nan\r", csv, sizeof csv);
  expect_csv_line(csv, 4);
  write_text(dir, "crlf.csv",
             "open_time,open,high,low,close\r\n"
             "1700000000000,100,101,99,100.5\r\n"
             "1700000060000,100.5,101,99.5,100\r\n"
             "1700000120000,100,100.8,99,nan\r\n", csv, sizeof csv);
  expect_csv_line(csv, 4);
  write_text(dir, "mixed.csv",
             "open_time,open,high,low,close\n"
             "1700000000000,100,101,99,100.5\r"
             "1700000060000,100.5,101,99.5,100\r\n"
             "1700000120000,100,100.8,99,nan\n", csv, sizeof csv);
  expect_csv_line(csv, 4);

  /* A header so long that its CRLF straddles the reader's 64 KiB reads:
  ** the '\r' is the last byte of the first read. */
  head = strlen(",open,high,low,close");
  pad = 65535 - head;                      /* "t", pad - 1 x "x", head: 65535 */
  n = 65536 + 256;
  big = malloc(n);
  assert_non_null(big);
  big[0] = 't';
  memset(big + 1, 'x', pad - 1);
  memcpy(big + pad, ",open,high,low,close", head);
  assert_int_equal(pad + head, 65535);
  big[65535] = '\r';
  big[65536] = '\n';
  snprintf(big + 65537, n - 65537,
           "1700000000000,100,101,99,100.5\r\n"
           "1700000060000,100.5,101,99.5,100\r\n"
           "1700000120000,100,100.8,99,nan\r\n");
  write_file(dir, "split.csv", big, strlen(big + 65537) + 65537, csv, sizeof csv);
  free(big);
  expect_csv_line(csv, 4);
}

/*
** Used to: a replay of 2 bars has one return, so its daily volatility is
** "0", and a sqrt impact without impact.daily_volatility silently had no
** impact at all (a 20 % crash of 1000 10x longs: amplification 1.000 with
** 2 bars, 5.000 with one more flat bar); gbm with volatility 0 the same.
** Now liq_engine_check_inputs() (called by liq_engine_run() and by
** `liqsim check` / `run`) refuses it at impact.model, asking for
** impact.daily_volatility.
*/
static void test_sqrt_impact_needs_volatility(void **state) {
  char dir[256], csv[512], cfg[512], text[4096];
  const char *args[] = {"check", cfg, NULL};
  liq_override ov[1] = {{"impact.daily_volatility=0.04"}};
  liq_scenario *sc = NULL;
  liq_path *p = NULL;
  liq_book *b = NULL;
  liq_summary sm;
  liq_err err;
  cli_result r;
  int rc;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "crash2.csv",
             "1700000000000,100,100,100,100\n1700000060000,100,100,80,80\n",
             csv, sizeof csv);
  snprintf(text, sizeof text,
           "name = \"c\";\nprice = { model = \"replay\"; file = \"%s\"; };\n"
           BOOK_MARGIN
           "impact = { model = \"sqrt\"; daily_volume = 1e8; coefficient = 1.0; };\n",
           csv);
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "c.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 1, &p, &err), &err);
  assert_liq_ok(liq_book_build(sc, p, 1, &b, &err), &err);
  assert_rel(liq_engine_daily_volatility(sc, p), 0.0, 0);
  rc = liq_engine_check_inputs(sc, p, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_string_equal(err.file, "c.cfg");
  assert_int_equal(err.line, 7);
  assert_non_null(strstr(err.msg, "sqrt impact needs impact.daily_volatility"));
  liq_err_clear(&err);
  rc = liq_engine_run(sc, p, b, NULL, &sm, &err);
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 7);
  liq_book_free(b);
  liq_path_free(p);
  liq_scenario_free(sc);
  sc = NULL;

  /* Given explicitly, it runs. */
  liq_err_clear(&err);
  assert_liq_ok(liq_scenario_load_string(text, "c.cfg", ov, 1, &sc, &err), &err);
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 1, &p, &err), &err);
  assert_liq_ok(liq_engine_check_inputs(sc, p, &err), &err);
  liq_path_free(p);
  liq_scenario_free(sc);

  /* gbm with volatility 0: `check` refuses at impact.model's line. */
  write_text(dir, "flat.cfg",
             "name = \"flat\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"gbm\"; start = 100.0; volatility = 0; };\n"
             BOOK_MARGIN
             "impact = { model = \"sqrt\"; daily_volume = 1e8; coefficient = 1.0; };\n",
             cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  print_cli("check sqrt impact on a gbm of volatility 0", &r);
  assert_int_equal(r.code, 2);
  assert_true(located_at(r.err, "flat.cfg", 9));
}

/* ------------------------------------------------------------------------
** Funding
*/

/*
** Used to: the funding file was only read by the engine, so `liqsim
** check` said ok for a funding file that `liqsim run` rejected (exit 2 at
** fund_bad.csv:2).  Now check builds the funding schedule too.
*/
static void test_check_reads_funding_file(void **state) {
  char dir[256], csv[512], fund[512], cfg[512], text[4096];
  const char *args[] = {"check", cfg, NULL};
  cli_result r;
  (void)state;
  temp_dir(dir, sizeof dir);
  snprintf(csv, sizeof csv, "%s/cli_ok.csv", LIQ_TEST_DATA);
  write_text(dir, "fund_bad.csv", "calc_time,interval,rate\n1700000100000,8,0.5\n",
             fund, sizeof fund);
  snprintf(text, sizeof text,
           "name = \"f\";\n"
           "price = { model = \"replay\"; file = \"%s\"; };\n" BOOK_MARGIN
           "funding = { file = \"%s\"; };\n", csv, fund);
  write_text(dir, "fund.cfg", text, cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  print_cli("check with a bad funding file", &r);
  assert_int_equal(r.code, 2);
  assert_true(located_at(r.err, "fund_bad.csv", 2));
}

/* The funding schedule of 'fund' over 3 one-minute bars, into r[3]. */
static int schedule_of(const char *fund, double r[3], liq_err *err) {
  static const double close[3] = {100.0, 100.0, 100.0};
  liq_scenario *sc = calloc(1, sizeof *sc);
  liq_path *p = NULL;
  double *rates = NULL;
  int rc;
  assert_non_null(sc);
  assert_liq_ok(liq_path_from_arrays(3, NULL, NULL, NULL, close, 60.0, &p, err), err);
  sc->funding.mode = LIQ_FUNDING_FILE;
  snprintf(sc->funding.file, sizeof sc->funding.file, "%s", fund);
  rc = liq_funding_schedule(&sc->funding, p, &rates, err);
  if (rc == LIQ_OK) memcpy(r, rates, 3 * sizeof *r);
  free(rates);
  liq_path_free(p);
  free(sc);
  return rc;
}

/*
** Used to: a first line whose calc_time did not parse was skipped as a
** header, so a file saved with a UTF-8 BOM and no header silently lost
** its first payment (here 0.01 in bar 0).  Now the BOM is stripped first,
** and a first line with a numeric rate is data (a typo in its time is an
** error, not a header).
*/
static void test_funding_bom_and_header(void **state) {
  char dir[256], fund[512];
  double r[3] = {0.0, 0.0, 0.0};
  liq_err err;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "fund_bom.csv", "\xEF\xBB\xBF" "60000,8,0.01\n120000,8,0.02\n",
             fund, sizeof fund);
  liq_err_clear(&err);
  assert_liq_ok(schedule_of(fund, r, &err), &err);
  print_message("rates: %g %g\n", r[0], r[1]);
  assert_rel(r[0], 0.01, 1e-12);
  assert_rel(r[1], 0.02, 1e-12);

  write_text(dir, "fund_hdr.csv", "\xEF\xBB\xBF" "calc_time,interval,rate\n"
             "60000,8,0.01\n", fund, sizeof fund);
  assert_liq_ok(schedule_of(fund, r, &err), &err);
  assert_rel(r[0], 0.01, 1e-12);

  write_text(dir, "fund_typo.csv", "60000x,8,0.01\n120000,8,0.02\n", fund,
             sizeof fund);
  assert_int_equal(schedule_of(fund, r, &err), LIQ_INPUT);
  assert_int_equal(err.line, 1);
  assert_non_null(strstr(err.msg, "calc_time"));
}

/*
** Used to: schedule_constant() looped once per funding event over the
** whole path, so funding.interval_seconds = 1 with 10 steps of 3.2e8 s
** (both in range) walked 3.2e9 events: `run` hung.  Now the events of
** each bar are counted by floor division: O(bars).  The placement is the
** one bar_of() gives file payments: events in (open, open + step], none
** in a gap between bars.
*/
static void test_constant_funding_per_bar(void **state) {
  char dir[256], cfg[512], db[512];
  const char *args[] = {"run", cfg, "--quiet", "--out", db, NULL};
  static const double close[3] = {100.0, 100.0, 100.0};
  liq_scenario *sc = calloc(1, sizeof *sc);
  liq_path *p = NULL;
  double *rates = NULL;
  liq_err err;
  cli_result r;
  (void)state;
  temp_dir(dir, sizeof dir);
  snprintf(db, sizeof db, "%s/out.db", dir);
  write_text(dir, "slowfund.cfg",
             "name = \"slowfund\";\nsteps = 10;\nstep_seconds = 3.2e8;\n"
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.1; };\n"
             BOOK_MARGIN
             "funding = { rate = 0.00001; interval_seconds = 1; };\n",
             cfg, sizeof cfg);
  r = run_cli(dir, 3.0, args);
  print_cli("run with 1 s funding over 10 x 3.2e8 s steps", &r);
  assert_int_equal(r.code, 0);           /* -1: still running after 3 s */

  /* Bars at 0, 60 and 300 s of 60 s each, an event every 30 s: two per
  ** bar, and the events in the gap (150..300 s) are paid by nobody. */
  assert_non_null(sc);
  liq_err_clear(&err);
  assert_liq_ok(liq_path_from_arrays(3, NULL, NULL, NULL, close, 60.0, &p, &err), &err);
  p->t_ms[2] = 300000;
  sc->funding.mode = LIQ_FUNDING_CONSTANT;
  sc->funding.rate = 0.001;
  sc->funding.interval_seconds = 30.0;
  assert_liq_ok(liq_funding_schedule(&sc->funding, p, &rates, &err), &err);
  assert_rel(rates[0], 0.002, 1e-15);
  assert_rel(rates[1], 0.002, 1e-15);
  assert_rel(rates[2], 0.002, 1e-15);
  free(rates);
  /* 8 h events over one-minute bars from t = 7h59: one in bar 0, none after. */
  p->t_ms[0] = 28740000;
  p->t_ms[1] = 28800000;
  p->t_ms[2] = 28860000;
  sc->funding.interval_seconds = 28800.0;
  assert_liq_ok(liq_funding_schedule(&sc->funding, p, &rates, &err), &err);
  assert_rel(rates[0], 0.001, 0);
  assert_rel(rates[1], 0.0, 0);
  assert_rel(rates[2], 0.0, 0);
  free(rates);
  liq_path_free(p);
  free(sc);
}

/* ------------------------------------------------------------------------
** Depth file, fit
*/

/*
** Used to: readDepthFile() had no BOM handling (the price and book
** readers strip it), so a depth CSV saved by a spreadsheet with a BOM
** failed with 'pct "\xEF\xBB\xBFpct" is not a number'.  Now it is
** stripped.
*/
static void test_depth_file_bom(void **state) {
  char dir[256], csv[512], text[4096];
  liq_scenario *sc = NULL;
  liq_err err;
  size_t n_depth;
  int rc;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "depth_bom.csv",
             "\xEF\xBB\xBF" "pct,bid,ask\n0.1,1000,1000\n0.5,5000,5000\n",
             csv, sizeof csv);
  snprintf(text, sizeof text,
           GBM_HEAD BOOK_MARGIN
           "impact = { model = \"depth\"; depth_file = \"%s\"; };\n", csv);
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "depth.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  n_depth = sc->impact.n_depth;
  liq_scenario_free(sc);
  assert_int_equal(n_depth, 2);
}

/*
** Used to: `liqsim fit` printed a section `check` rejected: four
** 1-second bars moving ~1 % fit volatility = 60.3, and the validator took
** [0, 10].  Now price.volatility takes [0, 100] (the fit marks anything
** above with a comment), and the drift, huge per year for such bars, is
** bounded against the run's length only: the pasted section loads.
*/
static void test_fit_section_loads(void **state) {
  char dir[256], csv[512], cfg[512], *text;
  const char *fit_args[] = {"fit", csv, "--model", "gbm", NULL};
  const char *check_args[] = {"check", cfg, NULL};
  cli_result r;
  size_t n;
  (void)state;
  temp_dir(dir, sizeof dir);
  write_text(dir, "fast.csv",
             "1700000000,100\n1700000001,101\n1700000002,100\n1700000003,101.5\n",
             csv, sizeof csv);
  r = run_cli(dir, 20.0, fit_args);
  print_cli("fit fast.csv", &r);
  assert_int_equal(r.code, 0);
  n = strlen(r.out);
  text = malloc(n + 512);
  assert_non_null(text);
  snprintf(text, n + 512, "%s\nname = \"fitted\";\nsteps = 10;\n" BOOK_MARGIN, r.out);
  write_text(dir, "fitted.cfg", text, cfg, sizeof cfg);
  free(text);
  r = run_cli(dir, 20.0, check_args);
  print_cli("check the fitted section", &r);
  assert_int_equal(r.code, 0);
}

/* ------------------------------------------------------------------------
** Smaller limits
*/

/*
** Used to: liq_err.file held 512 bytes while scenario paths and the
** files they name hold LIQ_PATH_MAX (1024), so a long path was cut in
** error messages.  Now it holds any LIQ_PATH_MAX path.
*/
static void test_error_file_holds_long_paths(void **state) {
  char name[LIQ_PATH_MAX];
  liq_scenario *sc = NULL;
  liq_err err;
  (void)state;
  memset(name, 'n', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  liq_err_clear(&err);
  assert_int_equal(liq_scenario_load_string("", name, NULL, 0, &sc, &err), LIQ_INPUT);
  assert_int_equal(strlen(err.file), LIQ_PATH_MAX - 1);
  assert_string_equal(err.file, name);
}

/*
** Used to: book.notional.median had no upper bound (1e300 loaded).  Now
** it takes (0, 1e12].
*/
static void test_notional_median_bounded(void **state) {
  (void)state;
  expect_bad(GBM_HEAD "book = { positions = 10; leverage = { values = [2.0]; };\n"
             "  notional = { dist = \"fixed\";\n  median = 1e13; }; };\n"
             "margin = { initial = 0.01; maintenance = 0.005; };\n",
             "m.cfg", 7, "book.notional.median must be in (0, 1000000000000]");
}

/*
** Used to: price.file, book.file, funding.file and impact.depth_file were
** opened as given, so a FIFO made `liqsim check` wait forever for a
** writer (and could not be read again by the next replicate).  Now each
** must be a regular file, checked before it is opened.
*/
static void test_non_regular_data_files_refused(void **state) {
  char dir[256], fifo[512], cfg[512], text[4096];
  const char *args[] = {"check", cfg, NULL};
  /* the text before and after the file name */
  static const char *const setting[][2] = {
    {"price = { model = \"replay\"; file = \"", "\"; };\n" BOOK_MARGIN},
    {"name = \"b\";\n" "steps = 10;\nstep_seconds = 60;\n"
     "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n"
     "book = { file = \"", "\"; };\n"
     "margin = { initial = 0.01; maintenance = 0.005; };\n"},
    {GBM_HEAD BOOK_MARGIN "impact = { model = \"depth\"; depth_file = \"",
     "\"; };\n"},
  };
  static const int line[] = {1, 5, 9};
  size_t i;
  cli_result r;
  (void)state;
  temp_dir(dir, sizeof dir);
  snprintf(fifo, sizeof fifo, "%s/pipe.csv", dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  for (i = 0; i < sizeof line / sizeof line[0]; i++) {
    snprintf(text, sizeof text, "%s%s%s", setting[i][0], fifo, setting[i][1]);
    write_text(dir, "fifo.cfg", text, cfg, sizeof cfg);
    r = run_cli(dir, 20.0, args);
    print_cli("check with a FIFO as a data file", &r);
    assert_int_equal(r.code, 2);          /* -1: blocked opening the FIFO */
    assert_true(located_at(r.err, "fifo.cfg", line[i]));
    assert_non_null(strstr(r.err, "is not a regular file (a pipe"));
  }
  /* funding.file: needs a replay path */
  snprintf(text, sizeof text,
           "price = { model = \"replay\"; file = \"%s/cli_ok.csv\"; };\n" BOOK_MARGIN
           "funding = {\n  file = \"%s\"; };\n", LIQ_TEST_DATA, fifo);
  write_text(dir, "fifo.cfg", text, cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  print_cli("check with a FIFO as the funding file", &r);
  assert_int_equal(r.code, 2);
  assert_true(located_at(r.err, "fifo.cfg", 7));
}

/* ------------------------------------------------------------------------
** Hostile scenario inputs that were always handled (regression guards)
*/

/* Each is LIQ_INPUT with a located message, no crash. */
static void test_hostile_scenarios_rejected_cleanly(void **state) {
  static const struct { const char *text; int line; } cases[] = {
    {"", 1},
    {"price = { model = \"gbm\"; start = 99999999999999999999999; };\n", 1},
    {"seed = 0x1FFFFFFFFFFFFFFFF;\n", 1},
    {GBM_HEAD BOOK_MARGIN "stats = { quantiles = [0.0000001, 0.0000002]; };\n", 9},
    {GBM_HEAD "book = { positions = 10; leverage = { values = [2.0]; };\n"
     "  notional = { dist = \"fixed\"; median = 1000.0; }; };\n"
     "margin = { initial = -0.0; maintenance = 0.005; };\n", 7},
    {"name = \"x\";\nprice = { model = \"gbm\"; start = 1e400; };\n", 2},
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    liq_scenario *sc = NULL;
    liq_err err;
    int rc;
    liq_err_clear(&err);
    rc = liq_scenario_load_string(cases[i].text, "h.cfg", NULL, 0, &sc, &err);
    if (rc != LIQ_INPUT) print_message("case %zu: rc %d (%s)\n", i, rc, err.msg);
    assert_int_equal(rc, LIQ_INPUT);
    assert_null(sc);
    assert_true(err.line >= 1);
    if (cases[i].line) assert_int_equal(err.line, cases[i].line);
  }
}

/* Deep nesting, NUL bytes, directories, /dev/null. */
static void test_hostile_scenario_files_cli(void **state) {
  char dir[256], cfg[512];
  const char *args[] = {"check", cfg, NULL};
  size_t n = 20000, i;
  char *text = malloc(4 * n + 64), *z;
  cli_result r;
  (void)state;
  assert_non_null(text);
  temp_dir(dir, sizeof dir);
  z = text + sprintf(text, "x = ");
  for (i = 0; i < n; i++) z += sprintf(z, "{a=");
  sprintf(z, "1;");
  write_text(dir, "deep.cfg", text, cfg, sizeof cfg);
  free(text);
  r = run_cli(dir, 20.0, args);
  assert_int_equal(r.code, 2);
  assert_true(located_in(r.err, "deep.cfg"));

  write_file(dir, "nul.cfg", "name = \"a\";\n\0x", 14, cfg, sizeof cfg);
  r = run_cli(dir, 20.0, args);
  assert_int_equal(r.code, 2);
  assert_true(located_in(r.err, "nul.cfg"));

  snprintf(cfg, sizeof cfg, "%s", dir);
  r = run_cli(dir, 20.0, args);
  assert_int_equal(r.code, 2);
  assert_non_null(strstr(r.err, "liqsim: "));

  snprintf(cfg, sizeof cfg, "/dev/null");
  r = run_cli(dir, 20.0, args);
  assert_int_equal(r.code, 2);
  assert_true(located_in(r.err, "/dev/null"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_include_refused),
    cmocka_unit_test(test_include_directory_refused),
    cmocka_unit_test(test_include_absolute_refused),
    cmocka_unit_test(test_bracket_lookahead_linear),
    cmocka_unit_test(test_wide_integers_in_arrays),
    cmocka_unit_test(test_float_2pow63_rejected),
    cmocka_unit_test(test_window_to_int64_min),
    cmocka_unit_test(test_steps_bounded),
    cmocka_unit_test(test_clock_overflow_located),
    cmocka_unit_test(test_drift_overflow_located),
    cmocka_unit_test(test_book_draw_failure_located),
    cmocka_unit_test(test_csv_bad_first_row_is_data),
    cmocka_unit_test(test_csv_nul_byte_rejected),
    cmocka_unit_test(test_csv_cr_line_numbers),
    cmocka_unit_test(test_sqrt_impact_needs_volatility),
    cmocka_unit_test(test_check_reads_funding_file),
    cmocka_unit_test(test_funding_bom_and_header),
    cmocka_unit_test(test_constant_funding_per_bar),
    cmocka_unit_test(test_depth_file_bom),
    cmocka_unit_test(test_fit_section_loads),
    cmocka_unit_test(test_error_file_holds_long_paths),
    cmocka_unit_test(test_notional_median_bounded),
    cmocka_unit_test(test_non_regular_data_files_refused),
    cmocka_unit_test(test_hostile_scenarios_rejected_cleanly),
    cmocka_unit_test(test_hostile_scenario_files_cli),
  };
  return cmocka_run_group_tests(tests, NULL, remove_temp_dirs);
}
