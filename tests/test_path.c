/*
** test_path.c: price paths (core/path.c): seeds, gbm, jump, garch,
** bootstrap, CSV replay, bars from arrays, returns, scenario dispatch.
**
** The statistical checks use fixed seeds, so they are deterministic; their
** tolerances (4 standard errors) are what a fresh seed would pass with
** probability ~0.9999.
*/
#include "liq_test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "liq_path.h"
#include "liq_scenario.h"
#include "liq_seed.h"

#define YEAR_S (365.0 * 86400.0)

/* Replay 'text' from a temporary CSV; the file is removed afterwards and
** its name is left in 'name' (for err.file checks). */
static int replay_text(const char *text, int has_from, int64_t from_ms,
                       int has_to, int64_t to_ms, size_t max_bars,
                       liq_path **out, liq_err *err, char *name, size_t size) {
  char buf[512];
  int rc;
  liq_test_write_temp(text, ".csv", buf, sizeof buf);
  rc = liq_path_replay(buf, has_from, from_ms, has_to, to_ms, max_bars, out, err);
  remove(buf);
  if (name) snprintf(name, size, "%s", buf);
  return rc;
}

static liq_path *replay_ok(const char *text) {
  liq_path *p = NULL;
  liq_err err;
  liq_err_clear(&err);
  assert_liq_ok(replay_text(text, 0, 0, 0, 0, 0, &p, &err, NULL, 0), &err);
  assert_non_null(p);
  return p;
}

/* ------------------------------------------------------------------------
** Seeds
*/

static void test_seed_deterministic_and_distinct(void **state) {
  uint64_t seen[3 * 200];
  size_t n = 0, i, j;
  uint64_t rep, stream;
  (void)state;
  assert_true(liq_seed(42, 3, LIQ_STREAM_PATH) == liq_seed(42, 3, LIQ_STREAM_PATH));
  assert_true(liq_seed(42, 3, LIQ_STREAM_PATH) != liq_seed(42, 3, LIQ_STREAM_BOOK));
  assert_true(liq_seed(42, 3, LIQ_STREAM_PATH) != liq_seed(42, 4, LIQ_STREAM_PATH));
  assert_true(liq_seed(42, 3, LIQ_STREAM_PATH) != liq_seed(43, 3, LIQ_STREAM_PATH));
  /* swapping replicate and stream must not collide */
  assert_true(liq_seed(0, 1, 2) != liq_seed(0, 2, 1));
  for (rep = 0; rep < 200; rep++)
    for (stream = 0; stream < 3; stream++) seen[n++] = liq_seed(7, rep, stream);
  for (i = 0; i < n; i++)
    for (j = i + 1; j < n; j++) assert_true(seen[i] != seen[j]);
}

static int popcount64(uint64_t x) {
  int c = 0;
  while (x) { x &= x - 1; c++; }
  return c;
}

/* Neighbouring replicates and streams give unrelated seeds: about half
** the bits differ on average. */
static void test_seed_avalanche(void **state) {
  double sum_rep = 0.0, sum_stream = 0.0;
  uint64_t k;
  (void)state;
  for (k = 0; k < 1000; k++) {
    sum_rep += popcount64(liq_seed(1, k, LIQ_STREAM_PATH) ^ liq_seed(1, k + 1, LIQ_STREAM_PATH));
    sum_stream += popcount64(liq_seed(1, k, LIQ_STREAM_PATH) ^ liq_seed(1, k, LIQ_STREAM_BOOK));
  }
  /* mean of 1000 Binomial(64, 1/2): sd 4/sqrt(1000) ~ 0.13 */
  assert_true(fabs(sum_rep / 1000.0 - 32.0) < 1.0);
  assert_true(fabs(sum_stream / 1000.0 - 32.0) < 1.0);
}

/* ------------------------------------------------------------------------
** GBM
*/

static void test_gbm_shape(void **state) {
  liq_path *p = NULL;
  liq_err err;
  size_t t;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_gbm(30000.0, 0.1, 0.8, 60.0, 500, 99, &p, &err), &err);
  assert_int_equal(p->n, 500);
  assert_int_equal(p->has_ohlc, 0);
  assert_rel(p->step_seconds, 60.0, 0.0);
  assert_rel(p->daily_volatility, 0.8 / sqrt(365.0), 1e-15);
  assert_rel(p->open[0], 30000.0, 0.0);
  for (t = 0; t < p->n; t++) {
    assert_true(p->t_ms[t] == (int64_t)t * 60000);
    if (t > 0) assert_rel(p->open[t], p->close[t - 1], 0.0);
    assert_rel(p->high[t], fmax(p->open[t], p->close[t]), 0.0);
    assert_rel(p->low[t], fmin(p->open[t], p->close[t]), 0.0);
    assert_true(p->close[t] > 0.0);
  }
  liq_path_free(p);
}

static void test_gbm_deterministic(void **state) {
  liq_path *a = NULL, *b = NULL, *c = NULL;
  liq_err err;
  size_t t, same = 0;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_gbm(100.0, 0.0, 0.5, 3600.0, 1000, 12345, &a, &err), &err);
  assert_liq_ok(liq_path_gbm(100.0, 0.0, 0.5, 3600.0, 1000, 12345, &b, &err), &err);
  assert_liq_ok(liq_path_gbm(100.0, 0.0, 0.5, 3600.0, 1000, 12346, &c, &err), &err);
  assert_memory_equal(a->close, b->close, 1000 * sizeof(double));
  for (t = 0; t < 1000; t++) same += a->close[t] == c->close[t];
  assert_int_equal(same, 0);
  liq_path_free(a);
  liq_path_free(b);
  liq_path_free(c);
}

/* mt19937 takes 32 bits: the seed is folded (low ^ high half), and a fold
** of 0 (which GSL would replace by its default seed) maps to a fixed
** nonzero value, so seed 0 is still a valid, reproducible seed. */
static void test_gbm_seed_fold(void **state) {
  liq_path *a = NULL, *b = NULL;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_gbm(100.0, 0.0, 0.5, 60.0, 10, 0, &a, &err), &err);
  assert_liq_ok(liq_path_gbm(100.0, 0.0, 0.5, 60.0, 10, 0x0000000100000001ULL, &b, &err), &err);
  assert_memory_equal(a->close, b->close, 10 * sizeof(double)); /* same fold */
  liq_path_free(a);
  liq_path_free(b);
}

static void test_gbm_zero_volatility(void **state) {
  liq_path *p = NULL;
  liq_err err;
  size_t t;
  double mu = 0.3, dt = 86400.0 / YEAR_S;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_gbm(50.0, mu, 0.0, 86400.0, 365, 1, &p, &err), &err);
  for (t = 0; t < p->n; t++)
    assert_rel(p->close[t], 50.0 * exp(mu * dt * (double)(t + 1)), 1e-12);
  assert_rel(p->close[364], 50.0 * exp(mu), 1e-12);
  assert_rel(p->daily_volatility, 0.0, 0.0);
  liq_path_free(p);
}

/* Log returns are iid N((mu - s^2/2) dt, s^2 dt). */
static void test_gbm_moments(void **state) {
  const size_t n = 200000;
  const double mu = 0.5, s = 0.9, dt_s = 300.0, dt = dt_s / YEAR_S;
  liq_path *p = NULL;
  liq_err err;
  double mean = 0.0, var = 0.0, m_exp, v_exp, se_m, se_v, prev = 1000.0;
  size_t t;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_gbm(1000.0, mu, s, dt_s, n, liq_seed(2024, 0, LIQ_STREAM_PATH),
                             &p, &err), &err);
  for (t = 0; t < n; t++) {
    mean += log(p->close[t] / prev);
    prev = p->close[t];
  }
  mean /= (double)n;
  prev = 1000.0;
  for (t = 0; t < n; t++) {
    double d = log(p->close[t] / prev) - mean;
    var += d * d;
    prev = p->close[t];
  }
  var /= (double)(n - 1);
  m_exp = (mu - 0.5 * s * s) * dt;
  v_exp = s * s * dt;
  se_m = sqrt(v_exp / (double)n);
  se_v = v_exp * sqrt(2.0 / (double)(n - 1));
  assert_true(fabs(mean - m_exp) < 4.0 * se_m);
  assert_true(fabs(var - v_exp) < 4.0 * se_v);
  liq_path_free(p);
}

/* P(S_T < B) = Phi((ln(B/S0) - (mu - s^2/2) T) / (s sqrt T)) over
** independent replicate paths seeded by liq_seed(). */
static void test_gbm_terminal_cdf(void **state) {
  const size_t reps = 20000, steps = 4;
  const double S0 = 100.0, B = 98.0, mu = 0.2, s = 1.2, dt_s = 3600.0;
  const double T = (double)steps * dt_s / YEAR_S;
  double p_exp, p_hat, se;
  size_t k, below = 0;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  for (k = 0; k < reps; k++) {
    liq_path *p = NULL;
    assert_liq_ok(liq_path_gbm(S0, mu, s, dt_s, steps, liq_seed(77, k, LIQ_STREAM_PATH),
                               &p, &err), &err);
    below += p->close[steps - 1] < B;
    liq_path_free(p);
  }
  p_exp = gsl_cdf_gaussian_P(log(B / S0) - (mu - 0.5 * s * s) * T, s * sqrt(T));
  p_hat = (double)below / (double)reps;
  se = sqrt(p_exp * (1.0 - p_exp) / (double)reps);
  assert_true(p_exp > 0.1 && p_exp < 0.5);  /* a non-trivial barrier */
  assert_true(fabs(p_hat - p_exp) < 4.0 * se);
}

static void test_gbm_bad_args(void **state) {
  static const struct {
    double start, drift, vol, dt;
    size_t n;
  } bad[] = {
    { 0.0, 0.0, 0.5, 60.0, 10 },    { -1.0, 0.0, 0.5, 60.0, 10 },
    { NAN, 0.0, 0.5, 60.0, 10 },    { INFINITY, 0.0, 0.5, 60.0, 10 },
    { 100.0, NAN, 0.5, 60.0, 10 },  { 100.0, 0.0, -0.1, 60.0, 10 },
    { 100.0, 0.0, NAN, 60.0, 10 },  { 100.0, 0.0, 0.5, 0.0, 10 },
    { 100.0, 0.0, 0.5, -60.0, 10 }, { 100.0, 0.0, 0.5, 60.0, 0 },
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    liq_path *p = (liq_path *)&p;  /* must be reset to NULL */
    liq_err err;
    liq_err_clear(&err);
    assert_int_equal(liq_path_gbm(bad[i].start, bad[i].drift, bad[i].vol, bad[i].dt,
                                  bad[i].n, 1, &p, &err), LIQ_INPUT);
    assert_null(p);
    assert_int_equal(err.code, LIQ_INPUT);
    assert_true(err.msg[0] != '\0');
  }
}

static void test_free_null(void **state) {
  (void)state;
  liq_path_free(NULL);
}

/* ------------------------------------------------------------------------
** Replay: layouts
*/

static const char *GENERIC_ROWS =
  "1584050580000,5775.97,5837.71,5770.15,5789.00,768.141\n"
  "1584050640000,5789.01,5824.00,5784.82,5805.58,386.776\n"
  "1584050700000,5805.58,5810.00,5750.00,5760.25,512.000\n";

static void check_generic(const liq_path *p) {
  assert_int_equal(p->n, 3);
  assert_int_equal(p->has_ohlc, 1);
  assert_rel(p->step_seconds, 60.0, 0.0);
  assert_true(p->t_ms[0] == 1584050580000LL);
  assert_true(p->t_ms[2] == 1584050700000LL);
  assert_rel(p->open[0], 5775.97, 0.0);
  assert_rel(p->high[0], 5837.71, 0.0);
  assert_rel(p->low[0], 5770.15, 0.0);
  assert_rel(p->close[0], 5789.00, 0.0);
  assert_rel(p->open[1], 5789.01, 0.0);
  assert_rel(p->close[2], 5760.25, 0.0);
}

