/*
** path.c: exogenous price paths (see liq_path.h).
**
** Every source builds the same plain struct of bars:
**
**   liq_path_gbm()          exact log-normal steps from a seeded mt19937;
**   liq_path_jump()         Merton jump diffusion, exact per step;
**   liq_path_garch()        GARCH(1,1) log returns with Student-t innovations;
**   liq_path_bootstrap()    stationary bootstrap of a history's log returns;
**   liq_path_replay()       a price CSV read with libcsv, every row checked;
**   liq_path_from_arrays()  caller-given bars (tests, fitted paths).
**
** The generated sources draw from one mt19937 per path, seeded from the
** 64-bit path seed (rng_seeded()), in a fixed order per step, so a path
** depends only on its parameters and seed.
**
** The CSV reader feeds libcsv one physical line at a time so that every
** error carries the 1-based line the bad row starts on.  The layout is
** taken from the first data row: 2 columns are close-only
** (open_time,close), 5 or more are OHLC with the bar's open time first
** (the generic layout and Binance's 12-column klines share the first five
** columns).  A first row is a header when neither its first field nor
** its price fields (the 2nd to 5th) are numbers; a first row with numeric
** prices is data, so a typo in its time is an error, not a header.
** Lines end at LF, CR or CRLF (for the line numbers; libcsv ends rows at
** each); a NUL byte is an error at its line.
** Every row of the file is validated, including rows outside the window,
** so a file is either good or bad whatever window a scenario cuts from it.
*/

#include "liq_path.h"
#include "csv_int.h"
#include "liq_time.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define SECONDS_PER_YEAR (365.0 * 86400.0)
#define DEFAULT_STEP_SECONDS 60.0  /* a one-bar file: assume one-minute bars */
#define FIELD_SHOW 40              /* characters of a bad field quoted in errors */

/* Timestamp magnitudes (Unix time now is ~1.7e9 s, 1.7e12 ms, 1.7e15 us). */
#define TS_SECONDS_BELOW 100000000000LL          /* 1e11: seconds */
#define TS_MICROS_FROM   100000000000000LL       /* 1e14: microseconds */
#define TS_NANOS_FROM    100000000000000000LL    /* 1e17: nanoseconds */

/* ------------------------------------------------------------------------
** Allocation
*/

void liq_path_free(liq_path *p) {
  if (p == NULL) return;
  free(p->t_ms);
  free(p->open);
  free(p->high);
  free(p->low);
  free(p->close);
  free(p->mark_open);
  free(p->mark_high);
  free(p->mark_low);
  free(p->mark_close);
  free(p);
}

/* A path of n bars with every array allocated (contents undefined). */
static liq_path *path_alloc(size_t n) {
  liq_path *p;
  if (n == 0 || n > SIZE_MAX / sizeof(double)) return NULL;
  p = calloc(1, sizeof *p);
  if (p == NULL) return NULL;
  p->n = n;
  p->t_ms = malloc(n * sizeof *p->t_ms);
  p->open = malloc(n * sizeof *p->open);
  p->high = malloc(n * sizeof *p->high);
  p->low = malloc(n * sizeof *p->low);
  p->close = malloc(n * sizeof *p->close);
  if (!p->t_ms || !p->open || !p->high || !p->low || !p->close) {
    liq_path_free(p);
    return NULL;
  }
  return p;
}

/* A standard normal from a hash of (seed, t, segment, k, coordinate,
** try): splitmix64, Box-Muller.  Coordinate 0 of try 0 is the draw of
** the plain bridge from before the conditioned ones (bars without a range
** keep their paths); the other coordinates and tries hash further. */
static uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

