/*
** test_scenario_validate.c: the bounds the scenario validators put on a
** setting, each reported at its line (core/scenario_validate.c): steps,
** the millisecond clock, drifts that would overflow the generator,
** notional medians, and data files that are not regular files.  Each case
** once went wrong; its comment says what used to happen.
*/
#define _DEFAULT_SOURCE 1   /* mkdtemp, mkfifo */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "liq_test_support.h"

#include "liq_path.h"
#include "liq_scenario.h"

/*
** Used to: steps had no upper bound, so steps = 10^12 passed validation
** and path_alloc() asked for 8 TB per array (ASan aborted; a plain build
** exited 1 with "gbm: out of memory" and no location).  Now steps is
** capped at 10^8, like book.positions, at its line.
*/
static void test_steps_bounded(void **state) {
  char dir[256], cfg[512];
  const char *args[] = {"check", cfg, NULL};
  liq_test_cli_result r;
  (void)state;
  liq_test_temp_dir("liqsim-validate", dir, sizeof dir);
  liq_test_write_text(dir, "steps.cfg",
             "name = \"s\";\nsteps = 1000000000000;\nstep_seconds = 1;\n"
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n"
             LIQ_TEST_BOOK_MARGIN, cfg, sizeof cfg);
  r = liq_test_cli(dir, 20.0, args);
  liq_test_print_cli("check steps = 1e12", &r);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_at(r.err, "steps.cfg", 2));
  assert_non_null(strstr(r.err, "steps must be in [1, 100000000]"));
  /* replay: 0 (every bar) to 10^8 */
  liq_test_expect_bad_scenario("name = \"r\";\nsteps = 100000001;\nprice = { model = \"replay\"; file = \""
             LIQ_TEST_DATA "/cli_ok.csv\"; };\n" LIQ_TEST_BOOK_MARGIN, "r.cfg", 2,
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
  liq_test_cli_result r;
  (void)state;
  liq_test_temp_dir("liqsim-validate", dir, sizeof dir);
  liq_test_write_text(dir, "dt.cfg",
             "name = \"s\";\nsteps = 10;\nstep_seconds = 1e16;\n"
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n"
             LIQ_TEST_BOOK_MARGIN, cfg, sizeof cfg);
  r = liq_test_cli(dir, 20.0, args);
  liq_test_print_cli("check step_seconds = 1e16", &r);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_at(r.err, "dt.cfg", 3));
  assert_non_null(strstr(r.err, "step_seconds must be in (0, 3200000000]"));

  liq_test_expect_bad_scenario("name = \"s\";\nsteps = 100000000;\nstep_seconds = 3.2e9;\n"
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.0; };\n"
             LIQ_TEST_BOOK_MARGIN, "p.cfg", 3, "millisecond clock");
  liq_test_expect_bad_scenario("name = \"s\";\nsteps = 10;\nstep_seconds = 3.2e9;\n"
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
  liq_test_cli_result r;
  liq_scenario *sc = NULL;
  liq_path *p = NULL;
  liq_err err;
  int rc;
  (void)state;
  liq_test_temp_dir("liqsim-validate", dir, sizeof dir);
  liq_test_write_text(dir, "drift.cfg",
             "name = \"s\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"gbm\"; start = 30000.0; drift = 1e300;\n"
             "  volatility = 0.8; };\n" LIQ_TEST_BOOK_MARGIN, cfg, sizeof cfg);
  r = liq_test_cli(dir, 20.0, args);
  liq_test_print_cli("check drift = 1e300", &r);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_at(r.err, "drift.cfg", 4));

  liq_test_expect_bad_scenario("name = \"s\";\nsteps = 1000000;\nstep_seconds = 3600;\n"
             "price = { model = \"gbm\"; start = 30000.0;\n  volatility = 5; };\n"
             LIQ_TEST_BOOK_MARGIN, "v.cfg", 5, "price.volatility^2 / 2 x the run's length");
  liq_test_expect_bad_scenario("name = \"g\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"garch\"; start = 100.0; mu = 1000;\n"
             "  omega = 1e-6; alpha = 0.05; beta = 0.9; nu = 5; };\n" LIQ_TEST_BOOK_MARGIN,
             "g.cfg", 4, "price.mu must be in [-1, 1]");
  liq_test_expect_bad_scenario("name = \"g\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"garch\"; start = 100.0;\n"
             "  omega = 1e300; alpha = 0.05; beta = 0.9; nu = 5; };\n" LIQ_TEST_BOOK_MARGIN,
             "g.cfg", 5, "price.omega must be in (0, 1]");
  liq_test_expect_bad_scenario("name = \"g\";\nsteps = 1000;\nstep_seconds = 60;\n"
             "price = { model = \"garch\"; start = 100.0; mu = 0.5;\n"
             "  omega = 1e-6; alpha = 0.05; beta = 0.9; nu = 5; };\n" LIQ_TEST_BOOK_MARGIN,
             "g.cfg", 4, "price.mu x steps");
  liq_test_expect_bad_scenario("name = \"j\";\nsteps = 10;\nstep_seconds = 60;\n"
             "price = { model = \"jump\"; start = 100.0; volatility = 0.5;\n"
             "  intensity = 10; jump_mean = 1000; jump_sd = 0.1; };\n" LIQ_TEST_BOOK_MARGIN,
             "j.cfg", 5, "price.jump_mean must be in [-10, 10]");

  /* A drift fitted on 1-second bars is huge per year, yet harmless over a
  ** short run: it loads. */
  liq_err_clear(&err);
  rc = liq_scenario_load_string("name = \"f\";\nsteps = 10;\nstep_seconds = 1;\n"
                                "price = { model = \"gbm\"; start = 100.0; "
                                "drift = 150000; volatility = 60; };\n" LIQ_TEST_BOOK_MARGIN,
                                "f.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  liq_scenario_free(sc);
  sc = NULL;

  /* Second line of defence: a generator failure names the scenario's
  ** price.model line (here validation is bypassed). */
  liq_err_clear(&err);
  rc = liq_scenario_load_string(LIQ_TEST_GBM_HEAD LIQ_TEST_BOOK_MARGIN, "s.cfg", NULL, 0, &sc, &err);
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
** Used to: book.notional.median had no upper bound (1e300 loaded).  Now
** it takes (0, 1e12].
*/
static void test_notional_median_bounded(void **state) {
  (void)state;
  liq_test_expect_bad_scenario(LIQ_TEST_GBM_HEAD "book = { positions = 10; leverage = { values = [2.0]; };\n"
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
    {"price = { model = \"replay\"; file = \"", "\"; };\n" LIQ_TEST_BOOK_MARGIN},
    {"name = \"b\";\n" "steps = 10;\nstep_seconds = 60;\n"
     "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n"
     "book = { file = \"", "\"; };\n"
     "margin = { initial = 0.01; maintenance = 0.005; };\n"},
    {LIQ_TEST_GBM_HEAD LIQ_TEST_BOOK_MARGIN "impact = { model = \"depth\"; depth_file = \"",
     "\"; };\n"},
  };
  static const int line[] = {1, 5, 9};
  size_t i;
  liq_test_cli_result r;
  (void)state;
  liq_test_temp_dir("liqsim-validate", dir, sizeof dir);
  snprintf(fifo, sizeof fifo, "%s/pipe.csv", dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  for (i = 0; i < sizeof line / sizeof line[0]; i++) {
    snprintf(text, sizeof text, "%s%s%s", setting[i][0], fifo, setting[i][1]);
    liq_test_write_text(dir, "fifo.cfg", text, cfg, sizeof cfg);
    r = liq_test_cli(dir, 20.0, args);
    liq_test_print_cli("check with a FIFO as a data file", &r);
    assert_int_equal(r.code, 2);          /* -1: blocked opening the FIFO */
    assert_true(liq_test_located_at(r.err, "fifo.cfg", line[i]));
    assert_non_null(strstr(r.err, "is not a regular file (a pipe"));
  }
  /* funding.file: needs a replay path */
  snprintf(text, sizeof text,
           "price = { model = \"replay\"; file = \"%s/cli_ok.csv\"; };\n" LIQ_TEST_BOOK_MARGIN
           "funding = {\n  file = \"%s\"; };\n", LIQ_TEST_DATA, fifo);
  liq_test_write_text(dir, "fifo.cfg", text, cfg, sizeof cfg);
  r = liq_test_cli(dir, 20.0, args);
  liq_test_print_cli("check with a FIFO as the funding file", &r);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_at(r.err, "fifo.cfg", 7));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_steps_bounded),
    cmocka_unit_test(test_clock_overflow_located),
    cmocka_unit_test(test_drift_overflow_located),
    cmocka_unit_test(test_notional_median_bounded),
    cmocka_unit_test(test_non_regular_data_files_refused),
  };
  return cmocka_run_group_tests(tests, NULL, liq_test_remove_temp_dirs);
}