static void test_replay_generic_header(void **state) {
  char text[1024];
  liq_path *p;
  (void)state;
  snprintf(text, sizeof text, "open_time_ms,open,high,low,close,volume\n%s", GENERIC_ROWS);
  p = replay_ok(text);
  check_generic(p);
  liq_path_free(p);
}

static void test_replay_generic_no_header(void **state) {
  liq_path *p = replay_ok(GENERIC_ROWS);
  (void)state;
  check_generic(p);
  liq_path_free(p);
}

/* Exactly five columns, CRLF line ends, no final newline, quoted fields,
** blank lines, a byte-order mark: all still the generic layout. */
static void test_replay_generic_variants(void **state) {
  liq_path *p;
  (void)state;
  p = replay_ok("time,o,h,l,c\r\n"
                "1584050580000,5775.97,5837.71,5770.15,5789.00\r\n"
                "\r\n"
                "\"1584050640000\",\"5789.01\",5824.00,5784.82,5805.58\r\n"
                "1584050700000,5805.58,5810.00,5750.00,5760.25");
  check_generic(p);
  liq_path_free(p);
  /* a UTF-8 byte-order mark before a headerless file */
  p = replay_ok("\xEF\xBB\xBF" "1584050580000,5775.97,5837.71,5770.15,5789.00\n"
                "1584050640000,5789.01,5824.00,5784.82,5805.58\n"
                "1584050700000,5805.58,5810.00,5750.00,5760.25\n");
  check_generic(p);
  liq_path_free(p);
}

static void test_replay_binance_header(void **state) {
  liq_path *p = NULL;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_replay(LIQ_TEST_DATA "/path_binance_kline_header.csv", 0, 0, 0, 0,
                                0, &p, &err), &err);
  assert_int_equal(p->n, 5);
  assert_int_equal(p->has_ohlc, 1);
  assert_rel(p->step_seconds, 60.0, 0.0);
  assert_true(p->t_ms[0] == 1760054400000LL);
  assert_true(p->t_ms[4] == 1760054640000LL);
  assert_rel(p->open[0], 121662.0, 0.0);
  assert_rel(p->high[0], 121737.53736410, 0.0);
  assert_rel(p->low[1], 121679.2, 0.0);
  assert_rel(p->close[4], 121717.08236621, 0.0);
  liq_path_free(p);
}

/* No header and microsecond open times (Binance spot files from 2025). */
static void test_replay_binance_no_header_us(void **state) {
  liq_path *a = NULL, *b = NULL;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_replay(LIQ_TEST_DATA "/path_binance_kline_header.csv", 0, 0, 0, 0,
                                0, &a, &err), &err);
  assert_liq_ok(liq_path_replay(LIQ_TEST_DATA "/path_binance_kline_us.csv", 0, 0, 0, 0,
                                0, &b, &err), &err);
  assert_int_equal(b->n, a->n);
  assert_memory_equal(b->t_ms, a->t_ms, a->n * sizeof(int64_t));
  assert_memory_equal(b->close, a->close, a->n * sizeof(double));
  assert_memory_equal(b->low, a->low, a->n * sizeof(double));
  assert_rel(b->step_seconds, 60.0, 0.0);
  liq_path_free(a);
  liq_path_free(b);
}

/* Seconds, milliseconds, microseconds and nanoseconds all mean the same. */
static void test_replay_time_units(void **state) {
  static const char *const text[] = {
    "1621382400,100,101,99,100.5\n1621382460,100.5,102,100,101\n",
    "1621382400000,100,101,99,100.5\n1621382460000,100.5,102,100,101\n",
    "1621382400000000,100,101,99,100.5\n1621382460000000,100.5,102,100,101\n",
    "1621382400000000000,100,101,99,100.5\n1621382460000000000,100.5,102,100,101\n",
    "1621382400000000.0,100,101,99,100.5\n1621382460000000.5,100.5,102,100,101\n",
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof text / sizeof text[0]; i++) {
    liq_path *p = replay_ok(text[i]);
    assert_int_equal(p->n, 2);
    assert_true(p->t_ms[0] == 1621382400000LL);
    assert_true(p->t_ms[1] == 1621382460000LL);
    assert_rel(p->step_seconds, 60.0, 0.0);
    liq_path_free(p);
  }
}

static void test_replay_close_only(void **state) {
  static const char *const text[] = {
    "open_time_ms,close\n1000000000000,100\n1000000060000,110\n1000000120000,105\n",
    "1000000000000,100\n1000000060000,110\n1000000120000,105\n",
  };
  size_t i;
  (void)state;
  for (i = 0; i < 2; i++) {
    liq_path *p = replay_ok(text[i]);
    assert_int_equal(p->n, 3);
    assert_int_equal(p->has_ohlc, 0);
    assert_rel(p->open[0], 100.0, 0.0);
    assert_rel(p->high[0], 100.0, 0.0);
    assert_rel(p->low[0], 100.0, 0.0);
    assert_rel(p->open[1], 100.0, 0.0);
    assert_rel(p->high[1], 110.0, 0.0);
    assert_rel(p->low[1], 100.0, 0.0);
    assert_rel(p->open[2], 110.0, 0.0);
    assert_rel(p->high[2], 110.0, 0.0);
    assert_rel(p->low[2], 105.0, 0.0);
    assert_rel(p->close[2], 105.0, 0.0);
    liq_path_free(p);
  }
}

/* A close-only window that starts mid-file opens at the close before it. */
static void test_replay_close_only_window(void **state) {
  liq_path *p = NULL;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(replay_text("1000000000000,100\n1000000060000,110\n1000000120000,105\n",
                            1, 1000000060000LL, 0, 0, 0, &p, &err, NULL, 0), &err);
  assert_int_equal(p->n, 2);
  assert_rel(p->open[0], 100.0, 0.0);
  assert_rel(p->close[0], 110.0, 0.0);
  liq_path_free(p);
}

static void test_replay_one_bar(void **state) {
  liq_path *p = replay_ok("open_time_ms,open,high,low,close\n1000000000000,10,11,9,10.5\n");
  (void)state;
  assert_int_equal(p->n, 1);
  assert_rel(p->step_seconds, 60.0, 0.0);
  assert_rel(p->daily_volatility, 0.0, 0.0);
  liq_path_free(p);
}

/* step_seconds is the median spacing (robust to gaps); daily volatility is
** the sample sd of log close-to-close returns scaled to a day. */
static void test_replay_spacing_and_volatility(void **state) {
  const double c[5] = { 100.0, 102.0, 101.0, 104.0, 103.5 };
  double r[4], mean = 0.0, ss = 0.0;
  liq_path *p;
  size_t i;
  (void)state;
  p = replay_ok("1000000000000,100\n"
                "1000000300000,102\n"
                "1000000600000,101\n"
                "1000009000000,104\n"   /* a gap */
                "1000009300000,103.5\n");
  assert_rel(p->step_seconds, 300.0, 0.0);
  for (i = 0; i < 4; i++) mean += (r[i] = log(c[i + 1] / c[i])) / 4.0;
  for (i = 0; i < 4; i++) ss += (r[i] - mean) * (r[i] - mean);
  assert_rel(p->daily_volatility, sqrt(ss / 3.0) * sqrt(86400.0 / 300.0), 1e-12);
  liq_path_free(p);
}

static void test_replay_window(void **state) {
  const char *text = "open_time_ms,open,high,low,close\n"
                     "1000000000000,10,11,9,10\n"
                     "1000000060000,10,11,9,10.1\n"
                     "1000000120000,10,11,9,10.2\n"
                     "1000000180000,10,11,9,10.3\n"
                     "1000000240000,10,11,9,10.4\n";
  liq_path *p = NULL;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  /* inclusive bounds */
  assert_liq_ok(replay_text(text, 1, 1000000060000LL, 1, 1000000180000LL, 0, &p, &err,
                            NULL, 0), &err);
  assert_int_equal(p->n, 3);
  assert_rel(p->close[0], 10.1, 0.0);
  assert_rel(p->close[2], 10.3, 0.0);
  assert_rel(p->step_seconds, 60.0, 0.0);
  liq_path_free(p);
  /* only from, with a bar limit */
  assert_liq_ok(replay_text(text, 1, 1000000100000LL, 0, 0, 2, &p, &err, NULL, 0), &err);
  assert_int_equal(p->n, 2);
  assert_rel(p->close[0], 10.2, 0.0);
  assert_rel(p->close[1], 10.3, 0.0);
  liq_path_free(p);
  /* only to */
  assert_liq_ok(replay_text(text, 0, 0, 1, 1000000000000LL, 0, &p, &err, NULL, 0), &err);
  assert_int_equal(p->n, 1);
  assert_rel(p->step_seconds, 60.0, 0.0);  /* from the whole file */
  liq_path_free(p);
  /* exactly as many bars as asked for */
  assert_liq_ok(replay_text(text, 0, 0, 0, 0, 5, &p, &err, NULL, 0), &err);
  assert_int_equal(p->n, 5);
  liq_path_free(p);
}

static void test_replay_missing_file(void **state) {
  liq_path *p = (liq_path *)&p;
  liq_err err;
  const char *path = LIQ_TEST_DATA "/path_no_such_file.csv";
  (void)state;
  liq_err_clear(&err);
  assert_int_equal(liq_path_replay(path, 0, 0, 0, 0, 0, &p, &err), LIQ_IO);
  assert_null(p);
  assert_string_equal(err.file, path);
  assert_non_null(strstr(err.msg, "cannot open"));
}

/* ------------------------------------------------------------------------
** Replay: bad files
*/

#define HDR "open_time_ms,open,high,low,close,volume\n"
#define ROW1 "1000000000000,10,11,9,10.5,1\n"
#define ROW2 "1000000060000,10.5,12,10,11,1\n"