static double bridge_normal(uint64_t seed, size_t t, int seg, size_t k,
                            int coord, int try_no) {
  uint64_t h = mix64(seed ^ mix64((uint64_t)t * 4u + (uint64_t)seg) ^
                     mix64(0x5bd1e995ULL + (uint64_t)k));
  double u1, u2;
  if (coord != 0 || try_no != 0)
    h = mix64(h ^ mix64(0x2545f4914f6cdd1dULL + (uint64_t)try_no * 3u + (uint64_t)coord));
  u1 = ((double)(mix64(h) >> 11) + 0.5) * 0x1.0p-53;
  u2 = (double)(mix64(h ^ 0xa0761d6478bd642fULL) >> 11) * 0x1.0p-53;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

/* The sd of log price per bridge sub-step of a bar with m waypoints and K
** sub-steps per segment.  A bar with a range (OHLC) uses its own
** volatility, Parkinson's (1980) range estimator: the bar's log-price
** variance is (ln(high/low))^2 / (4 ln 2), spread over its (m - 1) equal
** segments of K sub-steps (a flat bar, high = low, gives 0: the bridge
** stays on its price).  Bars without a range (generated paths, close-only
** files) use the path's daily volatility scaled to the sub-step.  The
** window's close-to-close volatility is too wide for one bar of a crash
** day: its bridges ran into the clamp at the bar's extremes. */
static double bridge_sd(const liq_path *p, double lo, double hi, int m, size_t K) {
  double n = (double)(m - 1) * (double)K;
  if (p->has_ohlc) {
    double r = hi > lo && lo > 0.0 ? log(hi / lo) : 0.0;
    return r / sqrt(4.0 * log(2.0) * n);
  }
  return p->daily_volatility * sqrt(p->step_seconds / 86400.0 / n);
}

/* Tries of a conditioned segment before the clamp (bridge_conditioned()). */
#define BRIDGE_TRIES 64

/* One step of a Brownian bridge with 'left' sub-steps to go from x to end. */
static double bridge_step(double x, double end, double left, double sd, double z) {
  return x + ((end - x) / left + sd * sqrt((left - 1.0) / left) * z);
}

/* The K - 1 interior points (into w) of segment 'seg' of bar t from price a
** to price b: the plain Brownian bridge in log price, clamped into
** [lo, hi] when 'clamp' (try 'try_no' of the draws). */
static void bridge_plain(const liq_path *p, size_t t, int seg, size_t K, double sd,
                         double a, double b, int clamp, double lo, double hi,
                         int try_no, double *w, liq_bridge_count *count) {
  double x = log(a), end = log(b);
  size_t k;
  for (k = 1; k < K; k++) {
    double v;
    x = bridge_step(x, end, (double)(K - k + 1), sd,
                    bridge_normal(p->bridge_seed, t, seg, k, 0, try_no));
    v = exp(x);
    if (clamp && (v < lo || v > hi)) {
      v = v < lo ? lo : hi;
      if (count) count->clamped++;
    }
    w[k - 1] = v;
  }
}

/* A uniform in (0, 1) from a hash of (seed, t, segment, try, draw): the
** draws of the middle segment's split point (k = 0 is no grid point, and
** its own salt keeps these apart from bridge_normal()'s). */
static double bridge_uniform(uint64_t seed, size_t t, int seg, int try_no, int draw) {
  uint64_t h = mix64(seed ^ mix64((uint64_t)t * 4u + (uint64_t)seg) ^ mix64(0x5bd1e995ULL));
  h = mix64(h ^ mix64(0x9fb21c651e98df25ULL + (uint64_t)try_no * 1024u + (uint64_t)draw));
  return ((double)(mix64(h) >> 11) + 0.5) * 0x1.0p-53;
}

/* Grid points k = k0+1 .. k0+n-1 (into w[k - 1]) of a Bessel(3) bridge over
** n sub-steps from u to v, one of them 0: the norm of a 3-d Brownian bridge
** from (u, 0, 0) to (v, 0, 0), each coordinate with sd per sub-step (exact
** because one end is 0: the norm's law then depends on the other end only
** through its norm).  The distances go into x; the caller maps them to
** prices. */
static void bessel_points(const liq_path *p, size_t t, int seg, int r, size_t k0, size_t n,
                         double sd, double u, double v, double *x) {
  double x0 = u, x1 = 0.0, x2 = 0.0;
  size_t k;
  for (k = 1; k < n; k++) {
    double left = (double)(n - k + 1);
    x0 = bridge_step(x0, v, left, sd, bridge_normal(p->bridge_seed, t, seg, k0 + k, 0, r));
    x1 = bridge_step(x1, 0.0, left, sd, bridge_normal(p->bridge_seed, t, seg, k0 + k, 1, r));
    x2 = bridge_step(x2, 0.0, left, sd, bridge_normal(p->bridge_seed, t, seg, k0 + k, 2, r));
    x[k0 + k - 1] = sqrt(x0 * x0 + x1 * x1 + x2 * x2);
  }
}

/* The split point of the middle segment (try r): its distance m from the
** first extreme at sub-step J of K, where the segment has run J sub-steps
** from the first extreme (an entrance from it: density ~ m exp(-m^2 / 2 v1))
** and has K - J to go to the second, d further (an exit into it: ~ (d - m)
** exp(-(d - m)^2 / 2 v2)).  The product of the exponentials is a normal,
** mean d v1 / (v1 + v2), variance v1 v2 / (v1 + v2); m (d - m) <= d^2 / 4
** is the acceptance.  Returns 0 when 64 draws all fail (then the try does). */
static int split_point(const liq_path *p, size_t t, int seg, int r, size_t J, size_t K,
                       double sd, double d, double *m) {
  double v1 = (double)J * sd * sd, v2 = (double)(K - J) * sd * sd;
  double mean = d * v1 / (v1 + v2), s = sqrt(v1 * v2 / (v1 + v2));
  int i;
  for (i = 0; i < BRIDGE_TRIES; i++) {
    double u1 = bridge_uniform(p->bridge_seed, t, seg, r, 3 * i),
           u2 = bridge_uniform(p->bridge_seed, t, seg, r, 3 * i + 1),
           u3 = bridge_uniform(p->bridge_seed, t, seg, r, 3 * i + 2);
    double x = mean + s * sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
    if (x > 0.0 && x < d && u3 * 0.25 * d * d < x * (d - x)) {
      *m = x;
      return 1;
    }
  }
  return 0;
}

/* The K - 1 interior points (into w) of a segment of an OHLC bar from a to
** b, each of them strictly inside (lo, hi) = the bar's [low, high]:
**
**   outer (O to the first extreme, the second extreme to C): one end is
**   the extreme e ('above': e is the low and the path stays above it,
**   else the high and the path stays below it).  Williams' path
**   decomposition (Williams 1974; Revuz and Yor, ch. VII and XI):
**   Brownian motion conditioned to stay on one side of a level it reaches
**   at the segment's end (or leaves at its start) is that level plus
**   (minus) a Bessel(3) bridge (bessel_points());
**
**   middle (first extreme e to the second, b): it leaves one bound and
**   reaches the other, staying between them, and its law is symmetric
**   under time reversal.  A Bessel(3) bridge from e all the way to b
**   would approach b like a free path (it is conditioned away from e
**   only) and the rejection at b, on the grid, would bias it toward b
**   (the last point about half a sub-step sd too close).  So it is split
**   at sub-step J = K / 2: the split point from its density
**   (split_point()), a Bessel(3) bridge from e to it, and a Bessel(3)
**   bridge from b back to it, each conditioned on its own bound exactly.
**
** A try with a point outside (lo, hi) (the bound a piece is not
** conditioned on, looked at on the grid only) is drawn again from other
** hashes, up to BRIDGE_TRIES; when all fail the plain bridge of try 0 is
** clamped as before. */
static void bridge_conditioned(const liq_path *p, size_t t, int seg, size_t K,
                               double sd, double a, double b, double e, int above,
                               double lo, double hi, int middle, double *w,
                               liq_bridge_count *count) {
  double u = fabs(log(a / e)), v = fabs(log(b / e));
  int r;
  if (count) {
    count->segments++;
    count->points += K - 1;
  }
  for (r = 0; r < BRIDGE_TRIES; r++) {
    size_t k, J = K / 2;
    int ok = 1;
    if (!middle) {
      bessel_points(p, t, seg, r, 0, K, sd, u, v, w);
    } else {
      double m;
      if (!split_point(p, t, seg, r, J, K, sd, v, &m)) continue;
      bessel_points(p, t, seg, r, 0, J, sd, 0.0, m, w);
      w[J - 1] = m;
      bessel_points(p, t, seg, r, J, K - J, sd, v - m, 0.0, w);
      for (k = J + 1; k < K; k++) w[k - 1] = v - w[k - 1];   /* distance from e */
    }
    for (k = 1; k < K && ok; k++) {
      double y = above ? e * exp(w[k - 1]) : e * exp(-w[k - 1]);   /* on e's side */
      ok = y > lo && y < hi;
      w[k - 1] = y;
    }
    if (ok) {
      if (count) count->rejected += (size_t)r;
      return;
    }
  }
  if (count) {
    count->rejected += BRIDGE_TRIES;
    count->fallbacks++;
  }
  bridge_plain(p, t, seg, K, sd, a, b, 1, lo, hi, 0, w, count);
}

/* Bar t of the series (o, h, l, c), its wicks in the trade bar's order. */
static int waypoints_of(const liq_path *p, size_t t, const double *o,
                        const double *h, const double *l, const double *c,
                        double *w, liq_bridge_count *count) {
  double b[4];
  int m = 0, j, n = 0, up = 1;
  size_t K = p->substeps > 1 ? p->substeps : 1;
  double sd, lo = l[t], hi = h[t];
  b[m++] = o[t];
  if (p->has_ohlc) {
    up = p->close[t] >= p->open[t];
    b[m++] = up ? l[t] : h[t];
    b[m++] = up ? h[t] : l[t];
  }
  b[m++] = c[t];
  if (K == 1) {
    for (j = 0; j < m; j++) w[j] = b[j];
    return m;
  }
  sd = bridge_sd(p, lo, hi, m, K);
  for (j = 0; j + 1 < m; j++) {
    w[n++] = b[j];
    if (!p->has_ohlc)
      bridge_plain(p, t, j, K, sd, b[j], b[j + 1], 0, lo, hi, 0, w + n, NULL);
    else if (!(lo > 0.0 && hi > lo && sd > 0.0 && b[0] >= lo && b[0] <= hi &&
               b[3] >= lo && b[3] <= hi))
      bridge_plain(p, t, j, K, sd, b[j], b[j + 1], 1, lo, hi, 0, w + n, NULL);
    else if (j == 0)        /* O to the first extreme, on its side */
      bridge_conditioned(p, t, j, K, sd, b[0], b[1], b[1], up, lo, hi, 0, w + n, count);
    else if (j == 1)        /* extreme to extreme, between them */
      bridge_conditioned(p, t, j, K, sd, b[1], b[2], b[1], up, lo, hi, 1, w + n, count);
    else                    /* the second extreme to C, on its side */
      bridge_conditioned(p, t, j, K, sd, b[2], b[3], b[2], !up, lo, hi, 0, w + n, count);
    n += (int)K - 1;
  }
  w[n++] = b[m - 1];
  return n;
}

int liq_path_waypoints(const liq_path *p, size_t t, double *w) {
  return waypoints_of(p, t, p->open, p->high, p->low, p->close, w, NULL);
}

int liq_path_mark_waypoints(const liq_path *p, size_t t, double *w) {
  if (p->mark_close == NULL) return liq_path_waypoints(p, t, w);
  return waypoints_of(p, t, p->mark_open, p->mark_high, p->mark_low, p->mark_close,
                      w, NULL);
}

int liq_path_waypoints_counted(const liq_path *p, size_t t, int mark, double *w,
                               liq_bridge_count *count) {
  if (mark && p->mark_close != NULL)
    return waypoints_of(p, t, p->mark_open, p->mark_high, p->mark_low, p->mark_close,
                        w, count);
  return waypoints_of(p, t, p->open, p->high, p->low, p->close, w, count);
}

/* Sample sd of log close-to-close returns, scaled to one day; 0 for
** fewer than two returns (the engine refuses a sqrt impact that would use
** it: liq_engine_check_inputs()). */
static double daily_vol_from_closes(const double *close, size_t n,
                                    double step_seconds) {
  double mean = 0.0, ss = 0.0;
  size_t i, m;
  if (n < 3 || !(step_seconds > 0.0)) return 0.0;
  m = n - 1;
  for (i = 1; i < n; i++) mean += log(close[i] / close[i - 1]);
  mean /= (double)m;
  for (i = 1; i < n; i++) {
    double d = log(close[i] / close[i - 1]) - mean;
    ss += d * d;
  }
  return sqrt(ss / (double)(m - 1)) * sqrt(86400.0 / step_seconds);
}

/* ------------------------------------------------------------------------
** Generated paths: shared pieces
*/

/* A mt19937 seeded from a 64-bit seed, or NULL when out of memory.
** mt19937 takes 32 bits: both halves are folded in, and a fold of 0
** (which would select GSL's default seed) maps to a fixed nonzero value. */
static gsl_rng *rng_seeded(uint64_t seed) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  unsigned long s32;
  if (r == NULL) return NULL;
  s32 = (unsigned long)((seed ^ (seed >> 32)) & 0xFFFFFFFFULL);
  if (s32 == 0) s32 = 0x9E3779B9UL;
  gsl_rng_set(r, s32);
  return r;
}

