/*
** test_funding.c: funding schedules (constant and from a Binance funding
** file) and located errors in funding files.
*/
#define _POSIX_C_SOURCE 200809L  /* fork, waitpid */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_fixtures.h"
#include "liq_funding.h"
#include "liq_scenario.h"
#include "ref_engine.h"
#include "liq_test_support.h"

/* n one-minute bars starting at t0 (ms). */
static liq_path *minutes(size_t n, int64_t t0) {
  liq_path *p = NULL;
  double *close = malloc(n * sizeof *close);
  size_t i;
  liq_err err;
  for (i = 0; i < n; i++) close[i] = 100.0;
  assert_liq_ok(liq_path_from_arrays(n, NULL, NULL, NULL, close, 60.0, &p, &err), &err);
  for (i = 0; i < n; i++) p->t_ms[i] = t0 + (int64_t)i * 60000;
  free(close);
  return p;
}

static void test_constant_every_eight_hours(void **state) {
  liq_scenario sc;
  liq_path *p = minutes(1440, 1584000000000LL - 1584000000000LL % 86400000LL);
  double *rates = NULL;
  liq_err err;
  size_t t, events = 0;
  (void)state;
  liq_test_scenario_init(&sc);
  sc.funding.mode = LIQ_FUNDING_CONSTANT;
  sc.funding.rate = 0.0001;
  sc.funding.interval_seconds = 28800.0;
  assert_liq_ok(liq_funding_schedule(&sc.funding, p, &rates, &err), &err);
  for (t = 0; t < p->n; t++) {
    if (rates[t] == 0.0) continue;
    events++;
    /* Paid at the close of the bars ending 08:00, 16:00 and 24:00, and the
    ** event at the window's first open (00:00) with step 0. */
    assert_true(t == 0 || t == 479 || t == 959 || t == 1439);
    assert_rel(rates[t], 0.0001, 1e-15);
  }
  assert_int_equal(events, 4);
  free(rates);
  sc.funding.mode = LIQ_FUNDING_NONE;
  assert_liq_ok(liq_funding_schedule(&sc.funding, p, &rates, &err), &err);
  assert_null(rates);
  liq_path_free(p);
}

static void test_file_events_land_in_their_bars(void **state) {
  char path[512];
  liq_scenario sc;
  liq_path *p = minutes(600, 1577836800000LL - 60000LL * 100);
  double *rates = NULL;
  liq_err err;
  (void)state;
  liq_test_write_temp("calc_time,funding_interval_hours,last_funding_rate\n"
                      "1577836800000,8,-0.00012359\n"
                      "1577836800000000,8,0.5\n", ".csv", path, sizeof path);
  liq_test_scenario_init(&sc);
  sc.funding.mode = LIQ_FUNDING_FILE;
  snprintf(sc.funding.file, sizeof sc.funding.file, "%s", path);
  /* The second row is out of order (a later calc_time in µs is far later,
  ** fine) but its rate 0.5 is out of range: line 3. */
  assert_int_equal(liq_funding_schedule(&sc.funding, p, &rates, &err), LIQ_INPUT);
  assert_int_equal(err.line, 3);
  assert_non_null(strstr(err.msg, "rate"));
  remove(path);
  liq_test_write_temp("calc_time,funding_interval_hours,last_funding_rate\n"
                      "1577836800000,8,-0.00012359\n"
                      "1577865600000,8,-0.00012383\n", ".csv", path, sizeof path);
  snprintf(sc.funding.file, sizeof sc.funding.file, "%s", path);
  assert_liq_ok(liq_funding_schedule(&sc.funding, p, &rates, &err), &err);
  /* 00:00 is the close of bar 99 (bars start 100 minutes before). */
  assert_rel(rates[99], -0.00012359, 1e-15);
  free(rates);
  remove(path);
  liq_path_free(p);
}

