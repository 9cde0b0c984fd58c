/*
** test_path.c: price paths (core/path.c): seeds, gbm, CSV replay, bars
** from arrays, scenario dispatch.
**
** The statistical checks use fixed seeds, so they are deterministic; their
** tolerances (4 standard errors) are what a fresh seed would pass with
** probability ~0.9999.
*/
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "liq_path.h"

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
  assert_liq_ok(liq_path_build(sc, 5, &a, &err), &err);
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
  assert_liq_ok(liq_path_build(sc, 1, &p, &err), &err);
  assert_int_equal(p->n, 61);
  assert_true(p->t_ms[0] == 1621429200000LL);
  liq_path_free(p);
  /* steps cuts the window ... */
  sc->steps = 10;
  assert_liq_ok(liq_path_build(sc, 1, &p, &err), &err);
  assert_int_equal(p->n, 10);
  liq_path_free(p);
  /* ... and may not exceed it */
  sc->steps = 62;
  p = (liq_path *)&p;
  assert_int_equal(liq_path_build(sc, 1, &p, &err), LIQ_INPUT);
  assert_null(p);
  assert_string_equal(err.file, sc->price.file);
  assert_non_null(strstr(err.msg, "steps = 62 but the file has only 61 bars"));
  free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seed_deterministic_and_distinct),
    cmocka_unit_test(test_seed_avalanche),
    cmocka_unit_test(test_gbm_shape),
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
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