/* Checks shared by the generated sources; 'what' names the source. */
static int check_steps(const char *what, double dt_seconds, size_t n,
                       liq_err *err) {
  if (!(isfinite(dt_seconds) && dt_seconds > 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "%s: step length must be > 0 seconds, got %g", what, dt_seconds);
  if (n == 0)
    return liq_errf(err, LIQ_INPUT, NULL, 0, "%s: number of steps must be >= 1", what);
  if ((double)n * dt_seconds * 1000.0 > 9.0e18)
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "%s: %zu steps of %g s overflow the millisecond clock",
                    what, n, dt_seconds);
  return LIQ_OK;
}

/* Bar t of a generated path: opens at the previous close 'prev'. */
static void put_bar(liq_path *p, size_t t, double prev, double c,
                    double dt_seconds) {
  p->t_ms[t] = (int64_t)llround((double)t * dt_seconds * 1000.0);
  p->open[t] = prev;
  p->close[t] = c;
  p->high[t] = fmax(prev, c);
  p->low[t] = fmin(prev, c);
}

/* ------------------------------------------------------------------------
** GBM
*/

int liq_path_gbm(double start, double drift, double volatility,
                 double dt_seconds, size_t n, uint64_t seed,
                 liq_path **out /* OUT */, liq_err *err) {
  liq_path *p = NULL;
  gsl_rng *r = NULL;
  double dt, mu_dt, sd, prev;
  size_t t;
  int rc;

  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "gbm: 'out' is NULL");
  *out = NULL;
  if (!(isfinite(start) && start > 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "gbm: start price must be a positive number, got %g", start);
  if (!isfinite(drift))
    return liq_errf(err, LIQ_INPUT, NULL, 0, "gbm: drift must be finite, got %g", drift);
  if (!(isfinite(volatility) && volatility >= 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "gbm: volatility must be >= 0, got %g", volatility);
  if ((rc = check_steps("gbm", dt_seconds, n, err)) != LIQ_OK) return rc;

  p = path_alloc(n);
  r = rng_seeded(seed);
  if (p == NULL || r == NULL) {
    liq_path_free(p);
    if (r) gsl_rng_free(r);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "gbm: out of memory for %zu bars", n);
  }

  dt = dt_seconds / SECONDS_PER_YEAR;
  mu_dt = (drift - 0.5 * volatility * volatility) * dt;
  sd = volatility * sqrt(dt);
  prev = start;
  for (t = 0; t < n; t++) {
    double c = prev * exp(mu_dt + sd * gsl_ran_gaussian_ziggurat(r, 1.0));
    if (!(isfinite(c) && c > 0.0)) {
      gsl_rng_free(r);
      liq_path_free(p);
      return liq_errf(err, LIQ_NUMERIC, NULL, 0,
                      "gbm: price left the floating-point range at step %zu "
                      "(drift %g, volatility %g)", t, drift, volatility);
    }
    put_bar(p, t, prev, c, dt_seconds);
    prev = c;
  }
  gsl_rng_free(r);
  p->has_ohlc = 0;
  p->step_seconds = dt_seconds;
  p->daily_volatility = volatility / sqrt(365.0);
  *out = p;
  return LIQ_OK;
}

/* ------------------------------------------------------------------------
** Merton jump diffusion
**
** Per step of dt years, exactly:
**   ln(S_t / S_{t-1}) = (drift - vol^2/2 - intensity k) dt + vol sqrt(dt) Z
**                       + sum_{i=1}^{N} Y_i,
**   N ~ Poisson(intensity dt), Y_i ~ N(jump_mean, jump_sd^2),
**   k = E[e^Y] - 1 = exp(jump_mean + jump_sd^2 / 2) - 1,
** so E[S_t] = S_0 e^{drift t}.  The sum of N normal jumps is drawn as
** N jump_mean + jump_sd sqrt(N) Z'.  Draw order per step: Z, then (when
** intensity > 0) N, then (when N > 0) Z'; with intensity 0 the path is
** the gbm path of the same seed.
*/

int liq_path_jump(double start, double drift, double volatility,
                  double intensity, double jump_mean, double jump_sd,
                  double dt_seconds, size_t n, uint64_t seed,
                  liq_path **out /* OUT */, liq_err *err) {
  liq_path *p = NULL;
  gsl_rng *r = NULL;
  double dt, k, mu_dt, sd, lam, prev;
  size_t t;
  int rc;

  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "jump: 'out' is NULL");
  *out = NULL;
  if (!(isfinite(start) && start > 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "jump: start price must be a positive number, got %g", start);
  if (!isfinite(drift))
    return liq_errf(err, LIQ_INPUT, NULL, 0, "jump: drift must be finite, got %g", drift);
  if (!(isfinite(volatility) && volatility >= 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "jump: volatility must be >= 0, got %g", volatility);
  if (!(isfinite(intensity) && intensity >= 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "jump: intensity (jumps per year) must be >= 0, got %g", intensity);
  if (!isfinite(jump_mean))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "jump: jump_mean must be finite, got %g", jump_mean);
  if (!(isfinite(jump_sd) && jump_sd >= 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0, "jump: jump_sd must be >= 0, got %g", jump_sd);
  if ((rc = check_steps("jump", dt_seconds, n, err)) != LIQ_OK) return rc;
  k = expm1(jump_mean + 0.5 * jump_sd * jump_sd);
  dt = dt_seconds / SECONDS_PER_YEAR;
  lam = intensity * dt;
  mu_dt = (drift - 0.5 * volatility * volatility - intensity * k) * dt;
  if (!(isfinite(k) && isfinite(mu_dt) && lam < 1.0e9))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "jump: jumps of mean %g and sd %g at %g per year have no "
                    "finite compensator", jump_mean, jump_sd, intensity);

  p = path_alloc(n);
  r = rng_seeded(seed);
  if (p == NULL || r == NULL) {
    liq_path_free(p);
    if (r) gsl_rng_free(r);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "jump: out of memory for %zu bars", n);
  }

  sd = volatility * sqrt(dt);
  prev = start;
  for (t = 0; t < n; t++) {
    double x = mu_dt + sd * gsl_ran_gaussian_ziggurat(r, 1.0), c;
    if (lam > 0.0) {
      unsigned int nj = gsl_ran_poisson(r, lam);
      if (nj > 0)
        x += (double)nj * jump_mean +
             jump_sd * sqrt((double)nj) * gsl_ran_gaussian_ziggurat(r, 1.0);
    }
    c = prev * exp(x);
    if (!(isfinite(c) && c > 0.0)) {
      gsl_rng_free(r);
      liq_path_free(p);
      return liq_errf(err, LIQ_NUMERIC, NULL, 0,
                      "jump: price left the floating-point range at step %zu", t);
    }
    put_bar(p, t, prev, c, dt_seconds);
    prev = c;
  }
  gsl_rng_free(r);
  p->has_ohlc = 0;
  p->step_seconds = dt_seconds;
  p->daily_volatility = sqrt((volatility * volatility +
                              intensity * (jump_mean * jump_mean + jump_sd * jump_sd)) /
                             365.0);
  *out = p;
  return LIQ_OK;
}