/* Events within one second of a bar boundary are paid at it: 3 ms after
** the first open with step 0, 3 ms after a close at that close (not a bar
** later), 999 ms before a close at that close; 1.5 s after a close is the
** next bar's. */
static void test_events_snap_to_boundaries(void **state) {
  char path[512];
  liq_scenario sc;
  int64_t t0 = 1577836800000LL;
  liq_path *p = minutes(10, t0);
  double *rates = NULL;
  char text[512];
  liq_err err;
  (void)state;
  snprintf(text, sizeof text, "%lld,8,0.001\n%lld,8,0.002\n%lld,8,0.004\n%lld,8,0.008\n",
           (long long)(t0 + 3), (long long)(t0 + 2 * 60000 + 3),
           (long long)(t0 + 5 * 60000 - 999), (long long)(t0 + 7 * 60000 + 1500));
  liq_test_write_temp(text, ".csv", path, sizeof path);
  liq_test_scenario_init(&sc);
  sc.funding.mode = LIQ_FUNDING_FILE;
  snprintf(sc.funding.file, sizeof sc.funding.file, "%s", path);
  assert_liq_ok(liq_funding_schedule(&sc.funding, p, &rates, &err), &err);
  assert_rel(rates[0], 0.001, 1e-15);   /* the window's first open */
  assert_rel(rates[1], 0.002, 1e-15);   /* bar 1 closes at 2 min */
  assert_rel(rates[4], 0.004, 1e-15);   /* bar 4 closes at 5 min */
  assert_rel(rates[7], 0.008, 1e-15);   /* 7 min + 1.5 s is inside bar 7 */
  assert_true(rates[2] == 0.0 && rates[3] == 0.0 && rates[5] == 0.0 &&
              rates[6] == 0.0 && rates[8] == 0.0 && rates[9] == 0.0);
  free(rates);
  remove(path);
  liq_path_free(p);
}

/* A replay gap: no bar closes at the open of the bar after it, so an event
** at that open (or a few ms after it, as Binance stamps them) is that bar's,
** as at the window's first open, not dropped; same for constant funding. */
static void test_events_at_the_open_after_a_gap(void **state) {
  char path[512];
  liq_scenario sc;
  int64_t t0 = 1577836800000LL;
  liq_path *p = minutes(6, t0);
  double *rates = NULL;
  char text[512];
  liq_err err;
  size_t t;
  (void)state;
  for (t = 3; t < 6; t++) p->t_ms[t] += 3600000;   /* bars 0-2, an hour's gap, 3-5 */
  snprintf(text, sizeof text, "%lld,8,0.001\n%lld,8,0.002\n",
           (long long)p->t_ms[3] + 3, (long long)p->t_ms[3] + 60000);
  liq_test_write_temp(text, ".csv", path, sizeof path);
  liq_test_scenario_init(&sc);
  sc.funding.mode = LIQ_FUNDING_FILE;
  snprintf(sc.funding.file, sizeof sc.funding.file, "%s", path);
  assert_liq_ok(liq_funding_schedule(&sc.funding, p, &rates, &err), &err);
  assert_rel(rates[3], 0.003, 1e-15);   /* both close bar 3: its open and its close */
  for (t = 0; t < 6; t++) if (t != 3) assert_true(rates[t] == 0.0);
  free(rates);
  remove(path);
  /* constant funding every 3 minutes: events at 0 (the first open), 3 (bar
  ** 2's close), 6 ... 60 (in the gap: no bar), 63 (the open after the gap)
  ** and 66 min (bar 5's close) */
  sc.funding.mode = LIQ_FUNDING_CONSTANT;
  sc.funding.rate = 0.01;
  sc.funding.interval_seconds = 180.0;
  assert_liq_ok(liq_funding_schedule(&sc.funding, p, &rates, &err), &err);
  assert_rel(rates[0], 0.01, 1e-15);    /* 0 min, the first open */
  assert_rel(rates[2], 0.01, 1e-15);    /* 3 min, bar 2's close */
  assert_rel(rates[3], 0.01, 1e-15);    /* 63 min, the open after the gap */
  assert_rel(rates[5], 0.01, 1e-15);    /* 66 min, bar 5's close */
  assert_true(rates[1] == 0.0 && rates[4] == 0.0);
  free(rates);
  liq_path_free(p);
}

static void test_bad_funding_files(void **state) {
  static const struct { const char *text; int line; const char *fragment; } bad[] = {
    { "", 1, "empty" },
    { "calc_time,funding_interval_hours,last_funding_rate\n", 1, "empty" },
    { "1577836800000,8\n", 1, "3 columns" },
    { "1577836800000,8,abc\n", 1, "rate" },
    { "1577836800000,8,0.0001\nx,8,0.0001\n", 2, "calc_time" },
    { "1577836800000,0,0.0001\n", 1, "interval" },
    { "1577836800000,8,0.0001\n1577836800000,8,0.0001\n", 2, "duplicate" },
    { "1577836800000,8,0.0001\n1577800000000,8,0.0001\n", 2, "unsorted" },
    { "1577836800000,8,nan\n", 1, "rate" },
    /* issue 12: (int64_t)1e22 was undefined behaviour, the row lost */
    { "1577836800000,8,0.0001\n1e22,8,0.0001\n", 2, "below 2^53" },
    { "-1e22,8,0.0001\n", 1, "below 2^53" },
    { "1577836800000.5,8,0.0001\n", 1, "whole Unix milliseconds" },
  };
  liq_scenario sc;
  liq_path *p = minutes(10, 0);
  size_t i;
  (void)state;
  liq_test_scenario_init(&sc);
  sc.funding.mode = LIQ_FUNDING_FILE;
  for (i = 0; i < sizeof bad / sizeof *bad; i++) {
    char path[512];
    double *rates = NULL;
    liq_err err;
    liq_test_write_temp(bad[i].text, ".csv", path, sizeof path);
    snprintf(sc.funding.file, sizeof sc.funding.file, "%s", path);
    assert_int_equal(liq_funding_schedule(&sc.funding, p, &rates, &err), LIQ_INPUT);
    assert_null(rates);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, bad[i].line);
    assert_non_null(strstr(err.msg, bad[i].fragment));
    remove(path);
  }
  liq_path_free(p);
}

