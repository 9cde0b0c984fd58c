/*
** test_scenario_parse.c: reading a scenario's text (core/scenario.c,
** core/scenario_lex.c): @include refused at its line, large integers
** widened (also in arrays) in linear time, floats converted to integers
** only inside [-2^63, 2^63), long file names kept whole in errors, and
** hostile texts rejected with a located message.  Each case once went
** wrong; its comment says what used to happen.
*/
#define _DEFAULT_SOURCE 1   /* mkdtemp */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "liq_test_support.h"

#include "liq_path.h"
#include "liq_scenario.h"

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
  liq_test_temp_dir("liqsim-scenario", dir, sizeof dir);
  snprintf(csv, sizeof csv, "%s/cli_ok.csv", LIQ_TEST_DATA);
  snprintf(text, sizeof text,
           "price = { model = \"replay\"; file = \"%s\"; from = 1700000180000; };\n",
           csv);
  liq_test_write_text(dir, "price.cfg", text, inc, sizeof inc);
  liq_test_write_text(dir, "main.cfg", "name = \"inc\";\n@include \"price.cfg\"\n" LIQ_TEST_BOOK_MARGIN,
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
                                "// @include \"price.cfg\"\n" LIQ_TEST_GBM_HEAD LIQ_TEST_BOOK_MARGIN,
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
  liq_test_cli_result r;
  (void)state;
  liq_test_temp_dir("liqsim-scenario", dir, sizeof dir);
  snprintf(sub, sizeof sub, "%s/sub", dir);
  assert_int_equal(mkdir(sub, 0700), 0);
  liq_test_write_text(dir, "incdir.cfg", "name = \"d\";\n@include \"sub\"\n", cfg, sizeof cfg);
  r = liq_test_cli(dir, 20.0, args);
  liq_test_print_cli("check @include \"sub\" (a directory)", &r);
  assert_int_equal(r.code, 2);
  assert_true(liq_test_located_at(r.err, "incdir.cfg", 2));
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
  liq_test_temp_dir("liqsim-scenario", dir, sizeof dir);
  liq_test_write_text(dir, "price.cfg",
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.8; };\n",
             inc, sizeof inc);
  snprintf(text, sizeof text,
           "name = \"abs\";\nsteps = 10;\nstep_seconds = 60;\n@include \"%s\"\n"
           LIQ_TEST_BOOK_MARGIN, inc);
  liq_test_write_text(dir, "main.cfg", text, cfg, sizeof cfg);
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
  liq_test_cli_result r;
  (void)state;
  assert_non_null(text);
  memcpy(text, "x = ", 4);
  memset(text + 4, '[', n);
  text[n + 4] = '\n';
  liq_test_temp_dir("liqsim-scenario", dir, sizeof dir);
  liq_test_write_file(dir, "brackets.cfg", text, n + 5, cfg, sizeof cfg);
  free(text);
  r = liq_test_cli(dir, 2.0, args);
  liq_test_print_cli("check 60000 x '['", &r);
  assert_int_equal(r.code, 2);           /* -1: still running after 2 s */
  assert_true(liq_test_located_in(r.err, "brackets.cfg"));
}

/* Widening still works across arrays: a wide literal widens its array. */
static void test_wide_integers_in_arrays(void **state) {
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  (void)state;
  liq_err_clear(&err);
  rc = liq_scenario_load_string(LIQ_TEST_GBM_HEAD LIQ_TEST_BOOK_MARGIN
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
           "  from = 9223372036854775808.0; };\n" LIQ_TEST_BOOK_MARGIN, LIQ_TEST_DATA);
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "w.cfg", NULL, 0, &sc, &err);
  liq_scenario_free(sc);
  sc = NULL;
  assert_int_equal(rc, LIQ_INPUT);
  assert_int_equal(err.line, 3);

  liq_err_clear(&err);
  rc = liq_scenario_load_string(LIQ_TEST_GBM_HEAD LIQ_TEST_BOOK_MARGIN, "s.cfg", ov, 1, &sc, &err);
  assert_int_equal(rc, LIQ_INPUT);
  print_message("--set seed=2^63: %s\n", err.msg);
  assert_null(strstr(err.msg, "-9223372036854775808"));

  /* -2^63 itself is a valid time. */
  snprintf(text, sizeof text,
           "name = \"w\";\n"
           "price = { model = \"replay\"; file = \"%s/cli_ok.csv\";\n"
           "  from = -9223372036854775808.0; };\n" LIQ_TEST_BOOK_MARGIN, LIQ_TEST_DATA);
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "w.cfg", NULL, 0, &sc, &err);
  assert_liq_ok(rc, &err);
  assert_true(sc->price.from_ms == INT64_MIN);
  liq_scenario_free(sc);
}

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

/* Each is LIQ_INPUT with a located message, no crash. */
static void test_hostile_scenarios_rejected_cleanly(void **state) {
  static const struct { const char *text; int line; } cases[] = {
    {"", 1},
    {"price = { model = \"gbm\"; start = 99999999999999999999999; };\n", 1},
    {"seed = 0x1FFFFFFFFFFFFFFFF;\n", 1},
    {LIQ_TEST_GBM_HEAD LIQ_TEST_BOOK_MARGIN "stats = { quantiles = [0.0000001, 0.0000002]; };\n", 9},
    {LIQ_TEST_GBM_HEAD "book = { positions = 10; leverage = { values = [2.0]; };\n"
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

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_include_refused),
    cmocka_unit_test(test_include_directory_refused),
    cmocka_unit_test(test_include_absolute_refused),
    cmocka_unit_test(test_bracket_lookahead_linear),
    cmocka_unit_test(test_wide_integers_in_arrays),
    cmocka_unit_test(test_float_2pow63_rejected),
    cmocka_unit_test(test_error_file_holds_long_paths),
    cmocka_unit_test(test_hostile_scenarios_rejected_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, liq_test_remove_temp_dirs);
}