/* ------------------------------------------------------------------------
** GARCH(1,1) with Student-t innovations
**
**   r_t = mu + sqrt(h_t) z_t,   z_t = T_nu sqrt((nu - 2) / nu)  (unit variance)
**   h_{t+1} = omega + alpha (r_t - mu)^2 + beta h_t
**
** per step, h_0 = variance0 (NaN: the unconditional omega / (1 - alpha - beta)).
*/

int liq_path_garch(double start, double mu, double omega, double alpha,
                   double beta, double nu, double variance0,
                   double dt_seconds, size_t n, uint64_t seed,
                   liq_path **out /* OUT */, liq_err *err) {
  liq_path *p = NULL;
  gsl_rng *r = NULL;
  double h, h0, tscale, uncond, prev;
  size_t t;
  int rc;

  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "garch: 'out' is NULL");
  *out = NULL;
  if (!(isfinite(start) && start > 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "garch: start price must be a positive number, got %g", start);
  if (!isfinite(mu))
    return liq_errf(err, LIQ_INPUT, NULL, 0, "garch: mu must be finite, got %g", mu);
  if (!(isfinite(omega) && omega > 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0, "garch: omega must be > 0, got %g", omega);
  if (!(isfinite(alpha) && alpha >= 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0, "garch: alpha must be >= 0, got %g", alpha);
  if (!(isfinite(beta) && beta >= 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0, "garch: beta must be >= 0, got %g", beta);
  if (!(alpha + beta < 1.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "garch: alpha + beta must be < 1 (stationary variance), got %g",
                    alpha + beta);
  if (!(isfinite(nu) && nu > 2.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "garch: nu (Student-t degrees of freedom) must be > 2, got %g", nu);
  if (!isnan(variance0) && !(isfinite(variance0) && variance0 > 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "garch: variance0 must be > 0 (or NaN for the unconditional "
                    "variance), got %g", variance0);
  if ((rc = check_steps("garch", dt_seconds, n, err)) != LIQ_OK) return rc;
  uncond = omega / (1.0 - alpha - beta);
  if (!isfinite(uncond))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "garch: the unconditional variance omega / (1 - alpha - beta) "
                    "is not finite");

  p = path_alloc(n);
  r = rng_seeded(seed);
  if (p == NULL || r == NULL) {
    liq_path_free(p);
    if (r) gsl_rng_free(r);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "garch: out of memory for %zu bars", n);
  }

  tscale = sqrt((nu - 2.0) / nu);
  h = h0 = isnan(variance0) ? uncond : variance0;
  prev = start;
  for (t = 0; t < n; t++) {
    double e = sqrt(h) * tscale * gsl_ran_tdist(r, nu);
    double c = prev * exp(mu + e);
    if (!(isfinite(c) && c > 0.0 && isfinite(h))) {
      gsl_rng_free(r);
      liq_path_free(p);
      return liq_errf(err, LIQ_NUMERIC, NULL, 0,
                      "garch: price left the floating-point range at step %zu", t);
    }
    put_bar(p, t, prev, c, dt_seconds);
    prev = c;
    h = omega + alpha * e * e + beta * h;
  }
  gsl_rng_free(r);
  p->has_ohlc = 0;
  p->step_seconds = dt_seconds;
  /* Over a path shorter than the variance's mean-reversion time (1 /
  ** (1 - alpha - beta) bars), the variance stays near where it starts:
  ** a near-integrated GARCH (as fitted on BTC) has an unconditional
  ** variance the path never gets near. */
  p->daily_volatility = sqrt((1.0 - alpha - beta < 1.0 / (double)n ? h0 : uncond) *
                             86400.0 / dt_seconds);
  *out = p;
  return LIQ_OK;
}

/* ------------------------------------------------------------------------
** Caller-given bars
*/

int liq_path_from_arrays(size_t n, const double *open, const double *high,
                         const double *low, const double *close,
                         double step_seconds, liq_path **out /* OUT */,
                         liq_err *err) {
  liq_path *p;
  size_t i;

  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "path: 'out' is NULL");
  *out = NULL;
  if (n == 0) return liq_errf(err, LIQ_INPUT, NULL, 0, "path: no bars");
  if (close == NULL) return liq_errf(err, LIQ_INPUT, NULL, 0, "path: close prices are NULL");
  if ((high == NULL) != (low == NULL))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "path: high and low must both be given or both be NULL");
  if (!(isfinite(step_seconds) && step_seconds > 0.0))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "path: step length must be > 0 seconds, got %g", step_seconds);
  if ((double)n * step_seconds * 1000.0 > 9.0e18)
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "path: %zu steps of %g s overflow the millisecond clock",
                    n, step_seconds);

  for (i = 0; i < n; i++) {
    const double v[4] = { open ? open[i] : 1.0, high ? high[i] : 1.0,
                          low ? low[i] : 1.0, close[i] };
    static const char *const name[4] = { "open", "high", "low", "close" };
    int k;
    for (k = 0; k < 4; k++)
      if (!(isfinite(v[k]) && v[k] > 0.0))
        return liq_errf(err, LIQ_INPUT, NULL, 0,
                        "path: bar %zu: %s must be a positive number, got %g",
                        i, name[k], v[k]);
    if (high != NULL) {
      if (v[1] < v[2])
        return liq_errf(err, LIQ_INPUT, NULL, 0,
                        "path: bar %zu: high %g is below low %g", i, v[1], v[2]);
      if (open && (v[0] < v[2] || v[0] > v[1]))
        return liq_errf(err, LIQ_INPUT, NULL, 0,
                        "path: bar %zu: open %g is outside [low %g, high %g]",
                        i, v[0], v[2], v[1]);
      if (v[3] < v[2] || v[3] > v[1])
        return liq_errf(err, LIQ_INPUT, NULL, 0,
                        "path: bar %zu: close %g is outside [low %g, high %g]",
                        i, v[3], v[2], v[1]);
    }
  }

  p = path_alloc(n);
  if (p == NULL)
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "path: out of memory for %zu bars", n);
  for (i = 0; i < n; i++) {
    double o = open ? open[i] : (i > 0 ? close[i - 1] : close[0]);
    p->t_ms[i] = (int64_t)llround((double)i * step_seconds * 1000.0);
    p->open[i] = o;
    p->close[i] = close[i];
    if (high != NULL) {
      /* Without a given open, the previous close may lie outside the bar's
      ** range (a gap); widen the bar so it stays consistent. */
      p->high[i] = fmax(high[i], o);
      p->low[i] = fmin(low[i], o);
    } else {
      p->high[i] = fmax(o, close[i]);
      p->low[i] = fmin(o, close[i]);
    }
  }
  p->has_ohlc = high != NULL;
  p->step_seconds = step_seconds;
  p->daily_volatility = daily_vol_from_closes(p->close, n, step_seconds);
  *out = p;
  return LIQ_OK;
}