static const struct bad_csv {
  const char *what;
  const char *text;
  int         has_from, has_to;
  int64_t     from_ms, to_ms;
  size_t      max_bars;
  int         line;
  const char *fragment;
} BAD[] = {
  { "nan", HDR ROW1 "1000000060000,10.5,12,10,nan,1\n", 0, 0, 0, 0, 0, 3,
    "close is not finite 'nan'" },
  { "inf", HDR ROW1 "1000000060000,10.5,inf,10,11,1\n", 0, 0, 0, 0, 0, 3,
    "high is not finite 'inf'" },
  { "abc", HDR ROW1 "1000000060000,10.5,12,10,abc,1\n", 0, 0, 0, 0, 0, 3,
    "close is not a number 'abc'" },
  { "empty field", HDR ROW1 "1000000060000,,12,10,11,1\n", 0, 0, 0, 0, 0, 3,
    "open is not a number ''" },
  { "trailing junk", ROW1 "1000000060000,10.5,12,10,11x,1\n", 0, 0, 0, 0, 0, 2,
    "close is not a number '11x'" },
  { "negative price", HDR ROW1 ROW2 "1000000120000,10.5,12,-1,11,1\n", 0, 0, 0, 0, 0, 4,
    "low must be > 0, got -1" },
  { "zero price", HDR "1000000000000,0,11,9,10.5,1\n", 0, 0, 0, 0, 0, 2,
    "open must be > 0" },
  { "high below low", HDR ROW1 "1000000060000,10.5,9,10,9.5,1\n", 0, 0, 0, 0, 0, 3,
    "high 9 is below low 10" },
  { "close above high", HDR ROW1 "1000000060000,10.5,12,10,12.5,1\n", 0, 0, 0, 0, 0, 3,
    "close 12.5 is above high 12" },
  { "close below low", HDR ROW1 "1000000060000,10.5,12,10,9.9,1\n", 0, 0, 0, 0, 0, 3,
    "close 9.9 is below low 10" },
  { "open below low", HDR ROW1 "1000000060000,9.5,12,10,11,1\n", 0, 0, 0, 0, 0, 3,
    "open 9.5 is below low 10" },
  { "open above high", HDR ROW1 "1000000060000,12.5,12,10,11,1\n", 0, 0, 0, 0, 0, 3,
    "open 12.5 is above high 12" },
  { "duplicate time", HDR ROW1 ROW2 "1000000060000,11,12,10,11,1\n", 0, 0, 0, 0, 0, 4,
    "duplicate open time 2001-09-09 01:47:40 (1000000060000 ms), also on line 3" },
  { "decreasing time", HDR ROW1 ROW2 "1000000030000,11,12,10,11,1\n", 0, 0, 0, 0, 0, 4,
    "is before the previous bar's" },
  { "bad time", HDR ROW1 "yesterday,10.5,12,10,11,1\n", 0, 0, 0, 0, 0, 3,
    "open time is not a number 'yesterday'" },
  { "negative time", HDR ROW1 "-5,10.5,12,10,11,1\n", 0, 0, 0, 0, 0, 3,
    "not a non-negative Unix time" },
  { "missing column", HDR ROW1 "1000000060000,10.5,12,10,1\n", 0, 0, 0, 0, 0, 3,
    "row has 5 columns but line 2 has 6" },
  { "extra column", ROW1 ROW2 "1000000120000,10.5,12,10,11,1,7\n", 0, 0, 0, 0, 0, 3,
    "row has 7 columns but line 1 has 6" },
  { "header mismatch", "time,open,high,low,close\n" ROW1, 0, 0, 0, 0, 0, 2,
    "row has 6 columns but the header (line 1) has 5" },
  { "four columns", "1000000000000,10,11,9\n", 0, 0, 0, 0, 0, 1,
    "row has 4 columns; expected" },
  { "three columns (funding file)", "calc_time,hours,rate\n1577836800000,8,-0.0001\n",
    0, 0, 0, 0, 0, 2, "row has 3 columns" },
  { "close-only bad close", "t,close\n1000000000000,10\n1000000060000,-3\n", 0, 0, 0, 0, 0,
    3, "close must be > 0, got -3" },
  { "empty file", "", 0, 0, 0, 0, 0, 1, "empty price file" },
  { "blank file", "\n  \n\n", 0, 0, 0, 0, 0, 1, "empty price file" },
  { "header only", HDR, 0, 0, 0, 0, 0, 1, "header but no bars" },
  { "physical lines", HDR "\n" ROW1 "\n\n" "1000000060000,10.5,12,10,abc,1\n", 0, 0, 0, 0, 0,
    6, "close is not a number" },
  { "bad row outside the window", HDR ROW1 ROW2 "1000000120000,10.5,12,10,nan,1\n",
    1, 1, 1000000000000LL, 1000000000000LL, 0, 4, "close is not finite" },
  { "unterminated quote", HDR ROW1 "\"1000000060000,10.5,12,10,11,1\n", 0, 0, 0, 0, 0, 3,
    "malformed CSV" },
  { "window with no bars", HDR ROW1 ROW2, 1, 1, 1100000000000LL, 1100000600000LL, 0, 0,
    "no bars between 2004-11-09 11:33:20 and 2004-11-09 11:43:20 (the file covers "
    "2001-09-09 01:46:40 to 2001-09-09 01:47:40)" },
  { "window before the file", HDR ROW1 ROW2, 0, 1, 0, 999999999999LL, 0, 0,
    "no bars between the start and 2001-09-09 01:46:39" },
  { "too few bars for steps", HDR ROW1 ROW2, 0, 0, 0, 0, 5, 0,
    "steps = 5 but the file has only 2 bars in the window" },
  { "window after end", HDR ROW1 ROW2, 1, 1, 1000000120000LL, 1000000000000LL, 0, 0,
    "is after its end" },
};

static void test_replay_bad_table(void **state) {
  size_t i, failed = 0;
  (void)state;
  for (i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    const struct bad_csv *b = &BAD[i];
    liq_path *p = (liq_path *)&p;
    liq_err err;
    char name[512];
    int rc;
    liq_err_clear(&err);
    rc = replay_text(b->text, b->has_from, b->from_ms, b->has_to, b->to_ms, b->max_bars,
                     &p, &err, name, sizeof name);
    if (rc != LIQ_INPUT || err.line != b->line || strstr(err.msg, b->fragment) == NULL ||
        strcmp(err.file, name) != 0) {
      print_error("case '%s': rc %d, %s:%d: %s\n  expected line %d and \"%s\"\n", b->what,
                  rc, err.file, err.line, err.msg, b->line, b->fragment);
      failed++;
    }
    assert_null(p);
  }
  assert_int_equal(failed, 0);
}

/* ------------------------------------------------------------------------
** Replay: the scenario data
*/

static void test_replay_scenario_data(void **state) {
  static const struct {
    const char *file;
    size_t      n;
    int64_t     t0, t_low;
    double      open0, low;
  } files[] = {
    { "btc_usdt_perp_1m_binance_2020-03-12T2203_03-13T0249.csv", 287,
      1584050580000LL, 1584065760000LL, 5775.97, 3621.81 },   /* low at 02:16 */
    { "btc_usdt_1m_binance_spot_2021-05-19.csv", 1440,
      1621382400000LL, 1621429800000LL, 42849.78, 30000.0 },  /* low at 13:10 */
  };
  size_t i, t;
  (void)state;
  for (i = 0; i < sizeof files / sizeof files[0]; i++) {
    char path[1024];
    liq_path *p = NULL;
    liq_err err;
    size_t k = 0;
    liq_err_clear(&err);
    snprintf(path, sizeof path, "%s/scenarios/data/%s", LIQ_SOURCE_DIR, files[i].file);
    assert_liq_ok(liq_path_replay(path, 0, 0, 0, 0, 0, &p, &err), &err);
    assert_int_equal(p->n, files[i].n);
    assert_int_equal(p->has_ohlc, 1);
    assert_rel(p->step_seconds, 60.0, 0.0);
    assert_true(p->t_ms[0] == files[i].t0);
    assert_rel(p->open[0], files[i].open0, 0.0);
    for (t = 1; t < p->n; t++) if (p->low[t] < p->low[k]) k = t;
    assert_rel(p->low[k], files[i].low, 0.0);
    assert_true(p->t_ms[k] == files[i].t_low);
    assert_true(p->daily_volatility > 0.05 && p->daily_volatility < 2.0);
    liq_path_free(p);
  }
}

/* ------------------------------------------------------------------------
** Bars from arrays
*/

static void test_from_arrays(void **state) {
  const double o[3] = { 10.0, 10.5, 11.0 }, h[3] = { 11.0, 12.0, 11.5 };
  const double l[3] = { 9.0, 10.0, 10.2 }, c[3] = { 10.5, 11.0, 10.4 };
  liq_path *p = NULL;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  /* full OHLC */
  assert_liq_ok(liq_path_from_arrays(3, o, h, l, c, 60.0, &p, &err), &err);
  assert_int_equal(p->has_ohlc, 1);
  assert_memory_equal(p->open, o, sizeof o);
  assert_memory_equal(p->high, h, sizeof h);
  assert_memory_equal(p->low, l, sizeof l);
  assert_memory_equal(p->close, c, sizeof c);
  assert_true(p->t_ms[2] == 120000);
  assert_rel(p->step_seconds, 60.0, 0.0);
  liq_path_free(p);
  /* close only */
  assert_liq_ok(liq_path_from_arrays(3, NULL, NULL, NULL, c, 3600.0, &p, &err), &err);
  assert_int_equal(p->has_ohlc, 0);
  assert_rel(p->open[0], 10.5, 0.0);
  assert_rel(p->open[1], 10.5, 0.0);
  assert_rel(p->open[2], 11.0, 0.0);
  assert_rel(p->high[2], 11.0, 0.0);
  assert_rel(p->low[2], 10.4, 0.0);
  assert_true(p->t_ms[1] == 3600000);
  assert_true(p->daily_volatility > 0.0);
  liq_path_free(p);
  /* open given, no high/low */
  assert_liq_ok(liq_path_from_arrays(3, o, NULL, NULL, c, 60.0, &p, &err), &err);
  assert_rel(p->open[2], 11.0, 0.0);
  assert_rel(p->high[2], 11.0, 0.0);
  assert_rel(p->low[2], 10.4, 0.0);
  liq_path_free(p);
}

static void test_from_arrays_bad(void **state) {
  const double ok[2] = { 10.0, 11.0 }, bad_nan[2] = { 10.0, NAN };
  const double bad_neg[2] = { 10.0, -1.0 }, bad_zero[2] = { 0.0, 11.0 };
  const double hi[2] = { 10.5, 11.5 }, lo[2] = { 9.5, 11.6 };
  liq_path *p = (liq_path *)&p;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  assert_int_equal(liq_path_from_arrays(2, NULL, NULL, NULL, bad_nan, 60.0, &p, &err), LIQ_INPUT);
  assert_null(p);
  assert_non_null(strstr(err.msg, "bar 1: close"));
  assert_int_equal(liq_path_from_arrays(2, NULL, NULL, NULL, bad_neg, 60.0, &p, &err), LIQ_INPUT);
  assert_int_equal(liq_path_from_arrays(2, bad_zero, NULL, NULL, ok, 60.0, &p, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "bar 0: open"));
  assert_int_equal(liq_path_from_arrays(2, NULL, hi, NULL, ok, 60.0, &p, &err), LIQ_INPUT);
  assert_int_equal(liq_path_from_arrays(2, NULL, hi, lo, ok, 60.0, &p, &err), LIQ_INPUT);
  assert_non_null(strstr(err.msg, "below low"));
  assert_int_equal(liq_path_from_arrays(0, NULL, NULL, NULL, ok, 60.0, &p, &err), LIQ_INPUT);
  assert_int_equal(liq_path_from_arrays(2, NULL, NULL, NULL, NULL, 60.0, &p, &err), LIQ_INPUT);
  assert_int_equal(liq_path_from_arrays(2, NULL, NULL, NULL, ok, 0.0, &p, &err), LIQ_INPUT);
  assert_null(p);
}

/* ------------------------------------------------------------------------
** Helpers for generated paths
*/

/* Log returns of a generated path: r[t] = ln(close[t] / open[t]). */
static double *log_returns(const liq_path *p) {
  double *r = malloc(p->n * sizeof *r);
  size_t t;
  assert_non_null(r);
  for (t = 0; t < p->n; t++) r[t] = log(p->close[t] / p->open[t]);
  return r;
}

static double mean_of(const double *x, size_t n) {
  double s = 0.0;
  size_t i;
  for (i = 0; i < n; i++) s += x[i];
  return s / (double)n;
}

static double var_of(const double *x, size_t n) {
  double m = mean_of(x, n), s = 0.0;
  size_t i;
  for (i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
  return s / (double)(n - 1);
}

/* Lag-1 autocorrelation of the squared, demeaned series. */
static double acf1_of_squares(const double *x, size_t n) {
  double m = mean_of(x, n), msq = 0.0, num = 0.0, den = 0.0;
  size_t i;
  for (i = 0; i < n; i++) msq += (x[i] - m) * (x[i] - m) / (double)n;
  for (i = 0; i < n; i++) {
    double a = (x[i] - m) * (x[i] - m) - msq;
    den += a * a;
    if (i > 0) num += a * ((x[i - 1] - m) * (x[i - 1] - m) - msq);
  }
  return num / den;
}

/* Shape every generated path shares: bars chain, high/low bracket. */
static void check_generated_shape(const liq_path *p, double start, double dt_s) {
  size_t t;
  assert_int_equal(p->has_ohlc, 0);
  assert_rel(p->step_seconds, dt_s, 0.0);
  assert_rel(p->open[0], start, 0.0);
  for (t = 0; t < p->n; t++) {
    assert_true(p->t_ms[t] == (int64_t)llround((double)t * dt_s * 1000.0));
    if (t > 0) assert_rel(p->open[t], p->close[t - 1], 0.0);
    assert_rel(p->high[t], fmax(p->open[t], p->close[t]), 0.0);
    assert_rel(p->low[t], fmin(p->open[t], p->close[t]), 0.0);
    assert_true(isfinite(p->close[t]) && p->close[t] > 0.0);
  }
}

/* ------------------------------------------------------------------------
** Merton jump diffusion
*/

static void test_jump_shape_and_determinism(void **state) {
  liq_path *a = NULL, *b = NULL, *c = NULL, *g = NULL, *z = NULL;
  liq_err err;
  size_t t, same = 0;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_jump(30000.0, 0.1, 0.6, 200.0, -0.02, 0.03, 60.0, 2000, 17,
                              &a, &err), &err);
  assert_liq_ok(liq_path_jump(30000.0, 0.1, 0.6, 200.0, -0.02, 0.03, 60.0, 2000, 17,
                              &b, &err), &err);
  assert_liq_ok(liq_path_jump(30000.0, 0.1, 0.6, 200.0, -0.02, 0.03, 60.0, 2000, 18,
                              &c, &err), &err);
  check_generated_shape(a, 30000.0, 60.0);
  assert_memory_equal(a->close, b->close, 2000 * sizeof(double));
  for (t = 0; t < 2000; t++) same += a->close[t] == c->close[t];
  assert_int_equal(same, 0);
  assert_rel(a->daily_volatility,
             sqrt((0.36 + 200.0 * (0.0004 + 0.0009)) / 365.0), 1e-15);
  /* without jumps: exactly the gbm path of the same seed */
  assert_liq_ok(liq_path_jump(30000.0, 0.1, 0.6, 0.0, -0.02, 0.03, 60.0, 2000, 17,
                              &z, &err), &err);
  assert_liq_ok(liq_path_gbm(30000.0, 0.1, 0.6, 60.0, 2000, 17, &g, &err), &err);
  assert_memory_equal(z->close, g->close, 2000 * sizeof(double));
  assert_rel(z->daily_volatility, g->daily_volatility, 1e-15);
  liq_path_free(a);
  liq_path_free(b);
  liq_path_free(c);
  liq_path_free(g);
  liq_path_free(z);
}