static void test_real_binance_file_loads(void **state) {
  liq_scenario sc;
  liq_path *p = minutes(3 * 1440, 1589846400000LL);   /* 2020-05-19 00:00 UTC */
  double *rates = NULL;
  liq_err err;
  size_t t, events = 0;
  (void)state;
  liq_test_scenario_init(&sc);
  sc.funding.mode = LIQ_FUNDING_FILE;
  snprintf(sc.funding.file, sizeof sc.funding.file, "%s",
           LIQ_SOURCE_DIR "/scenarios/data/btc_usdt_funding_8h_binance_2020-01_2026-06.csv");
  assert_liq_ok(liq_funding_schedule(&sc.funding, p, &rates, &err), &err);
  /* Three days from 00:00: the payment at the first open and nine more
  ** at the closes of the bars ending 08:00, 16:00 and 24:00, although
  ** Binance stamps many of them a few ms after the hour (05-19 08:00:00.001
  ** and so on). */
  for (t = 0; t < p->n; t++) {
    if (rates[t] == 0.0) continue;
    events++;
    assert_true(t == 0 || (t + 1) % 480 == 0);
  }
  assert_int_equal(events, 10);
  free(rates);
  liq_path_free(p);
}

/* A scenario reads its funding file once, when it loads: the schedule of
** a run places the payments read then, even if the file is gone since. */
static void test_file_read_once_at_load(void **state) {
  char csv[512], text[2048];
  liq_scenario *sc = NULL;
  liq_path *p = NULL;
  liq_err err;
  double *rates = NULL, sum = 0.0;
  size_t i;
  (void)state;
  liq_test_write_temp("calc_time,funding_interval_hours,rate\n"
                      "1584050600000,8,0.0001\n1584086400000,8,0.0002\n",
                      ".csv", csv, sizeof csv);
  snprintf(text, sizeof text,
           "steps = 0;\n"
           "price = { model = \"replay\"; file = \"%s/scenario_prices.csv\"; };\n"
           "book = { positions = 10; leverage = { values = [10.0]; };\n"
           "  notional = { dist = \"fixed\"; median = 2000.0; }; };\n"
           "margin = { initial = 0.02; maintenance = 0.01; };\n"
           "funding = { file = \"%s\"; };\n", LIQ_TEST_DATA, csv);
  liq_err_clear(&err);
  assert_liq_ok(liq_scenario_load_string(text, "f.cfg", NULL, 0, &sc, &err), &err);
  assert_int_equal(sc->funding.n_events, 2);
  assert_true(sc->funding.events[1].t_ms == 1584086400000LL);
  assert_true(sc->funding.events[1].rate == 0.0002);
  assert_int_equal(remove(csv), 0);
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 1, &p, &err),
                &err);
  assert_liq_ok(liq_funding_schedule(&sc->funding, p, &rates, &err), &err);
  assert_non_null(rates);
  for (i = 0; i < p->n; i++) sum += rates[i];
  assert_true(sum == 0.0001);       /* the first payment falls in the path */
  free(rates);
  liq_path_free(p);
  liq_scenario_free(sc);
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
  liq_test_temp_dir("liqsim-funding", dir, sizeof dir);
  liq_test_write_text(dir, "fund_bom.csv", "\xEF\xBB\xBF" "60000,8,0.01\n120000,8,0.02\n",
             fund, sizeof fund);
  liq_err_clear(&err);
  assert_liq_ok(schedule_of(fund, r, &err), &err);
  print_message("rates: %g %g\n", r[0], r[1]);
  assert_rel(r[0], 0.01, 1e-12);
  assert_rel(r[1], 0.02, 1e-12);

  liq_test_write_text(dir, "fund_hdr.csv", "\xEF\xBB\xBF" "calc_time,interval,rate\n"
             "60000,8,0.01\n", fund, sizeof fund);
  assert_liq_ok(schedule_of(fund, r, &err), &err);
  assert_rel(r[0], 0.01, 1e-12);

  liq_test_write_text(dir, "fund_typo.csv", "60000x,8,0.01\n120000,8,0.02\n", fund,
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
  liq_test_cli_result r;
  (void)state;
  liq_test_temp_dir("liqsim-funding", dir, sizeof dir);
  snprintf(db, sizeof db, "%s/out.db", dir);
  liq_test_write_text(dir, "slowfund.cfg",
             "name = \"slowfund\";\nsteps = 10;\nstep_seconds = 3.2e8;\n"
             "price = { model = \"gbm\"; start = 30000.0; volatility = 0.1; };\n"
             LIQ_TEST_BOOK_MARGIN
             "funding = { rate = 0.00001; interval_seconds = 1; };\n",
             cfg, sizeof cfg);
  r = liq_test_cli(dir, 3.0, args);
  liq_test_print_cli("run with 1 s funding over 10 x 3.2e8 s steps", &r);
  assert_int_equal(r.code, 0);           /* -1: still running after 3 s */

  /* Bars at 0, 60 and 300 s of 60 s each, an event every 30 s: two per
  ** bar, plus the event at the first open (0 s) in bar 0 and the one at
  ** the open after the gap (300 s) in bar 2; the events in the gap
  ** (150..270 s) are paid by nobody. */
  assert_non_null(sc);
  liq_err_clear(&err);
  assert_liq_ok(liq_path_from_arrays(3, NULL, NULL, NULL, close, 60.0, &p, &err), &err);
  p->t_ms[2] = 300000;
  sc->funding.mode = LIQ_FUNDING_CONSTANT;
  sc->funding.rate = 0.001;
  sc->funding.interval_seconds = 30.0;
  assert_liq_ok(liq_funding_schedule(&sc->funding, p, &rates, &err), &err);
  assert_rel(rates[0], 0.003, 1e-15);
  assert_rel(rates[1], 0.002, 1e-15);
  assert_rel(rates[2], 0.003, 1e-15);
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

/*
** A sub-millisecond funding interval used to divide by zero in
** schedule_constant() (intervals are whole milliseconds).  Scenarios now
** require >= 1 s; the schedule itself also guards.  Run in a child
** process, so a crash cannot take the suite down.
*/
static void test_funding_submillisecond_interval(void **state) {
  pid_t pid;
  int status = 0;
  (void)state;
  fflush(stdout);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    liq_scenario sc;
    liq_path *p = path_new(3, 0);
    double *rates = NULL;
    liq_err err;
    size_t t;
    for (t = 0; t < 3; t++) p->open[t] = p->close[t] = p->high[t] = p->low[t] = 100.0;
    liq_test_scenario_init(&sc);
    sc.funding.mode = LIQ_FUNDING_CONSTANT;
    sc.funding.rate = 0.0001;
    sc.funding.interval_seconds = 0.0001;
    (void)liq_funding_schedule(&sc.funding, p, &rates, &err);
    free(rates);
    path_del(p);
    _exit(0);
  }
  assert_true(waitpid(pid, &status, 0) == pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
** A path that starts before the epoch (negative times): the first funding
** event after t0 = -90 s with a 60 s interval is -60 s, in bar 0.  C's
** division truncates toward zero and used to give 0.
*/
static void test_funding_negative_start_time(void **state) {
  liq_scenario sc;
  liq_path *p = path_new(3, 0);
  double *rates = NULL, r0;
  liq_err err;
  size_t t;
  (void)state;
  for (t = 0; t < 3; t++) {
    p->t_ms[t] = -90000 + (int64_t)t * 60000;
    p->open[t] = p->close[t] = p->high[t] = p->low[t] = 100.0;
  }
  liq_test_scenario_init(&sc);
  sc.funding.mode = LIQ_FUNDING_CONSTANT;
  sc.funding.rate = 0.0001;
  sc.funding.interval_seconds = 60.0;
  assert_liq_ok(liq_funding_schedule(&sc.funding, p, &rates, &err), &err);
  r0 = rates[0];
  free(rates);
  path_del(p);
  assert_true(r0 == 0.0001);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_constant_every_eight_hours),
    cmocka_unit_test(test_file_events_land_in_their_bars),
    cmocka_unit_test(test_events_snap_to_boundaries),
    cmocka_unit_test(test_events_at_the_open_after_a_gap),
    cmocka_unit_test(test_bad_funding_files),
    cmocka_unit_test(test_real_binance_file_loads),
    cmocka_unit_test(test_file_read_once_at_load),
    cmocka_unit_test(test_funding_bom_and_header),
    cmocka_unit_test(test_constant_funding_per_bar),
    cmocka_unit_test(test_funding_submillisecond_interval),
    cmocka_unit_test(test_funding_negative_start_time),
  };
  return cmocka_run_group_tests(tests, NULL, liq_test_remove_temp_dirs);
}