/* ------------------------------------------------------------------------
** CSV replay
*/

enum { COL_TIME, COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE, NCOL_OHLC };

typedef struct reader {
  const char *path;
  liq_err    *err;
  int         rc;          /* first failure; callbacks do nothing after it */
  long        row_line;    /* line the current row started on */
  size_t      nfield;      /* fields in the current row */
  const char *fld[NCOL_OHLC]; /* its first five fields ("" past its end) */

  /* layout, fixed by the first data row */
  size_t      ncol;        /* 0 until known */
  int         close_only;  /* ncol == 2 */
  size_t      header_ncol; /* 0: no header */
  long        header_line;
  long        first_data_line;
  int         seen_row;    /* any row (header or data) yet */

  /* the previous data row, for the order checks */
  int         have_prev;
  int64_t     prev_t;
  long        prev_line;
  double      prev_close;
  int64_t     first_t;     /* first and last open time in the file */

  /* window */
  int         has_from, has_to;
  int64_t     from_ms, to_ms;
  size_t      max_bars;    /* 0: no limit */
  size_t      nwin;        /* bars in the window (counted past max_bars) */

  /* kept bars (in the window, at most max_bars) */
  size_t      n, cap;
  int64_t    *t;
  double     *o, *h, *l, *c;
  long       *ln;          /* the line each kept bar is on */

  /* spacing between consecutive rows of the whole file, for step_seconds */
  size_t      nsp, capsp;
  int64_t    *sp;
} reader;

static int rd_fail(reader *rd, int code, long line, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

static int rd_fail(reader *rd, int code, long line, const char *fmt, ...) {
  va_list ap;
  if (rd->rc != LIQ_OK) return rd->rc;
  va_start(ap, fmt);
  rd->rc = liq_verrf(rd->err, code, rd->path, (int)line, fmt, ap);
  va_end(ap);
  return rd->rc;
}

/* Grow *pp (of *cap elements of 'size' bytes) to hold at least 'need'. */
static int grow(void **pp, size_t *cap, size_t need, size_t size) {
  size_t ncap;
  void *q;
  if (need <= *cap) return 0;
  ncap = *cap ? *cap : 256;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2 / size) return -1;
    ncap *= 2;
  }
  q = realloc(*pp, ncap * size);
  if (q == NULL) return -1;
  *pp = q;
  *cap = ncap;
  return 0;
}

/* The field's text shortened for a message. */
static const char *show(const char *s, char *buf, size_t size) {
  size_t len = strlen(s);
  if (len < size) return s;
  snprintf(buf, size, "%.*s...", (int)(size - 4), s);
  return buf;
}

/* Parse a whole field as a double: 0 ok, -1 not a number.  NaN and
** infinities parse (the caller reports them as not finite). */
static int parse_double(const char *s, double *v) {
  char *end;
  if (*s == '\0') return -1;
  errno = 0;
  *v = strtod(s, &end);
  if (end == s || *end != '\0') return -1;
  if (errno == ERANGE && fabs(*v) < 1.0) *v = 0.0;  /* underflow: tiny */
  return 0;
}

/* Bar open time in ms from seconds, ms, us or ns (told apart by magnitude):
** 0 ok, -1 not a number, -2 not finite or negative or out of range. */
static int parse_time(const char *s, int64_t *ms) {
  char *end;
  long long ll;
  double d;
  if (*s == '\0') return -1;
  errno = 0;
  ll = strtoll(s, &end, 10);
  if (end != s && *end == '\0' && errno == 0) {
    if (ll < 0) return -2;
    if (ll < TS_SECONDS_BELOW) *ms = (int64_t)ll * 1000;
    else if (ll >= TS_NANOS_FROM) *ms = (int64_t)(ll / 1000000);
    else if (ll >= TS_MICROS_FROM) *ms = (int64_t)(ll / 1000);
    else *ms = (int64_t)ll;
    return 0;
  }
  if (parse_double(s, &d) != 0) return -1;
  if (!isfinite(d) || d < 0.0 || d >= 9.0e18) return -2;
  if (d < (double)TS_SECONDS_BELOW) *ms = (int64_t)llround(d * 1000.0);
  else if (d >= (double)TS_NANOS_FROM) *ms = (int64_t)floor(d / 1.0e6);
  else if (d >= (double)TS_MICROS_FROM) *ms = (int64_t)floor(d / 1.0e3);
  else *ms = (int64_t)floor(d);
  return 0;
}

static int is_number(const char *s) {
  double v;
  return parse_double(s, &v) == 0;
}

/* Parse price field k of the current row into *v, > 0 and finite. */
static int row_price(reader *rd, int k, const char *name, double *v) {
  const char *s = rd->fld[k];
  char sb[FIELD_SHOW];
  if (parse_double(s, v) != 0)
    return rd_fail(rd, LIQ_INPUT, rd->row_line, "%s is not a number '%s'", name,
                   show(s, sb, sizeof sb));
  if (!isfinite(*v))
    return rd_fail(rd, LIQ_INPUT, rd->row_line, "%s is not finite '%s'", name,
                   show(s, sb, sizeof sb));
  if (!(*v > 0.0))
    return rd_fail(rd, LIQ_INPUT, rd->row_line, "%s must be > 0, got %s", name,
                   show(s, sb, sizeof sb));
  return LIQ_OK;
}

/* Decide the layout from the first data row. */
static int set_layout(reader *rd) {
  size_t nc = rd->nfield;
  if (rd->header_ncol && nc != rd->header_ncol)
    return rd_fail(rd, LIQ_INPUT, rd->row_line,
                   "row has %zu columns but the header (line %ld) has %zu",
                   nc, rd->header_line, rd->header_ncol);
  if (nc != 2 && nc < NCOL_OHLC)
    return rd_fail(rd, LIQ_INPUT, rd->row_line,
                   "row has %zu column%s; expected open_time,close or "
                   "open_time,open,high,low,close[,volume,...]",
                   nc, nc == 1 ? "" : "s");
  rd->ncol = nc;
  rd->close_only = nc == 2;
  rd->first_data_line = rd->row_line;
  return LIQ_OK;
}