/* Log returns are iid with cumulants
**   k1 = (mu - s^2/2 - l k) dt + l dt a,  k2 = s^2 dt + l dt (a^2 + b^2),
**   k4 = l dt (a^4 + 6 a^2 b^2 + 3 b^4),
** so the sample variance has variance (k4 + 2 k2^2) / n. */
static void test_jump_moments(void **state) {
  const size_t n = 200000;
  const double mu = 0.4, s = 0.7, l = 900.0, a = -0.015, b = 0.025, dt_s = 3600.0;
  const double dt = dt_s / YEAR_S, k = expm1(a + 0.5 * b * b);
  liq_path *p = NULL;
  liq_err err;
  double *r, k1, k2, k4;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_jump(100.0, mu, s, l, a, b, dt_s, n,
                              liq_seed(31, 0, LIQ_STREAM_PATH), &p, &err), &err);
  r = log_returns(p);
  k1 = (mu - 0.5 * s * s - l * k) * dt + l * dt * a;
  k2 = s * s * dt + l * dt * (a * a + b * b);
  k4 = l * dt * (pow(a, 4) + 6.0 * a * a * b * b + 3.0 * pow(b, 4));
  assert_true(fabs(mean_of(r, n) - k1) < 4.0 * sqrt(k2 / (double)n));
  assert_true(fabs(var_of(r, n) - k2) < 4.0 * sqrt((k4 + 2.0 * k2 * k2) / (double)n));
  /* the compensator: E[S_T / S_0] = exp(mu T) per step */
  {
    double g = 0.0, m2 = 0.0;
    size_t t;
    for (t = 0; t < n; t++) g += exp(r[t]) / (double)n;
    for (t = 0; t < n; t++) m2 += (exp(r[t]) - g) * (exp(r[t]) - g) / (double)(n - 1);
    assert_true(fabs(g - exp(mu * dt)) < 4.0 * sqrt(m2 / (double)n));
  }
  free(r);
  liq_path_free(p);
}

/* With no diffusion and fixed jumps (jump_sd 0) each return is
** c + N jump_mean exactly, so N is observable: Poisson(l dt). */
static void test_jump_counts(void **state) {
  const size_t n = 100000;
  const double dt_s = 3600.0, dt = dt_s / YEAR_S, lam = 0.35, l = lam / dt, a = 0.01;
  const double c = -l * expm1(a) * dt;
  liq_path *p = NULL;
  liq_err err;
  double *r, mean = 0.0, var = 0.0, p0, se;
  size_t t, zeros = 0, maxn = 0;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_jump(100.0, 0.0, 0.0, l, a, 0.0, dt_s, n, 99, &p, &err), &err);
  r = log_returns(p);
  for (t = 0; t < n; t++) {
    double x = (r[t] - c) / a;
    size_t nj = (size_t)llround(x);
    assert_true(fabs(x - (double)nj) < 1e-6);   /* a whole number of jumps */
    zeros += nj == 0;
    if (nj > maxn) maxn = nj;
    mean += (double)nj;
    var += (double)nj * (double)nj;
  }
  mean /= (double)n;
  var = var / (double)n - mean * mean;
  assert_true(fabs(mean - lam) < 4.0 * sqrt(lam / (double)n));
  /* var of the sample variance of a Poisson: (lam + 2 lam^2) / n */
  assert_true(fabs(var - lam) < 4.0 * sqrt((lam + 2.0 * lam * lam) / (double)n));
  p0 = exp(-lam);
  se = sqrt(p0 * (1.0 - p0) / (double)n);
  assert_true(fabs((double)zeros / (double)n - p0) < 4.0 * se);
  assert_true(maxn >= 3);
  free(r);
  liq_path_free(p);
}

static void test_jump_bad_args(void **state) {
  static const struct {
    double start, drift, vol, l, a, b, dt;
    size_t n;
  } bad[] = {
    { 0.0, 0.0, 0.5, 10.0, 0.0, 0.1, 60.0, 10 },
    { NAN, 0.0, 0.5, 10.0, 0.0, 0.1, 60.0, 10 },
    { 100.0, INFINITY, 0.5, 10.0, 0.0, 0.1, 60.0, 10 },
    { 100.0, 0.0, -0.5, 10.0, 0.0, 0.1, 60.0, 10 },
    { 100.0, 0.0, 0.5, -1.0, 0.0, 0.1, 60.0, 10 },
    { 100.0, 0.0, 0.5, NAN, 0.0, 0.1, 60.0, 10 },
    { 100.0, 0.0, 0.5, 10.0, NAN, 0.1, 60.0, 10 },
    { 100.0, 0.0, 0.5, 10.0, 0.0, -0.1, 60.0, 10 },
    { 100.0, 0.0, 0.5, 10.0, 800.0, 0.1, 60.0, 10 },   /* no finite compensator */
    { 100.0, 0.0, 0.5, 10.0, 0.0, 0.1, 0.0, 10 },
    { 100.0, 0.0, 0.5, 10.0, 0.0, 0.1, 60.0, 0 },
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    liq_path *p = (liq_path *)&p;
    liq_err err;
    liq_err_clear(&err);
    assert_int_equal(liq_path_jump(bad[i].start, bad[i].drift, bad[i].vol, bad[i].l,
                                   bad[i].a, bad[i].b, bad[i].dt, bad[i].n, 1, &p, &err),
                     LIQ_INPUT);
    assert_null(p);
    assert_int_equal(err.code, LIQ_INPUT);
    assert_non_null(strstr(err.msg, "jump: "));
  }
}

/* ------------------------------------------------------------------------
** GARCH(1,1)
*/

static void test_garch_shape_and_determinism(void **state) {
  liq_path *a = NULL, *b = NULL, *c = NULL, *u = NULL;
  liq_err err;
  const double om = 2e-6, al = 0.08, be = 0.9;
  size_t t, same = 0;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_garch(500.0, 1e-5, om, al, be, 5.0, NAN, 3600.0, 3000, 8,
                               &a, &err), &err);
  assert_liq_ok(liq_path_garch(500.0, 1e-5, om, al, be, 5.0, NAN, 3600.0, 3000, 8,
                               &b, &err), &err);
  assert_liq_ok(liq_path_garch(500.0, 1e-5, om, al, be, 5.0, NAN, 3600.0, 3000, 9,
                               &c, &err), &err);
  /* NaN variance0 is the unconditional variance */
  assert_liq_ok(liq_path_garch(500.0, 1e-5, om, al, be, 5.0, om / (1.0 - al - be), 3600.0,
                               3000, 8, &u, &err), &err);
  check_generated_shape(a, 500.0, 3600.0);
  assert_memory_equal(a->close, b->close, 3000 * sizeof(double));
  assert_memory_equal(a->close, u->close, 3000 * sizeof(double));
  for (t = 0; t < 3000; t++) same += a->close[t] == c->close[t];
  assert_int_equal(same, 0);
  assert_rel(a->daily_volatility, sqrt(om / (1.0 - al - be) * 24.0), 1e-14);
  liq_path_free(a);
  liq_path_free(b);
  liq_path_free(c);
  liq_path_free(u);
}

/* alpha = beta = 0: iid scaled t returns of variance omega, kurtosis
** 3 + 6 / (nu - 4); the t is scaled to unit variance. */
static void test_garch_iid_t(void **state) {
  const size_t n = 200000;
  const double om = 1e-4, nu = 7.0, mu = 2e-4;
  liq_path *p = NULL;
  liq_err err;
  double *r, v, kurt = 3.0 + 6.0 / (nu - 4.0);
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_garch(100.0, mu, om, 0.0, 0.0, nu, NAN, 60.0, n, 5, &p, &err),
                &err);
  r = log_returns(p);
  v = var_of(r, n);
  assert_true(fabs(mean_of(r, n) - mu) < 4.0 * sqrt(om / (double)n));
  /* the sample variance's sd is om sqrt((kurt - 1) / n) */
  assert_true(fabs(v - om) < 4.0 * om * sqrt((kurt - 1.0) / (double)n));
  assert_true(fabs(acf1_of_squares(r, n)) < 4.0 / sqrt((double)n));
  free(r);
  liq_path_free(p);
}

/* The sample variance approaches omega / (1 - alpha - beta), and squared
** returns are positively autocorrelated (volatility clustering).  With a
** fourth moment (beta^2 + 2 alpha beta + alpha^2 E z^4 < 1) the lag-1
** autocorrelation of squares is alpha (1 - alpha beta - beta^2) /
** (1 - 2 alpha beta - beta^2) (He & Terasvirta 1999), here ~0.0995; over
** seeds the estimate scatters with sd ~0.008 at this length. */
static void test_garch_variance_and_clustering(void **state) {
  const size_t n = 200000;
  const double om = 1e-6, al = 0.06, be = 0.9, nu = 8.0, uncond = om / (1.0 - al - be);
  liq_path *p = NULL;
  liq_err err;
  double *r, v, rho;
  (void)state;
  liq_err_clear(&err);
  assert_true(be * be + 2.0 * al * be + al * al * 3.0 * (nu - 2.0) / (nu - 4.0) < 1.0);
  assert_liq_ok(liq_path_garch(100.0, 0.0, om, al, be, nu, NAN, 300.0, n,
                               liq_seed(12, 0, LIQ_STREAM_PATH), &p, &err), &err);
  r = log_returns(p);
  v = var_of(r, n);
  /* clustering inflates the estimator's error well beyond iid; 5 % is
  ** several of its standard errors at this length */
  assert_true(fabs(v / uncond - 1.0) < 0.05);
  rho = acf1_of_squares(r, n);
  assert_true(fabs(rho - al * (1.0 - al * be - be * be) / (1.0 - 2.0 * al * be - be * be)) <
              0.035);
  free(r);
  liq_path_free(p);
}

/* A high start variance decays toward the unconditional one. */
static void test_garch_variance0(void **state) {
  const size_t n = 200, reps = 400;
  const double om = 1e-6, al = 0.05, be = 0.9, v0 = 1e-3;
  double early = 0.0, late = 0.0;
  size_t k, t;
  liq_err err;
  (void)state;
  liq_err_clear(&err);
  for (k = 0; k < reps; k++) {
    liq_path *p = NULL;
    assert_liq_ok(liq_path_garch(100.0, 0.0, om, al, be, 6.0, v0, 60.0, n,
                                 liq_seed(3, k, LIQ_STREAM_PATH), &p, &err), &err);
    for (t = 0; t < 5; t++) early += pow(log(p->close[t] / p->open[t]), 2.0);
    for (t = n - 5; t < n; t++) late += pow(log(p->close[t] / p->open[t]), 2.0);
    liq_path_free(p);
  }
  early /= 5.0 * (double)reps;
  late /= 5.0 * (double)reps;
  /* E h_t = uncond + (alpha + beta)^t (v0 - uncond): ~ 8e-4 early, ~2e-5 late */
  assert_true(early > 4e-4 && early < 1.6e-3);
  assert_true(late < 1e-4);
}