/* A complete data row: parse, check, keep when in the window. */
static int data_row(reader *rd) {
  double o = 0.0, h = 0.0, l = 0.0, c = 0.0;
  int64_t t;
  int rc;
  char sb[FIELD_SHOW];

  if (rd->ncol == 0) {
    if ((rc = set_layout(rd)) != LIQ_OK) return rc;
  } else if (rd->nfield != rd->ncol) {
    return rd_fail(rd, LIQ_INPUT, rd->row_line,
                   "row has %zu columns but line %ld has %zu", rd->nfield,
                   rd->first_data_line, rd->ncol);
  }

  rc = parse_time(rd->fld[COL_TIME], &t);
  if (rc == -1)
    return rd_fail(rd, LIQ_INPUT, rd->row_line, "open time is not a number '%s'",
                   show(rd->fld[COL_TIME], sb, sizeof sb));
  if (rc == -2)
    return rd_fail(rd, LIQ_INPUT, rd->row_line,
                   "open time '%s' is not a non-negative Unix time",
                   show(rd->fld[COL_TIME], sb, sizeof sb));

  if (rd->close_only) {
    if (row_price(rd, 1, "close", &c) != LIQ_OK) return rd->rc;
    o = rd->have_prev ? rd->prev_close : c;
    h = fmax(o, c);
    l = fmin(o, c);
  } else {
    if (row_price(rd, COL_OPEN, "open", &o) != LIQ_OK ||
        row_price(rd, COL_HIGH, "high", &h) != LIQ_OK ||
        row_price(rd, COL_LOW, "low", &l) != LIQ_OK ||
        row_price(rd, COL_CLOSE, "close", &c) != LIQ_OK)
      return rd->rc;
    if (h < l)
      return rd_fail(rd, LIQ_INPUT, rd->row_line, "high %.10g is below low %.10g", h, l);
    if (o < l)
      return rd_fail(rd, LIQ_INPUT, rd->row_line, "open %.10g is below low %.10g", o, l);
    if (o > h)
      return rd_fail(rd, LIQ_INPUT, rd->row_line, "open %.10g is above high %.10g", o, h);
    if (c < l)
      return rd_fail(rd, LIQ_INPUT, rd->row_line, "close %.10g is below low %.10g", c, l);
    if (c > h)
      return rd_fail(rd, LIQ_INPUT, rd->row_line, "close %.10g is above high %.10g", c, h);
  }

  if (rd->have_prev) {
    char a[32], b[32];
    if (t == rd->prev_t) {
      liq_time_format(t, a, sizeof a);
      return rd_fail(rd, LIQ_INPUT, rd->row_line,
                     "duplicate open time %s (%lld ms), also on line %ld", a,
                     (long long)t, rd->prev_line);
    }
    if (t < rd->prev_t) {
      liq_time_format(t, a, sizeof a);
      liq_time_format(rd->prev_t, b, sizeof b);
      return rd_fail(rd, LIQ_INPUT, rd->row_line,
                     "open time %s is before the previous bar's %s (line %ld); "
                     "rows must be in ascending time", a, b, rd->prev_line);
    }
    if (grow((void **)&rd->sp, &rd->capsp, rd->nsp + 1, sizeof *rd->sp) != 0)
      return rd_fail(rd, LIQ_NOMEM, 0, "out of memory reading the price file");
    rd->sp[rd->nsp++] = t - rd->prev_t;
  } else {
    rd->first_t = t;
  }
  rd->have_prev = 1;
  rd->prev_t = t;
  rd->prev_line = rd->row_line;
  rd->prev_close = c;

  if ((rd->has_from && t < rd->from_ms) || (rd->has_to && t > rd->to_ms))
    return LIQ_OK;
  rd->nwin++;
  if (rd->max_bars && rd->n >= rd->max_bars) return LIQ_OK;
  if (rd->n == rd->cap) {
    size_t cap = rd->cap;
    /* grow() updates cap, so grow each array from the same old capacity */
    size_t c1 = cap, c2 = cap, c3 = cap, c4 = cap, c5 = cap, c6 = cap;
    if (grow((void **)&rd->ln, &c6, rd->n + 1, sizeof *rd->ln) != 0 ||
        grow((void **)&rd->t, &c1, rd->n + 1, sizeof *rd->t) != 0 ||
        grow((void **)&rd->o, &c2, rd->n + 1, sizeof *rd->o) != 0 ||
        grow((void **)&rd->h, &c3, rd->n + 1, sizeof *rd->h) != 0 ||
        grow((void **)&rd->l, &c4, rd->n + 1, sizeof *rd->l) != 0 ||
        grow((void **)&rd->c, &c5, rd->n + 1, sizeof *rd->c) != 0)
      return rd_fail(rd, LIQ_NOMEM, 0, "out of memory reading the price file");
    rd->cap = c1;
  }
  /* The open of a close-only bar comes from the previous row even when that
  ** row is outside the window. */
  rd->t[rd->n] = t;
  rd->o[rd->n] = o;
  rd->h[rd->n] = h;
  rd->l[rd->n] = l;
  rd->c[rd->n] = c;
  rd->ln[rd->n] = rd->row_line;
  rd->n++;
  return LIQ_OK;
}

/* One row of the price file (see csv_int.h): the header, or a bar. */
static int on_csv_row(void *ctx, const liq_csv_row *row, liq_err *err) {
  reader *rd = ctx;
  size_t k;
  (void)err;
  rd->nfield = row->n;
  rd->row_line = row->line;
  for (k = 0; k < NCOL_OHLC; k++) rd->fld[k] = k < row->n ? row->field[k] : "";
  if (!rd->seen_row) {
    size_t nprice = rd->nfield < NCOL_OHLC ? rd->nfield : NCOL_OHLC;
    int header = !is_number(rd->fld[COL_TIME]);
    rd->seen_row = 1;
    /* A header names its price columns; a row with numeric prices is data
    ** whatever its time field holds (a typo there is an error). */
    for (k = 1; k < nprice && header; k++)
      if (is_number(rd->fld[k])) header = 0;
    if (header) {
      rd->header_ncol = rd->nfield;
      rd->header_line = rd->row_line;
      return LIQ_OK;
    }
  }
  data_row(rd);
  return rd->rc;
}

static void reader_free(reader *rd) {
  free(rd->t);
  free(rd->o);
  free(rd->h);
  free(rd->l);
  free(rd->c);
  free(rd->ln);
  free(rd->sp);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Read the whole price file through the CSV layer. */
static int read_csv(reader *rd, FILE *f) {
  int rc = liq_csv_read(f, rd->path, "price file", 0, on_csv_row, rd, rd->err);
  if (rd->rc == LIQ_OK) rd->rc = rc;
  return rd->rc;
}

static int replay_read(const char *csv_path, int has_from, int64_t from_ms,
                       int has_to, int64_t to_ms, size_t max_bars,
                       liq_path **out, long **lines, liq_err *err);

int liq_path_replay(const char *csv_path, int has_from, int64_t from_ms,
                    int has_to, int64_t to_ms, size_t max_bars,
                    liq_path **out /* OUT */, liq_err *err) {
  return replay_read(csv_path, has_from, from_ms, has_to, to_ms, max_bars, out,
                     NULL, err);
}

/*
** The mark-price bars of 'p' from 'mark_csv' (same window and bar limit):
** bar i of the mark file must open at p->t_ms[i] (with max_bars > 0, the
** 'steps' limit, mark bars past p's last are ignored); the first bar the two
** files disagree on is LIQ_INPUT at the mark file's line (an extra mark
** bar, or the line where a bar of the price file is missing).
*/
int liq_path_attach_mark(liq_path *p, const char *mark_csv, int has_from,
                         int64_t from_ms, int has_to, int64_t to_ms,
                         size_t max_bars, liq_err *err) {
  liq_path *m = NULL;
  long *ln = NULL;
  size_t i, n;
  char a[32];
  int rc = replay_read(mark_csv, has_from, from_ms, has_to, to_ms, 0, &m, &ln, err);
  if (rc != LIQ_OK) return rc;
  n = m->n < p->n ? m->n : p->n;
  for (i = 0; i < n && m->t_ms[i] == p->t_ms[i]; i++) {}
  if (i < n && m->t_ms[i] < p->t_ms[i]) {
    liq_time_format(m->t_ms[i], a, sizeof a);
    rc = liq_errf(err, LIQ_INPUT, mark_csv, (int)ln[i], "mark bar %s is not in the "
                  "price file (bar %zu of the window there opens later): the mark "
                  "file must be aligned bar by bar with price.file", a, i);
  } else if (i < n || (i == n && m->n < p->n)) {
    liq_time_format(p->t_ms[i], a, sizeof a);
    rc = liq_errf(err, LIQ_INPUT, mark_csv, (int)(i < m->n ? ln[i] : ln[m->n - 1] + 1),
                  "the mark file has no bar at %s, which the price file has (bar %zu "
                  "of the window): the mark file must be aligned bar by bar with "
                  "price.file", a, i);
  } else if (m->n > p->n && max_bars == 0) {
    liq_time_format(m->t_ms[p->n], a, sizeof a);
    rc = liq_errf(err, LIQ_INPUT, mark_csv, (int)ln[p->n], "mark bar %s is past the "
                  "price file's last bar of the window (%zu bars): the mark file must "
                  "be aligned bar by bar with price.file", a, p->n);
  }
  if (rc == LIQ_OK) {
    free(p->mark_open); free(p->mark_high); free(p->mark_low); free(p->mark_close);
    p->mark_open = m->open;
    p->mark_high = m->high;
    p->mark_low = m->low;
    p->mark_close = m->close;
    m->open = m->high = m->low = m->close = NULL;
    if (!m->has_ohlc) {   /* close-only marks: high and low from open and close */
      for (i = 0; i < p->n; i++) {
        p->mark_high[i] = fmax(p->mark_open[i], p->mark_close[i]);
        p->mark_low[i] = fmin(p->mark_open[i], p->mark_close[i]);
      }
    }
  }
  free(ln);
  liq_path_free(m);
  return rc;
}

static int replay_read(const char *csv_path, int has_from, int64_t from_ms,
                       int has_to, int64_t to_ms, size_t max_bars,
                       liq_path **out, long **lines, liq_err *err) {
  reader rd;
  FILE *f;
  liq_path *p = NULL;
  int rc;

  if (out == NULL) return liq_errf(err, LIQ_USAGE, csv_path, 0, "replay: 'out' is NULL");
  *out = NULL;
  if (csv_path == NULL || csv_path[0] == '\0')
    return liq_errf(err, LIQ_INPUT, NULL, 0, "replay: no price file given");
  if (has_from && has_to && from_ms > to_ms) {
    char a[32], b[32];
    liq_time_format(from_ms, a, sizeof a);
    liq_time_format(to_ms, b, sizeof b);
    return liq_errf(err, LIQ_INPUT, csv_path, 0,
                    "window start %s is after its end %s", a, b);
  }

  f = fopen(csv_path, "rb");
  if (f == NULL)
    return liq_errf(err, LIQ_IO, csv_path, 0, "cannot open price file: %s",
                    strerror(errno));

  memset(&rd, 0, sizeof rd);
  rd.path = csv_path;
  rd.err = err;
  rd.rc = LIQ_OK;
  rd.has_from = has_from;
  rd.has_to = has_to;
  rd.from_ms = from_ms;
  rd.to_ms = to_ms;
  rd.max_bars = max_bars;
  rc = read_csv(&rd, f);
  fclose(f);
  if (rc != LIQ_OK) goto done;

  if (!rd.have_prev) {
    rc = rd_fail(&rd, LIQ_INPUT, 1, rd.header_ncol ? "price file has a header but no bars"
                                                    : "empty price file");
    goto done;
  }
  if (rd.nwin == 0) {
    char a[32] = "the start", b[32] = "the end", c[32], d[32];
    if (has_from) liq_time_format(from_ms, a, sizeof a);
    if (has_to) liq_time_format(to_ms, b, sizeof b);
    liq_time_format(rd.first_t, c, sizeof c);
    liq_time_format(rd.prev_t, d, sizeof d);
    rc = rd_fail(&rd, LIQ_INPUT, 0, "no bars between %s and %s (the file covers %s to %s)",
                 a, b, c, d);
    goto done;
  }
  if (max_bars > rd.nwin) {
    rc = rd_fail(&rd, LIQ_INPUT, 0, "steps = %zu but the file has only %zu bars in the window",
                 max_bars, rd.nwin);
    goto done;
  }

  p = path_alloc(rd.n);
  if (p == NULL) {
    rc = rd_fail(&rd, LIQ_NOMEM, 0, "out of memory for %zu bars", rd.n);
    goto done;
  }
  memcpy(p->t_ms, rd.t, rd.n * sizeof *rd.t);
  memcpy(p->open, rd.o, rd.n * sizeof *rd.o);
  memcpy(p->high, rd.h, rd.n * sizeof *rd.h);
  memcpy(p->low, rd.l, rd.n * sizeof *rd.l);
  memcpy(p->close, rd.c, rd.n * sizeof *rd.c);
  /* A close-only bar's open is the previous close; the first bar of the
  ** file has none, so it opens at its close. */
  p->has_ohlc = !rd.close_only;

  /* Bar length: the median spacing over the whole file, robust to gaps. */
  if (rd.nsp == 0) {
    p->step_seconds = DEFAULT_STEP_SECONDS;
  } else {
    qsort(rd.sp, rd.nsp, sizeof *rd.sp, cmp_i64);
    p->step_seconds = (double)rd.sp[(rd.nsp - 1) / 2] / 1000.0;
  }
  p->daily_volatility = daily_vol_from_closes(p->close, p->n, p->step_seconds);
  *out = p;
  if (lines != NULL) {
    *lines = rd.ln;
    rd.ln = NULL;
  }
  rc = LIQ_OK;
done:
  reader_free(&rd);
  return rc;
}

/* ------------------------------------------------------------------------
** Returns of a path, and the stationary bootstrap
*/

int liq_path_returns(const liq_path *p, double *r, size_t *n_used,
                     double *spacing_s, liq_err *err) {
  int64_t *d = NULL;
  int64_t med, limit;
  size_t i, m, k = 0;

  if (p == NULL || r == NULL || n_used == NULL)
    return liq_errf(err, LIQ_USAGE, NULL, 0, "returns: NULL argument");
  *n_used = 0;
  if (spacing_s) *spacing_s = p->step_seconds;
  if (p->n < 2) return LIQ_OK;
  m = p->n - 1;
  d = malloc(m * sizeof *d);
  if (d == NULL)
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "returns: out of memory for %zu bars", p->n);
  for (i = 0; i < m; i++) d[i] = p->t_ms[i + 1] - p->t_ms[i];
  qsort(d, m, sizeof *d, cmp_i64);
  med = d[(m - 1) / 2];
  free(d);
  if (med <= 0)
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "returns: bar open times are not increasing (median spacing %lld ms)",
                    (long long)med);
  if (spacing_s) *spacing_s = (double)med / 1000.0;
  /* more than 1.5 median spacings apart: an outage, not one bar's return */
  limit = med + med / 2;
  for (i = 1; i < p->n; i++) {
    if (p->t_ms[i] - p->t_ms[i - 1] > limit) continue;
    r[k++] = log(p->close[i] / p->close[i - 1]);
  }
  *n_used = k;
  return LIQ_OK;
}