static void test_garch_bad_args(void **state) {
  static const struct {
    double start, mu, om, al, be, nu, v0, dt;
    size_t n;
  } bad[] = {
    { -1.0, 0.0, 1e-6, 0.1, 0.8, 5.0, NAN, 60.0, 10 },
    { 100.0, NAN, 1e-6, 0.1, 0.8, 5.0, NAN, 60.0, 10 },
    { 100.0, 0.0, 0.0, 0.1, 0.8, 5.0, NAN, 60.0, 10 },
    { 100.0, 0.0, -1e-6, 0.1, 0.8, 5.0, NAN, 60.0, 10 },
    { 100.0, 0.0, 1e-6, -0.1, 0.8, 5.0, NAN, 60.0, 10 },
    { 100.0, 0.0, 1e-6, 0.1, -0.8, 5.0, NAN, 60.0, 10 },
    { 100.0, 0.0, 1e-6, 0.2, 0.8, 5.0, NAN, 60.0, 10 },     /* alpha + beta = 1 */
    { 100.0, 0.0, 1e-6, 0.1, 0.8, 2.0, NAN, 60.0, 10 },
    { 100.0, 0.0, 1e-6, 0.1, 0.8, INFINITY, NAN, 60.0, 10 },
    { 100.0, 0.0, 1e-6, 0.1, 0.8, 5.0, 0.0, 60.0, 10 },
    { 100.0, 0.0, 1e-6, 0.1, 0.8, 5.0, -1.0, 60.0, 10 },
    { 100.0, 0.0, 1e-6, 0.1, 0.8, 5.0, NAN, -1.0, 10 },
    { 100.0, 0.0, 1e-6, 0.1, 0.8, 5.0, NAN, 60.0, 0 },
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    liq_path *p = (liq_path *)&p;
    liq_err err;
    liq_err_clear(&err);
    assert_int_equal(liq_path_garch(bad[i].start, bad[i].mu, bad[i].om, bad[i].al,
                                    bad[i].be, bad[i].nu, bad[i].v0, bad[i].dt, bad[i].n,
                                    1, &p, &err),
                     LIQ_INPUT);
    assert_null(p);
    assert_non_null(strstr(err.msg, "garch: "));
  }
}

/* ------------------------------------------------------------------------
** Returns, window bounds and the stationary bootstrap
*/

/* A one-minute history CSV of 'n' gbm closes with a 10-minute outage
** before bar 'gap' (0: none); returns the file's name in buf. */
static void write_history(size_t n, size_t gap, uint64_t seed, char *buf, size_t size,
                          liq_path **hist_out) {
  liq_path *g = NULL;
  liq_err err;
  char *text, *w;
  size_t t, cap = 64 * (n + 2);
  int64_t tm = 1600000000000LL;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_gbm(1000.0, 0.0, 0.8, 60.0, n, seed, &g, &err), &err);
  text = malloc(cap);
  assert_non_null(text);
  w = text;
  w += sprintf(w, "open_time_ms,close\n");
  for (t = 0; t < n; t++) {
    if (gap && t == gap) tm += 600000;
    w += sprintf(w, "%lld,%.17g\n", (long long)tm, g->close[t]);
    tm += 60000;
  }
  liq_test_write_temp(text, ".csv", buf, size);
  free(text);
  if (hist_out) *hist_out = g;
  else liq_path_free(g);
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void test_returns_skip_gaps(void **state) {
  liq_path *p;
  liq_err err;
  double r[4], spacing = 0.0;
  size_t n = 99;
  (void)state;
  liq_err_clear(&err);
  p = replay_ok("1000000000000,100\n"
                "1000000300000,102\n"
                "1000000600000,101\n"
                "1000001050000,104\n"   /* 1.5 spacings: kept */
                "1000001400000,103.5\n"); /* 350 s: kept */
  assert_liq_ok(liq_path_returns(p, r, &n, &spacing, &err), &err);
  assert_int_equal(n, 4);
  assert_rel(spacing, 300.0, 0.0);
  liq_path_free(p);
  p = replay_ok("1000000000000,100\n"
                "1000000300000,102\n"
                "1000000600000,101\n"
                "1000001051000,104\n"   /* just over 1.5 spacings: left out */
                "1000001351000,103.5\n");
  assert_liq_ok(liq_path_returns(p, r, &n, &spacing, &err), &err);
  assert_int_equal(n, 3);
  assert_rel(r[0], log(102.0 / 100.0), 1e-15);
  assert_rel(r[1], log(101.0 / 102.0), 1e-15);
  assert_rel(r[2], log(103.5 / 104.0), 1e-15);
  liq_path_free(p);
  p = replay_ok("1000000000000,100\n");
  assert_liq_ok(liq_path_returns(p, r, &n, NULL, &err), &err);
  assert_int_equal(n, 0);
  liq_path_free(p);
}

/* Every bootstrapped return is one of the history's (never the return
** across the outage), blocks run on consecutive returns and have mean
** length 'block' (geometric), seeds matter, and the shape is a generated
** path's. */
static void test_bootstrap_returns_and_blocks(void **state) {
  const size_t nh = 600, gap = 300, n = 60000;
  const double block = 8.0;
  char csv[512];
  liq_path *hist = NULL, *p = NULL, *q = NULL, *s = NULL;
  liq_err err;
  double hr[600], sorted[600], gap_ret, mean = 0.0, ss = 0.0;
  size_t m = 0, t, i, runs = 0, prev_idx = 0, same = 0;
  (void)state;
  liq_err_clear(&err);
  write_history(nh, gap, 4242, csv, sizeof csv, &hist);
  /* the history's returns, without the one across the outage */
  for (i = 1; i < nh; i++)
    if (i != gap) hr[m++] = log(hist->close[i] / hist->close[i - 1]);
  assert_int_equal(m, nh - 2);
  gap_ret = log(hist->close[gap] / hist->close[gap - 1]);
  memcpy(sorted, hr, m * sizeof *hr);
  qsort(sorted, m, sizeof *sorted, cmp_dbl);
  for (i = 1; i < m; i++) assert_true(sorted[i] != sorted[i - 1]);   /* identifiable */

  assert_liq_ok(liq_path_bootstrap(csv, 0, 0, 0, 0, block, NAN, n, 77, &p, &err), &err);
  assert_liq_ok(liq_path_bootstrap(csv, 0, 0, 0, 0, block, NAN, n, 77, &q, &err), &err);
  assert_liq_ok(liq_path_bootstrap(csv, 0, 0, 0, 0, block, NAN, n, 78, &s, &err), &err);
  check_generated_shape(p, hist->close[0], 60.0);   /* close-only: first open = close */
  assert_memory_equal(p->close, q->close, n * sizeof(double));
  for (t = 0; t < n; t++) same += p->close[t] == s->close[t];
  assert_true(same < n / 100);

  for (t = 0; t < n; t++) {
    double x = log(p->close[t] / p->open[t]);
    size_t idx = m;
    /* the generated return is ln(c/o) of a product, so match to rounding */
    for (i = 0; i < m; i++)
      if (fabs(hr[i] - x) <= 1e-12 * fmax(1e-3, fabs(x))) { idx = i; break; }
    assert_true(idx < m);
    assert_true(fabs(x - gap_ret) > 1e-15);
    if (t == 0 || idx != (prev_idx + 1) % m) runs++;
    prev_idx = idx;
  }
  /* runs are blocks except when a new block happens to start at the next
  ** index (probability 1/m per new block): mean run length ~ block */
  {
    double len = (double)n / (double)runs;
    double se = sqrt(block * (block - 1.0) / (double)runs);
    assert_true(fabs(len - block) < 4.0 * se + block / (double)m * block);
  }
  /* daily volatility: the sd of the history's returns, scaled to a day */
  for (i = 0; i < m; i++) mean += hr[i] / (double)m;
  for (i = 0; i < m; i++) ss += (hr[i] - mean) * (hr[i] - mean);
  assert_rel(p->daily_volatility, sqrt(ss / (double)(m - 1)) * sqrt(1440.0), 1e-9);
  liq_path_free(p);
  liq_path_free(q);
  liq_path_free(s);
  liq_path_free(hist);
  remove(csv);
}

/* block = 1: a fresh uniform index every step, so consecutive indices are
** rare; start and the window apply; n = 0 takes the window's length. */
static void test_bootstrap_window_start_length(void **state) {
  char csv[512];
  liq_path *hist = NULL, *p = NULL, *w = NULL;
  liq_err err;
  int64_t t0 = 1600000000000LL;
  size_t t, i;
  (void)state;
  liq_err_clear(&err);
  write_history(200, 0, 5, csv, sizeof csv, &hist);
  /* n = 0: as many bars as the window; given start */
  assert_liq_ok(liq_path_bootstrap(csv, 0, 0, 0, 0, 1.0, 123.0, 0, 1, &p, &err), &err);
  assert_int_equal(p->n, 200);
  assert_rel(p->open[0], 123.0, 0.0);
  liq_path_free(p);
  /* window bars 50..99 (open times inclusive): returns from inside it only */
  assert_liq_ok(liq_path_bootstrap(csv, 1, t0 + 50 * 60000LL, 1, t0 + 99 * 60000LL, 3.0,
                                   NAN, 5000, 2, &w, &err), &err);
  assert_rel(w->open[0], hist->close[49], 0.0);  /* close-only: open = previous close */
  for (t = 0; t < w->n; t++) {
    double x = log(w->close[t] / w->open[t]);
    int found = 0;
    for (i = 51; i < 100 && !found; i++)
      found = fabs(log(hist->close[i] / hist->close[i - 1]) - x) <=
              1e-12 * fmax(1e-3, fabs(x));
    assert_true(found);
  }
  liq_path_free(w);
  liq_path_free(hist);
  remove(csv);
}

static void test_bootstrap_from_memory(void **state) {
  const double c[6] = { 10.0, 11.0, 10.5, 10.8, 10.2, 10.9 };
  liq_path *h = NULL, *p = NULL;
  liq_err err;
  size_t t, i;
  (void)state;
  liq_err_clear(&err);
  assert_liq_ok(liq_path_from_arrays(6, NULL, NULL, NULL, c, 300.0, &h, &err), &err);
  assert_liq_ok(liq_path_bootstrap_from(h, 2.5, NAN, 400, 9, &p, &err), &err);
  check_generated_shape(p, 10.0, 300.0);
  for (t = 0; t < p->n; t++) {
    double x = log(p->close[t] / p->open[t]);
    int found = 0;
    for (i = 1; i < 6 && !found; i++) found = fabs(log(c[i] / c[i - 1]) - x) < 1e-12;
    assert_true(found);
  }
  liq_path_free(p);
  liq_path_free(h);
}

static void test_bootstrap_errors(void **state) {
  char csv[512];
  liq_path *p = (liq_path *)&p, *h = NULL;
  liq_err err;
  const double one[1] = { 5.0 }, two[2] = { 5.0, 5.5 };
  (void)state;
  liq_err_clear(&err);
  write_history(50, 0, 6, csv, sizeof csv, NULL);
  assert_int_equal(liq_path_bootstrap(csv, 0, 0, 0, 0, 0.5, NAN, 10, 1, &p, &err),
                   LIQ_INPUT);
  assert_null(p);
  assert_string_equal(err.file, csv);
  assert_non_null(strstr(err.msg, "block"));
  p = (liq_path *)&p;
  assert_int_equal(liq_path_bootstrap(csv, 0, 0, 0, 0, NAN, NAN, 10, 1, &p, &err),
                   LIQ_INPUT);
  assert_null(p);
  assert_int_equal(liq_path_bootstrap(csv, 0, 0, 0, 0, 4.0, -3.0, 10, 1, &p, &err),
                   LIQ_INPUT);
  assert_non_null(strstr(err.msg, "start"));
  /* a window with one bar has no returns */
  assert_int_equal(liq_path_bootstrap(csv, 1, 1600000000000LL, 1, 1600000000000LL, 4.0,
                                      NAN, 10, 1, &p, &err), LIQ_INPUT);
  assert_string_equal(err.file, csv);
  assert_non_null(strstr(err.msg, "need at least 2"));
  remove(csv);
  /* a missing history is an I/O error about that file */
  assert_int_equal(liq_path_bootstrap(csv, 0, 0, 0, 0, 4.0, NAN, 10, 1, &p, &err), LIQ_IO);
  assert_string_equal(err.file, csv);
  assert_null(p);
  /* in memory */
  assert_liq_ok(liq_path_from_arrays(1, NULL, NULL, NULL, one, 60.0, &h, &err), &err);
  assert_int_equal(liq_path_bootstrap_from(h, 4.0, NAN, 10, 1, &p, &err), LIQ_INPUT);
  liq_path_free(h);
  assert_liq_ok(liq_path_from_arrays(2, NULL, NULL, NULL, two, 60.0, &h, &err), &err);
  assert_int_equal(liq_path_bootstrap_from(h, 4.0, NAN, 10, 1, &p, &err), LIQ_INPUT);
  liq_path_free(h);
  assert_int_equal(liq_path_bootstrap_from(NULL, 4.0, NAN, 10, 1, &p, &err), LIQ_USAGE);
  assert_null(p);
}

/* ------------------------------------------------------------------------
** Scenario dispatch
*/

static void test_build_gbm(void **state) {
  liq_scenario *sc = calloc(1, sizeof *sc);
  liq_path *a = NULL, *b = NULL;
  liq_err err;
  (void)state;
  assert_non_null(sc);
  liq_err_clear(&err);
  sc->steps = 100;
  sc->step_seconds = 60.0;
  sc->price.model = LIQ_PRICE_GBM;
  sc->price.start = 30000.0;
  sc->price.drift = 0.0;
  sc->price.volatility = 0.8;
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 5, &a, &err), &err);
  assert_liq_ok(liq_path_gbm(30000.0, 0.0, 0.8, 60.0, 100, 5, &b, &err), &err);
  assert_int_equal(a->n, 100);
  assert_memory_equal(a->close, b->close, 100 * sizeof(double));
  liq_path_free(a);
  liq_path_free(b);
  free(sc);
}

static void test_build_replay(void **state) {
  liq_scenario *sc = calloc(1, sizeof *sc);
  liq_path *p = NULL;
  liq_err err;
  (void)state;
  assert_non_null(sc);
  liq_err_clear(&err);
  sc->price.model = LIQ_PRICE_REPLAY;
  snprintf(sc->price.file, sizeof sc->price.file, "%s/scenarios/data/%s", LIQ_SOURCE_DIR,
           "btc_usdt_1m_binance_spot_2021-05-19.csv");
  sc->price.has_from = 1;
  sc->price.from_ms = 1621429200000LL;   /* 13:00 */
  sc->price.has_to = 1;
  sc->price.to_ms = 1621432800000LL;     /* 14:00 */
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 1, &p, &err), &err);
  assert_int_equal(p->n, 61);
  assert_true(p->t_ms[0] == 1621429200000LL);
  liq_path_free(p);
  /* steps cuts the window ... */
  sc->steps = 10;
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 1, &p, &err), &err);
  assert_int_equal(p->n, 10);
  liq_path_free(p);
  /* ... and may not exceed it */
  sc->steps = 62;
  p = (liq_path *)&p;
  assert_int_equal(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 1, &p, &err), LIQ_INPUT);
  assert_null(p);
  assert_string_equal(err.file, sc->price.file);
  assert_non_null(strstr(err.msg, "steps = 62 but the file has only 61 bars"));
  free(sc);
}

/* jump, garch and bootstrap scenarios build the constructors' paths. */
static void test_build_generated(void **state) {
  liq_scenario *sc = calloc(1, sizeof *sc);
  liq_path *a = NULL, *b = NULL;
  liq_err err;
  char csv[512];
  (void)state;
  assert_non_null(sc);
  liq_err_clear(&err);
  sc->steps = 300;
  sc->step_seconds = 3600.0;
  sc->price.model = LIQ_PRICE_JUMP;
  sc->price.start = 30000.0;
  sc->price.drift = 0.1;
  sc->price.volatility = 0.5;
  sc->price.jump_intensity = 40.0;
  sc->price.jump_mean = -0.03;
  sc->price.jump_sd = 0.05;
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 5, &a, &err), &err);
  assert_liq_ok(liq_path_jump(30000.0, 0.1, 0.5, 40.0, -0.03, 0.05, 3600.0, 300, 5, &b,
                              &err), &err);
  assert_memory_equal(a->close, b->close, 300 * sizeof(double));
  liq_path_free(a);
  liq_path_free(b);

  sc->price.model = LIQ_PRICE_GARCH;
  sc->price.garch_mu = 1e-5;
  sc->price.garch_omega = 3e-7;
  sc->price.garch_alpha = 0.07;
  sc->price.garch_beta = 0.92;
  sc->price.garch_nu = 4.5;
  sc->price.garch_variance0 = NAN;
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 6, &a, &err), &err);
  assert_liq_ok(liq_path_garch(30000.0, 1e-5, 3e-7, 0.07, 0.92, 4.5, NAN, 3600.0, 300, 6,
                               &b, &err), &err);
  assert_memory_equal(a->close, b->close, 300 * sizeof(double));
  liq_path_free(a);
  liq_path_free(b);
  /* scenario errors keep the constructor's message */
  sc->price.garch_beta = 0.95;
  a = (liq_path *)&a;
  assert_int_equal(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 6, &a, &err), LIQ_INPUT);
  assert_null(a);
  assert_non_null(strstr(err.msg, "alpha + beta"));

  write_history(100, 0, 3, csv, sizeof csv, NULL);
  sc->price.model = LIQ_PRICE_BOOTSTRAP;
  snprintf(sc->price.file, sizeof sc->price.file, "%s", csv);
  sc->price.block = 5.0;
  sc->price.start = NAN;
  sc->step_seconds = 1.0;   /* ignored: the history's spacing applies */
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds, 7, &a, &err), &err);
  assert_liq_ok(liq_path_bootstrap(csv, 0, 0, 0, 0, 5.0, NAN, 300, 7, &b, &err), &err);
  assert_int_equal(a->n, 300);
  assert_rel(a->step_seconds, 60.0, 0.0);
  assert_memory_equal(a->close, b->close, 300 * sizeof(double));
  liq_path_free(a);
  liq_path_free(b);
  remove(csv);
  free(sc);
}


/* price.substeps: K = 1 is the bar's own waypoints; K > 1 inserts K - 1
** bridge prices between consecutive waypoints, keeps the waypoints, stays
** strictly inside (low, high) with OHLC, and is reproducible for a seed. */
static void test_waypoints_substeps(void **state) {
  static const double o[] = {100.0, 101.0}, h[] = {103.0, 102.0},
                      l[] = {97.0, 95.0}, c[] = {101.0, 96.0};
  double w[LIQ_PATH_MAX_WAYPOINTS], v[LIQ_PATH_MAX_WAYPOINTS];
  liq_path *p = NULL;
  liq_err err;
  int n, k, differ = 0, inside = 0;
  (void)state;
  assert_liq_ok(liq_path_from_arrays(2, o, h, l, c, 300.0, &p, &err), &err);
  p->daily_volatility = 0.5;
  p->bridge_seed = 42;
  n = liq_path_waypoints(p, 0, w);          /* up bar: O L H C */
  assert_int_equal(n, 4);
  assert_true(w[0] == 100.0 && w[1] == 97.0 && w[2] == 103.0 && w[3] == 101.0);
  n = liq_path_waypoints(p, 1, w);          /* down bar: O H L C */
  assert_true(n == 4 && w[1] == 102.0 && w[2] == 95.0);
  p->substeps = 8;
  n = liq_path_waypoints(p, 1, w);
  assert_int_equal(n, 3 * 8 + 1);
  assert_true(w[0] == 101.0 && w[8] == 102.0 && w[16] == 95.0 && w[24] == 96.0);
  for (k = 0; k < n; k++) {
    assert_true(w[k] >= 95.0 && w[k] <= 102.0);
    inside += w[k] > 95.0 && w[k] < 102.0;
  }
  assert_int_equal(inside, n - 2);          /* only the wicks on a bound */
  assert_int_equal(liq_path_waypoints(p, 1, v), n);
  assert_memory_equal(w, v, sizeof(double) * (size_t)n);
  p->bridge_seed = 43;
  liq_path_waypoints(p, 1, v);
  for (k = 0; k < n; k++) differ += w[k] != v[k];
  assert_true(differ > 10);
  /* An OHLC bar's bridge takes the bar's own range, not the path's
  ** volatility: the same draws whatever daily_volatility says. */
  p->bridge_seed = 42;
  p->daily_volatility = 5.0;
  liq_path_waypoints(p, 1, v);
  liq_path_waypoints(p, 1, w);
  assert_memory_equal(w, v, sizeof(double) * (size_t)n);
  liq_path_free(p);
  p = NULL;
  /* A flat bar (high = low) has nothing to bridge: every point its price. */
  {
    static const double f[] = {100.0, 100.0};
    assert_liq_ok(liq_path_from_arrays(2, f, f, f, f, 300.0, &p, &err), &err);
    p->substeps = 8;
    p->bridge_seed = 42;
    p->daily_volatility = 0.5;
    n = liq_path_waypoints(p, 1, w);
    for (k = 0; k < n; k++) assert_true(w[k] == 100.0);
    liq_path_free(p);
    p = NULL;
  }
  /* Close-only bars (and generated paths) keep the path's volatility; at
  ** zero the bridge is the straight line in log price. */
  assert_liq_ok(liq_path_from_arrays(2, o, NULL, NULL, c, 300.0, &p, &err), &err);
  p->substeps = 8;
  p->daily_volatility = 0.0;
  n = liq_path_waypoints(p, 1, w);
  assert_int_equal(n, 9);
  assert_rel(w[4], sqrt(101.0 * 96.0), 1e-12);
  liq_path_free(p);
}

/* The plain bridge's statistics over many seeds (close-only bars): at
** fraction s of the bar the log price has mean (1 - s) x + s y and
** variance s (1 - s) v, v = daily_volatility^2 x (bar seconds / 86400).
** 4000 seeds x 5 bars: the sample variance's relative sd is about 1 %; the
** bounds are 5 %.  (OHLC bars: test_bridge_bessel_moments.) */
static void test_bridge_variance(void **state) {
  enum { SEEDS = 4000, BARS = 5, K = 10 };
  static const double o[BARS] = {100, 100, 100, 100, 100},
                      c[BARS] = {100, 100, 100, 100, 100};
  double w[LIQ_PATH_MAX_WAYPOINTS];
  liq_path *p = NULL;
  liq_err err;
  double sum[K] = {0}, ss[K] = {0}, v, r, mean;
  size_t seed, t;
  int k;
  (void)state;
  assert_liq_ok(liq_path_from_arrays(BARS, o, NULL, NULL, c, 3600.0, &p, &err), &err);
  p->substeps = K;
  p->daily_volatility = 0.3;
  for (seed = 0; seed < SEEDS; seed++) {
    p->bridge_seed = 1000003u * seed + 17u;
    for (t = 0; t < BARS; t++) {
      assert_int_equal(liq_path_waypoints(p, t, w), K + 1);
      for (k = 1; k < K; k++) {
        double x = log(w[k] / 100.0);
        sum[k] += x;
        ss[k] += x * x;
      }
    }
  }
  for (k = 1; k < K; k++) {
    double s = (double)k / K, n = (double)SEEDS * BARS;
    mean = sum[k] / n;
    v = ss[k] / n - mean * mean;
    assert_true(fabs(mean) < 4.0 * sqrt(v / n));
    r = v / (s * (1.0 - s) * 0.3 * 0.3 * 3600.0 / 86400.0);
    if (!(r > 0.95 && r < 1.05)) {
      print_error("close-only k=%d: variance ratio %.4f\n", k, r);
      fail();
    }
  }
  liq_path_free(p);
}