/* Stationary bootstrap (Politis & Romano 1994) over the returns of 'hist';
** 'name' (may be NULL) is the history's file for messages. */
static int bootstrap_core(const liq_path *hist, const char *name, double block,
                          double start, size_t n, uint64_t seed,
                          liq_path **out, liq_err *err) {
  liq_path *p = NULL;
  gsl_rng *r = NULL;
  double *ret = NULL;
  double spacing = 0.0, p_new, prev, mean = 0.0, ss = 0.0;
  size_t m = 0, i, idx = 0, t;
  int rc;

  if (!(isfinite(block) && block >= 1.0))
    return liq_errf(err, LIQ_INPUT, name, 0,
                    "bootstrap: mean block length must be >= 1 bar, got %g", block);
  if (!isnan(start) && !(isfinite(start) && start > 0.0))
    return liq_errf(err, LIQ_INPUT, name, 0,
                    "bootstrap: start price must be a positive number (or NaN for "
                    "the history's first open), got %g", start);
  ret = malloc((hist->n > 1 ? hist->n - 1 : 1) * sizeof *ret);
  if (ret == NULL)
    return liq_errf(err, LIQ_NOMEM, name, 0, "bootstrap: out of memory for %zu bars",
                    hist->n);
  if ((rc = liq_path_returns(hist, ret, &m, &spacing, err)) != LIQ_OK) {
    if (err && name) snprintf(err->file, sizeof err->file, "%s", name);
    goto done;
  }
  if (m < 2) {
    rc = liq_errf(err, LIQ_INPUT, name, 0,
                  "bootstrap: the history has %zu usable return%s (bars %zu); "
                  "need at least 2", m, m == 1 ? "" : "s", hist->n);
    goto done;
  }
  if (m > 0xFFFFFFFFUL) {
    rc = liq_errf(err, LIQ_INPUT, name, 0,
                  "bootstrap: %zu returns are more than the generator can index", m);
    goto done;
  }
  if (n == 0) n = hist->n;
  if ((rc = check_steps("bootstrap", spacing, n, err)) != LIQ_OK) {
    if (err && name) snprintf(err->file, sizeof err->file, "%s", name);
    goto done;
  }

  p = path_alloc(n);
  r = rng_seeded(seed);
  if (p == NULL || r == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, name, 0, "bootstrap: out of memory for %zu bars", n);
    goto done;
  }

  /* Each step starts a new block at a uniform index with probability
  ** 1/block, else continues the current block with the next return
  ** (circularly).  The first step always starts a block.  Draw order:
  ** the step's uniform (from step 1 on), then the new index if any. */
  p_new = 1.0 / block;
  prev = isnan(start) ? hist->open[0] : start;
  for (t = 0; t < n; t++) {
    double c;
    if (t == 0 || gsl_rng_uniform(r) < p_new)
      idx = (size_t)gsl_rng_uniform_int(r, (unsigned long)m);
    else
      idx = idx + 1 < m ? idx + 1 : 0;
    c = prev * exp(ret[idx]);
    if (!(isfinite(c) && c > 0.0)) {
      rc = liq_errf(err, LIQ_NUMERIC, name, 0,
                    "bootstrap: price left the floating-point range at step %zu", t);
      goto done;
    }
    put_bar(p, t, prev, c, spacing);
    prev = c;
  }

  for (i = 0; i < m; i++) mean += ret[i];
  mean /= (double)m;
  for (i = 0; i < m; i++) ss += (ret[i] - mean) * (ret[i] - mean);
  p->has_ohlc = 0;
  p->step_seconds = spacing;
  p->daily_volatility = sqrt(ss / (double)(m - 1)) * sqrt(86400.0 / spacing);
  *out = p;
  p = NULL;
  rc = LIQ_OK;
done:
  if (r) gsl_rng_free(r);
  liq_path_free(p);
  free(ret);
  return rc;
}

int liq_path_bootstrap_from(const liq_path *history, double block, double start,
                            size_t n, uint64_t seed, liq_path **out /* OUT */,
                            liq_err *err) {
  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "bootstrap: 'out' is NULL");
  *out = NULL;
  if (history == NULL)
    return liq_errf(err, LIQ_USAGE, NULL, 0, "bootstrap: no history path");
  return bootstrap_core(history, NULL, block, start, n, seed, out, err);
}

int liq_path_bootstrap(const char *history_csv, int has_from, int64_t from_ms,
                       int has_to, int64_t to_ms, double block, double start,
                       size_t n, uint64_t seed, liq_path **out /* OUT */,
                       liq_err *err) {
  liq_path *hist = NULL;
  int rc;
  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "bootstrap: 'out' is NULL");
  *out = NULL;
  if (!(isfinite(block) && block >= 1.0))
    return liq_errf(err, LIQ_INPUT, history_csv, 0,
                    "bootstrap: mean block length must be >= 1 bar, got %g", block);
  rc = liq_path_replay(history_csv, has_from, from_ms, has_to, to_ms, 0, &hist, err);
  if (rc != LIQ_OK) return rc;
  rc = bootstrap_core(hist, history_csv, block, start, n, seed, out, err);
  liq_path_free(hist);
  return rc;
}

/* ------------------------------------------------------------------------
** Window bounds from text
*/

/* ------------------------------------------------------------------------
** Scenario dispatch
*/

/* A generated path's failure is about the price settings: make it
** LIQ_INPUT naming them (the generators know no file or line, and a price
** that leaves the floating-point range was asked for by the settings).
** The file stays "": the caller locates it (liq_scenario_locate()). */
static int explain_generator_error(int model, int rc, liq_err *err) {
  static const char *const keys[] = {
    "price.start, price.drift, price.volatility, steps and step_seconds",
    NULL,
    "price.start, price.drift, price.volatility, price.intensity, "
    "price.jump_mean, price.jump_sd, steps and step_seconds",
    "price.start, price.mu, price.omega, price.alpha, price.beta, price.nu, "
    "price.variance0, steps and step_seconds",
    "price.start, price.block and steps (or the history file's returns)" };
  char msg[sizeof err->msg];
  if (rc == LIQ_OK || model < 0 || model > LIQ_PRICE_BOOTSTRAP ||
      model == LIQ_PRICE_REPLAY)
    return rc;
  if (rc != LIQ_NUMERIC && !(rc == LIQ_INPUT && err != NULL && err->file[0] == '\0'))
    return rc;
  if (err == NULL) return LIQ_INPUT;
  snprintf(msg, sizeof msg, "%s", err->msg);
  return liq_errf(err, LIQ_INPUT, NULL, 0, "%s (the price settings are out of "
                  "range: check %s)", msg, keys[model]);
}

int liq_path_build(const liq_price_params *pp, size_t steps, double step_seconds,
                   uint64_t seed, liq_path **out /* OUT */, liq_err *err) {
  int rc;
  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "path: 'out' is NULL");
  *out = NULL;
  if (pp == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "path: no price settings");
  switch (pp->model) {
    case LIQ_PRICE_GBM:
      rc = liq_path_gbm(pp->start, pp->drift, pp->volatility,
                        step_seconds, steps, seed, out, err);
      break;
    case LIQ_PRICE_REPLAY:
      rc = liq_path_replay(pp->file, pp->has_from, pp->from_ms,
                           pp->has_to, pp->to_ms, steps, out, err);
      if (rc == LIQ_OK && pp->mark_file[0] != '\0') {
        rc = liq_path_attach_mark(*out, pp->mark_file, pp->has_from, pp->from_ms,
                                  pp->has_to, pp->to_ms, steps, err);
        if (rc != LIQ_OK) {
          liq_path_free(*out);
          *out = NULL;
        }
      }
      if (rc == LIQ_OK) {
        (*out)->substeps = pp->substeps;
        (*out)->bridge_seed = seed;
      }
      return rc;
    case LIQ_PRICE_JUMP:
      rc = liq_path_jump(pp->start, pp->drift, pp->volatility, pp->jump_intensity,
                         pp->jump_mean, pp->jump_sd, step_seconds, steps,
                         seed, out, err);
      break;
    case LIQ_PRICE_GARCH:
      rc = liq_path_garch(pp->start, pp->garch_mu, pp->garch_omega, pp->garch_alpha,
                          pp->garch_beta, pp->garch_nu, pp->garch_variance0,
                          step_seconds, steps, seed, out, err);
      break;
    case LIQ_PRICE_BOOTSTRAP:
      rc = liq_path_bootstrap(pp->file, pp->has_from, pp->from_ms, pp->has_to,
                              pp->to_ms, pp->block, pp->start, steps, seed,
                              out, err);
      break;
    default:
      return liq_errf(err, LIQ_INPUT, NULL, 0, "unknown price model %d",
                      pp->model);
  }
  if (rc == LIQ_OK) {
    (*out)->substeps = pp->substeps;
    (*out)->bridge_seed = seed;
  }
  return explain_generator_error(pp->model, rc, err);
}