/* A random OHLC bar with a range: low 100, high up to 125 % of it, open
** and close anywhere in between, sometimes on an extreme (a bar that opens
** at its low or closes at its high: the segment is an excursion). */
static void random_bar(gsl_rng *r, double *o, double *h, double *l, double *c) {
  double u = gsl_rng_uniform(r);
  *l = 100.0;
  *h = 100.0 * exp(0.0005 + 0.2 * gsl_rng_uniform(r));
  *o = *l + (*h - *l) * gsl_rng_uniform(r);
  *c = *l + (*h - *l) * gsl_rng_uniform(r);
  if (u < 0.1) *o = *l;
  else if (u < 0.2) *o = *h;
  else if (u < 0.3) *c = *l;
  else if (u < 0.4) *c = *h;
  else if (u < 0.45) *c = *o;
}

/* price.substeps on OHLC bars: every interior point lies strictly inside
** the bar's range, so the bar's low and high are its extremes without a
** clamp (the old clamped bridge put about a fifth of the interior points
** on a bound; 1 in 1000 is the bound here), and each segment stays on its
** extreme's side: O->L above L, L->H between them, H->C below H (and
** mirrored for a down bar).  Fallbacks (all 64 tries crossing the other
** bound) stay rare at K = 100 and none occur below; the counted and the
** plain calls give the same points. */
static void test_bridge_within_bar(void **state) {
  enum { BARS = 400 };
  static const size_t Ks[] = {2, 3, 5, 10, 30, 100};
  double o[BARS], h[BARS], l[BARS], c[BARS];
  double w[LIQ_PATH_MAX_WAYPOINTS], v[LIQ_PATH_MAX_WAYPOINTS];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  liq_path *p = NULL;
  liq_err err;
  size_t i, t, at_bound = 0, points = 0;
  liq_bridge_count cnt;
  (void)state;
  gsl_rng_set(r, 11);
  for (t = 0; t < BARS; t++) random_bar(r, &o[t], &h[t], &l[t], &c[t]);
  assert_liq_ok(liq_path_from_arrays(BARS, o, h, l, c, 60.0, &p, &err), &err);
  for (i = 0; i < sizeof Ks / sizeof *Ks; i++) {
    size_t K = Ks[i];
    memset(&cnt, 0, sizeof cnt);
    p->substeps = K;
    p->bridge_seed = 77u + i;
    for (t = 0; t < BARS; t++) {
      int up = c[t] >= o[t], n = liq_path_waypoints_counted(p, t, 0, w, &cnt), k;
      double first = up ? l[t] : h[t];
      assert_int_equal(n, 3 * (int)K + 1);
      assert_int_equal(liq_path_waypoints(p, t, v), n);
      assert_memory_equal(w, v, sizeof(double) * (size_t)n);
      assert_true(w[0] == o[t] && w[K] == first && w[2 * K] == (up ? h[t] : l[t]) &&
                  w[3 * K] == c[t]);
      for (k = 1; k < n - 1; k++) {
        if (k % (int)K == 0) continue;
        points++;
        assert_true(w[k] >= l[t] && w[k] <= h[t]);
        at_bound += w[k] == l[t] || w[k] == h[t];
        /* every segment stays on its extreme's side, strictly */
        if (k < 2 * (int)K) assert_true(up ? w[k] > l[t] : w[k] < h[t]);
        else assert_true(up ? w[k] < h[t] : w[k] > l[t]);
      }
    }
    assert_int_equal(cnt.segments, 3 * BARS);
    assert_int_equal(cnt.points, 3 * BARS * (K - 1));
    if (K < 100) assert_int_equal(cnt.fallbacks, 0);
    else assert_true(cnt.fallbacks <= 3);
    assert_true(cnt.clamped <= cnt.fallbacks * 3 * (K - 1));
  }
  if (at_bound * 1000 > points) {
    print_error("%zu of %zu interior points on a bound\n", at_bound, points);
    fail();
  }
  liq_path_free(p);
  gsl_rng_free(r);
}

/* The conditioned bridge's law against its closed form.  A segment from a
** bar's open to its low, conditioned to stay above the low, is the low
** times exp of a Bessel(3) bridge from a = ln(open/low) to 0; at sub-step
** k of K that is the norm of a 3-d Gaussian with mean (a (1 - k/K), 0, 0)
** and per-coordinate variance s^2 = sd^2 k (K - k) / K, sd = ln(H/L) /
** sqrt(4 ln 2 x 3K) (Parkinson's variance over three segments): mean
** square a^2 (1 - k/K)^2 + 3 s^2, and with a = 0 (a bar that opens at its
** low: an excursion) mean 2 sqrt(2/pi) s (chi, 3 degrees of freedom).
** Three bars, 20,000 draws each (bars with other hashes), L = 100, H = 120:
**   0: O = 100, C = 110: O->L is an excursion above L;
**   1: O = 104, C = 110: O->L from a = ln 1.04 down to L;
**   2: O = C = H = 120: H->C is an excursion below H (the time reversal,
**      mirrored), measured as ln(H / price).
** H (or L) is 2.3 or more segment sds away, so the rejection at the other
** bound moves these moments by < 1e-5.  The plain bridge (clamped or not)
** is far off: mean 0 (s / sqrt(2 pi) clamped), mean square a'^2 + s^2; the
** test checks that those miss by > 20 standard errors, so it can fail. */
static void test_bridge_bessel_moments(void **state) {
  enum { BARS = 20000, K = 10 };
  static const int ks[] = {2, 5, 7};
  static const double opens[3] = {100.0, 104.0, 120.0}, closes[3] = {110.0, 110.0, 120.0};
  const double pi = 3.14159265358979323846;
  double *o = malloc(BARS * sizeof *o), *h = malloc(BARS * sizeof *h),
         *l = malloc(BARS * sizeof *l), *c = malloc(BARS * sizeof *c);
  double w[LIQ_PATH_MAX_WAYPOINTS];
  liq_path *p = NULL;
  liq_err err;
  size_t t, j, i;
  (void)state;
  assert_true(o && h && l && c);
  for (j = 0; j < 3; j++) {
    double d = log(120.0 / 100.0), sd = d / sqrt(4.0 * log(2.0) * 3.0 * K);
    for (t = 0; t < BARS; t++) {
      o[t] = opens[j];
      h[t] = 120.0;
      l[t] = 100.0;
      c[t] = closes[j];
    }
    assert_liq_ok(liq_path_from_arrays(BARS, o, h, l, c, 300.0, &p, &err), &err);
    p->substeps = K;
    p->bridge_seed = 2024u + j;
    for (i = 0; i < sizeof ks / sizeof *ks; i++) {
      int k = ks[i], seg_k = j == 2 ? 2 * K + k : k;
      double s2 = sd * sd * k * (K - k) / K, s = sqrt(s2);
      double a = j == 2 ? 0.0 : log(opens[j] / 100.0);
      double sum = 0.0, ss = 0.0, s4 = 0.0, mean, m2, se_mean, se_m2, want_m2;
      for (t = 0; t < BARS; t++) {
        double x;
        liq_path_waypoints(p, t, w);
        x = j == 2 ? log(120.0 / w[seg_k]) : log(w[seg_k] / 100.0);
        sum += x;
        ss += x * x;
        s4 += x * x * x * x;
      }
      mean = sum / BARS;
      m2 = ss / BARS;
      se_mean = sqrt((m2 - mean * mean) / BARS);
      se_m2 = sqrt((s4 / BARS - m2 * m2) / BARS);
      a *= 1.0 - (double)k / K;
      want_m2 = a * a + 3.0 * s2;
      if (fabs(m2 - want_m2) > 4.0 * se_m2) {
        print_error("case %zu k=%d: mean square %.6g, want %.6g (se %.2g)\n",
                    j, k, m2, want_m2, se_m2);
        fail();
      }
      /* the plain bridge's mean square (a^2 + s^2) is far off */
      assert_true(fabs(a * a + s2 - want_m2) > 20.0 * se_m2);
      if (j != 1) {
        double want = 2.0 * sqrt(2.0 / pi) * s;
        if (fabs(mean - want) > 4.0 * se_mean) {
          print_error("case %zu k=%d: mean %.6g, want %.6g (se %.2g)\n",
                      j, k, mean, want, se_mean);
          fail();
        }
        /* the plain bridge: mean 0, clamped at the extreme s / sqrt(2 pi) */
        assert_true(fabs(want) > 20.0 * se_mean);
        assert_true(fabs(want - s / sqrt(2.0 * pi)) > 20.0 * se_mean);
      }
    }
    liq_path_free(p);
    p = NULL;
  }
  free(o);
  free(h);
  free(l);
  free(c);
}

/* The middle segment (L->H of an up bar, H->L of a down bar) leaves one
** extreme and reaches the other without crossing either: its law is
** symmetric under time reversal (read backwards and mirrored it is the
** same segment), so at sub-step k its mean distance from the first
** extreme equals the mean distance from the second at K - k, and the
** middle point's mean is half the range.  The closed form (Brownian
** motion killed outside (0, d), entered from 0 and left at d: density at
** time s ~ g_s(x) g_(T-s)(d - x), g_v(z) = sum_n (z + 2nd) phi_v(z + 2nd))
** gives 0.0335565 at k = 1 of K = 10 for L = 100, H = 120.  A Bessel(3)
** bridge from the first extreme rejected at the second on the grid only
** (the first version) missed both: 0.0341 at k = 1, 0.0233 from the
** second extreme at k = 9, 0.0968 in the middle (half the range 0.0912).
** 20,000 bars of each direction (other hashes); se about 1e-4. */
static void test_bridge_middle_symmetric(void **state) {
  enum { BARS = 20000, K = 10 };
  double *o = malloc(BARS * sizeof *o), *h = malloc(BARS * sizeof *h),
         *l = malloc(BARS * sizeof *l), *c = malloc(BARS * sizeof *c);
  double w[LIQ_PATH_MAX_WAYPOINTS], d = log(120.0 / 100.0);
  liq_path *p = NULL;
  liq_err err;
  size_t t;
  int dir, k;
  (void)state;
  assert_true(o && h && l && c);
  for (dir = 0; dir < 2; dir++) {
    double sum[K + 1] = {0}, ss[K + 1] = {0};
    for (t = 0; t < BARS; t++) {
      h[t] = 120.0;
      l[t] = 100.0;
      o[t] = dir == 0 ? 104.0 : 119.0;
      c[t] = dir == 0 ? 110.0 : 101.0;
    }
    assert_liq_ok(liq_path_from_arrays(BARS, o, h, l, c, 300.0, &p, &err), &err);
    p->substeps = K;
    p->bridge_seed = 4242u + (unsigned)dir;
    for (t = 0; t < BARS; t++) {
      assert_int_equal(liq_path_waypoints(p, t, w), 3 * K + 1);
      for (k = 1; k < K; k++) {
        /* distance from the first extreme, in log price */
        double x = dir == 0 ? log(w[K + k] / 100.0) : log(120.0 / w[K + k]);
        sum[k] += x;
        ss[k] += x * x;
      }
    }
    for (k = 1; k < K; k++) {
      double mean = sum[k] / BARS, back = d - sum[K - k] / BARS;
      double se = sqrt((ss[k] / BARS - mean * mean) / BARS);
      if (fabs(mean - back) > 5.0 * sqrt(2.0) * se) {
        print_error("dir %d k=%d: mean %.5f from the first extreme, %.5f from the "
                    "second at K-k (se %.1g)\n", dir, k, mean, back, se);
        fail();
      }
      if ((k == K / 2 && fabs(mean - 0.5 * d) > 5.0 * se) ||
          (k == 1 && fabs(mean - 0.0335565) > 5.0 * se)) {
        print_error("dir %d k=%d: mean %.5f (se %.1g)\n", dir, k, mean, se);
        fail();
      }
    }
    liq_path_free(p);
    p = NULL;
  }
  free(o);
  free(h);
  free(l);
  free(c);
}

/* Mark bars visit their wicks in the trade bar's order, also when the
** mark bar runs the other way: with sub-steps every mark segment is still
** conditioned on the mark bar's own extremes.  Bar 0: trade up, mark down
** (mark O->L->H->C = 104 -> 100 -> 120 -> 101); bar 1: trade down, mark up
** (mark O->H->L->C = 101 -> 120 -> 100 -> 119).  Every interior point lies
** strictly inside the mark bar's range; the first segment stays on its
** extreme's side, and the mark's draws are the trade's hashes (the
** counted call with mark = 1 gives the mark waypoints). */
static void test_bridge_mark_against_trade(void **state) {
  enum { K = 30 };
  static const double o[] = {100.0, 110.0}, h[] = {112.0, 111.0},
                      l[] = {99.0, 95.0}, c[] = {111.0, 96.0};
  static const double mo[] = {104.0, 101.0}, mh[] = {120.0, 120.0},
                      ml[] = {100.0, 100.0}, mc[] = {101.0, 119.0};
  double w[LIQ_PATH_MAX_WAYPOINTS], v[LIQ_PATH_MAX_WAYPOINTS];
  liq_path *p = NULL;
  liq_err err;
  liq_bridge_count cnt;
  size_t t, seed;
  int k;
  (void)state;
  assert_liq_ok(liq_path_from_arrays(2, o, h, l, c, 60.0, &p, &err), &err);
  p->mark_open = malloc(2 * sizeof(double));
  p->mark_high = malloc(2 * sizeof(double));
  p->mark_low = malloc(2 * sizeof(double));
  p->mark_close = malloc(2 * sizeof(double));
  assert_true(p->mark_open && p->mark_high && p->mark_low && p->mark_close);
  memcpy(p->mark_open, mo, sizeof mo);
  memcpy(p->mark_high, mh, sizeof mh);
  memcpy(p->mark_low, ml, sizeof ml);
  memcpy(p->mark_close, mc, sizeof mc);
  p->substeps = K;
  memset(&cnt, 0, sizeof cnt);
  for (seed = 0; seed < 200; seed++) {
    p->bridge_seed = 31u * seed + 5u;
    for (t = 0; t < 2; t++) {
      int up = c[t] >= o[t];
      double first = up ? ml[t] : mh[t], second = up ? mh[t] : ml[t];
      assert_int_equal(liq_path_mark_waypoints(p, t, w), 3 * K + 1);
      assert_int_equal(liq_path_waypoints_counted(p, t, 1, v, &cnt), 3 * K + 1);
      assert_memory_equal(w, v, sizeof(double) * (3 * K + 1));
      assert_true(w[0] == mo[t] && w[K] == first && w[2 * K] == second && w[3 * K] == mc[t]);
      for (k = 1; k < 3 * K; k++) {
        if (k % K == 0) continue;
        assert_true(w[k] > ml[t] && w[k] < mh[t]);
        if (k < K) assert_true(up ? w[k] > first : w[k] < first);
      }
    }
  }
  assert_int_equal(cnt.segments, 200 * 2 * 3);
  assert_int_equal(cnt.fallbacks, 0);
  liq_path_free(p);
}

/* Determinism: a bar's bridge depends only on (seed, bar, segment, k):
** the same seed gives the same points, another seed or another bar with
** the same prices other points. */
static void test_bridge_deterministic(void **state) {
  static const double o[] = {100, 100}, h[] = {104, 104}, l[] = {97, 97},
                      c[] = {102, 102};
  double a[LIQ_PATH_MAX_WAYPOINTS], b[LIQ_PATH_MAX_WAYPOINTS];
  liq_path *p = NULL;
  liq_err err;
  int n, k, same = 0;
  (void)state;
  assert_liq_ok(liq_path_from_arrays(2, o, h, l, c, 60.0, &p, &err), &err);
  p->substeps = 20;
  p->bridge_seed = 5;
  n = liq_path_waypoints(p, 0, a);
  assert_int_equal(liq_path_waypoints(p, 0, b), n);
  assert_memory_equal(a, b, sizeof(double) * (size_t)n);
  liq_path_waypoints(p, 1, b);              /* the twin bar: other draws */
  for (k = 0; k < n; k++) same += k % 20 != 0 && a[k] == b[k];
  assert_true(same < 10);
  p->bridge_seed = 6;
  liq_path_waypoints(p, 0, b);
  for (same = 0, k = 0; k < n; k++) same += k % 20 != 0 && a[k] == b[k];
  assert_true(same < 10);
  liq_path_free(p);
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
  liq_test_cli_result r;
  (void)state;
  liq_test_temp_dir("liqsim-path", dir, sizeof dir);
  snprintf(text, sizeof text,
           "name = \"w\";\n"
           "price = { model = \"replay\"; file = \"%s/cli_ok.csv\";\n"
           "  to = -9223372036854775808; };\n" LIQ_TEST_BOOK_MARGIN, LIQ_TEST_DATA);
  liq_test_write_text(dir, "tomin.cfg", text, cfg, sizeof cfg);
  r = liq_test_cli(dir, 20.0, args);
  liq_test_print_cli("check to = INT64_MIN", &r);
  assert_int_equal(r.code, 2);
  assert_non_null(strstr(r.err, "liqsim: "));
  assert_non_null(strstr(r.err, "no bars between"));
  assert_null(strstr(r.err, "runtime error"));
}


/* price.mark_file: mark bars aligned bar by bar with the price file; a
** missing or an extra mark bar is an error at the mark file's line; the
** mark waypoints pair the mark's low with the trade's low. */
static void test_mark_file_alignment(void **state) {
  static const char *trade =
    "open_time_ms,open,high,low,close\n"
    "0,100,101,99,100.5\n60000,100.5,102,100,101\n120000,101,101.5,98,99\n";
  static const struct { const char *mark; int line; const char *frag; } bad[] = {
    { "0,100,100.8,99.2,100.4\n120000,101,101.4,98.5,99\n", 2, "no bar at" },
    { "0,100,100.8,99.2,100.4\n30000,100,100,100,100\n60000,100.5,101,100,101\n"
      "120000,101,101.4,98.5,99\n", 2, "is not in the price file" },
    { "0,100,100.8,99.2,100.4\n60000,100.5,101,100,101\n120000,101,101.4,98.5,99\n"
      "180000,99,99,99,99\n", 4, "past the price file's last bar" },
    { "0,100,100.8,99.2,100.4\n60000,100.5,101,100,101\n", 3, "no bar at" },
  };
  char tpath[512], mpath[512];
  liq_path *p = NULL;
  liq_err err;
  double w[8], wm[8];
  size_t i;
  (void)state;
  liq_test_write_temp(trade, ".csv", tpath, sizeof tpath);
  for (i = 0; i < sizeof bad / sizeof *bad; i++) {
    assert_liq_ok(liq_path_replay(tpath, 0, 0, 0, 0, 0, &p, &err), &err);
    liq_test_write_temp(bad[i].mark, ".csv", mpath, sizeof mpath);
    assert_int_equal(liq_path_attach_mark(p, mpath, 0, 0, 0, 0, 0, &err), LIQ_INPUT);
    assert_string_equal(err.file, mpath);
    if (err.line != bad[i].line || strstr(err.msg, bad[i].frag) == NULL)
      print_error("case %zu: %s:%d: %s\n", i, err.file, err.line, err.msg);
    assert_int_equal(err.line, bad[i].line);
    assert_non_null(strstr(err.msg, bad[i].frag));
    assert_null(p->mark_close);
    remove(mpath);
    liq_path_free(p);
  }
  /* Aligned: bar 2 is a down bar, so the trade visits O H L C and the mark
  ** its own high then low; with steps = 2 the third mark bar is ignored. */
  assert_liq_ok(liq_path_replay(tpath, 0, 0, 0, 0, 0, &p, &err), &err);
  liq_test_write_temp("0,100,100.8,99.2,100.4\n60000,100.5,101,100,101\n"
                      "120000,101,101.4,98.5,99.2\n", ".csv", mpath, sizeof mpath);
  assert_liq_ok(liq_path_attach_mark(p, mpath, 0, 0, 0, 0, 0, &err), &err);
  assert_int_equal(liq_path_waypoints(p, 2, w), 4);
  assert_int_equal(liq_path_mark_waypoints(p, 2, wm), 4);
  assert_true(w[1] == 101.5 && w[2] == 98.0 && wm[1] == 101.4 && wm[2] == 98.5);
  assert_true(wm[3] == 99.2);
  liq_path_free(p);
  assert_liq_ok(liq_path_replay(tpath, 0, 0, 0, 0, 2, &p, &err), &err);
  assert_liq_ok(liq_path_attach_mark(p, mpath, 0, 0, 0, 0, 2, &err), &err);
  liq_path_free(p);
  remove(mpath);
  remove(tpath);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seed_deterministic_and_distinct),
    cmocka_unit_test(test_seed_avalanche),
    cmocka_unit_test(test_gbm_shape),
    cmocka_unit_test(test_waypoints_substeps),
    cmocka_unit_test(test_bridge_variance),
    cmocka_unit_test(test_bridge_within_bar),
    cmocka_unit_test(test_bridge_bessel_moments),
    cmocka_unit_test(test_bridge_middle_symmetric),
    cmocka_unit_test(test_bridge_mark_against_trade),
    cmocka_unit_test(test_bridge_deterministic),
    cmocka_unit_test(test_mark_file_alignment),
    cmocka_unit_test(test_gbm_deterministic),
    cmocka_unit_test(test_gbm_seed_fold),
    cmocka_unit_test(test_gbm_zero_volatility),
    cmocka_unit_test(test_gbm_moments),
    cmocka_unit_test(test_gbm_terminal_cdf),
    cmocka_unit_test(test_gbm_bad_args),
    cmocka_unit_test(test_free_null),
    cmocka_unit_test(test_replay_generic_header),
    cmocka_unit_test(test_replay_generic_no_header),
    cmocka_unit_test(test_replay_generic_variants),
    cmocka_unit_test(test_replay_binance_header),
    cmocka_unit_test(test_replay_binance_no_header_us),
    cmocka_unit_test(test_replay_time_units),
    cmocka_unit_test(test_replay_close_only),
    cmocka_unit_test(test_replay_close_only_window),
    cmocka_unit_test(test_replay_one_bar),
    cmocka_unit_test(test_replay_spacing_and_volatility),
    cmocka_unit_test(test_replay_window),
    cmocka_unit_test(test_replay_missing_file),
    cmocka_unit_test(test_replay_bad_table),
    cmocka_unit_test(test_replay_scenario_data),
    cmocka_unit_test(test_from_arrays),
    cmocka_unit_test(test_from_arrays_bad),
    cmocka_unit_test(test_build_gbm),
    cmocka_unit_test(test_build_replay),
    cmocka_unit_test(test_jump_shape_and_determinism),
    cmocka_unit_test(test_jump_moments),
    cmocka_unit_test(test_jump_counts),
    cmocka_unit_test(test_jump_bad_args),
    cmocka_unit_test(test_garch_shape_and_determinism),
    cmocka_unit_test(test_garch_iid_t),
    cmocka_unit_test(test_garch_variance_and_clustering),
    cmocka_unit_test(test_garch_variance0),
    cmocka_unit_test(test_garch_bad_args),
    cmocka_unit_test(test_returns_skip_gaps),
    cmocka_unit_test(test_bootstrap_returns_and_blocks),
    cmocka_unit_test(test_bootstrap_window_start_length),
    cmocka_unit_test(test_bootstrap_from_memory),
    cmocka_unit_test(test_bootstrap_errors),
    cmocka_unit_test(test_build_generated),
    cmocka_unit_test(test_window_to_int64_min),
  };
  return cmocka_run_group_tests(tests, NULL, liq_test_remove_temp_dirs);
}
