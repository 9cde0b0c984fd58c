/*
** calibrate.c: initial-margin calibration (see liq_calibrate.h).
**
** The search works in "y-space": y = x when the metric falls as the key x
** rises, y = -x when it rises, so the metric is non-increasing in y and
** the answer is always the smallest y that meets the target.  Every
** evaluated value keeps one number per replicate (an indicator for the
** probability targets, a loss ratio otherwise), so metrics, standard
** errors, order statistics and bootstrap resamples are all computed from
** the same cache.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_calibrate.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_roots.h>

#include "liq_path.h"
#include "liq_scenario.h"
#include "liq_seed.h"
#include "liq_stats.h"
#include "liq_sweep.h"

#define GRID_POINTS      5      /* the bracketing grid, ends included */
#define MAX_EVALUATIONS  200    /* a search that needs more is a bug */
#define BOOTSTRAP_N      1000   /* resamples for continuous targets */
#define BOOTSTRAP_ROUNDS 3      /* evaluate near the CI bounds, recompute */
#define LIQ_STREAM_CALIBRATE 7  /* the bootstrap's random stream */
#define VERIFY_ROUNDS    8      /* re-searches after non-monotone replicates */

/* VERIFY_ROUNDS, or the testing knob LIQ_CALIBRATE_VERIFY_ROUNDS (the tests
** set 0 to see the note of an answer left unchecked): a whole number from 0
** to VERIFY_ROUNDS, anything else is ignored (never more re-searches). */
static size_t verify_rounds(void) {
  const char *knob = getenv("LIQ_CALIBRATE_VERIFY_ROUNDS");
  if (knob && knob[0] >= '0' && knob[0] <= '0' + VERIFY_ROUNDS && knob[1] == '\0')
    return (size_t)(knob[0] - '0');
  return VERIFY_ROUNDS;
}

static double now_seconds(void);

static const char *const azTargets[LIQ_CAL_N_TARGETS] = {
  "liquidation_probability", "bad_debt_probability",
  "uncovered_loss_probability", "bad_debt_q99_oi", "bad_debt_es99_oi",
  "liquidated_share_mean"};

static const char *const azStatus[] = {"ok", "all_meet", "none_meet",
                                       "non_monotone"};

const char *liq_calibrate_target_name(int target) {
  return target >= 0 && target < LIQ_CAL_N_TARGETS ? azTargets[target] : NULL;
}

int liq_calibrate_target_parse(const char *name) {
  int t;
  for (t = 0; name != NULL && t < LIQ_CAL_N_TARGETS; t++)
    if (strcmp(azTargets[t], name) == 0) return t;
  return -1;
}

int liq_calibrate_target_is_probability(int target) {
  return target == LIQ_CAL_LIQUIDATION_PROBABILITY ||
         target == LIQ_CAL_BAD_DEBT_PROBABILITY ||
         target == LIQ_CAL_UNCOVERED_LOSS_PROBABILITY;
}

const char *liq_calibrate_status_name(int status) {
  return status >= 0 && status <= LIQ_CAL_NON_MONOTONE ? azStatus[status] : "?";
}

void liq_calibrate_quantile_ranks(size_t n, double p, double confidence,
                                  size_t *l, size_t *u) {
  double a2 = 0.5 * (1.0 - confidence);
  size_t k;
  *l = 0;
  *u = n + 1;
  /* l: the largest rank with P(B < l) <= a/2; u: the smallest with
  ** P(B >= u) <= a/2; B ~ Bin(n, p) counts draws at or below xi_p. */
  for (k = 1; k <= n; k++) {
    if (gsl_cdf_binomial_P((unsigned)(k - 1), p, (unsigned)n) <= a2) *l = k;
    else break;
  }
  for (k = n; k >= 1; k--) {
    if (gsl_cdf_binomial_Q((unsigned)(k - 1), p, (unsigned)n) <= a2) *u = k;
    else break;
  }
}

void liq_calibrate_result_free(liq_calibrate_result *res) {
  if (res == NULL) return;
  free(res->points);
  res->points = NULL;
  res->n_points = 0;
}

/* ------------------------------------------------------------------------
** Per-replicate values and the metric over them
*/

/* Replicate k's contribution at one value of the key. */
static double outcome_value(int target, const liq_sweep_outcome *o) {
  double oi = o->open_interest > 0.0 ? o->open_interest : 1.0;
  switch (target) {
  case LIQ_CAL_LIQUIDATION_PROBABILITY: return o->sm.liquidated > 0 ? 1.0 : 0.0;
  case LIQ_CAL_BAD_DEBT_PROBABILITY: return o->sm.bad_debt > 0.0 ? 1.0 : 0.0;
  case LIQ_CAL_UNCOVERED_LOSS_PROBABILITY:
    return o->sm.uncovered_loss > 0.0 ? 1.0 : 0.0;
  case LIQ_CAL_LIQUIDATED_SHARE_MEAN: return o->sm.liquidated_notional / oi;
  default: return o->sm.bad_debt / oi;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Empirical expected shortfall at level a of sorted x[0..n): the mean of
** the top (1 - a) share, the boundary value weighted by its fraction. */
static double expected_shortfall(const double *sorted, size_t n, double a) {
  double tail = (1.0 - a) * (double)n, s = 0.0, take;
  size_t i = n;
  if (n == 0) return NAN;
  if (tail <= 0.0) return sorted[n - 1];
  take = tail;
  while (take > 1e-12 && i > 0) {
    double w = take >= 1.0 ? 1.0 : take;
    s += w * sorted[--i];
    take -= w;
  }
  return s / tail;
}

/* The target over v[idx[0..n)] (idx NULL: v[0..n)); 'scratch' holds n. */
static double metric_of(int target, const double *v, const size_t *idx,
                        size_t n, double *scratch) {
  size_t k;
  double s = 0.0;
  if (target != LIQ_CAL_BAD_DEBT_Q99_OI && target != LIQ_CAL_BAD_DEBT_ES99_OI) {
    for (k = 0; k < n; k++) s += v[idx ? idx[k] : k];
    return s / (double)n;
  }
  for (k = 0; k < n; k++) scratch[k] = v[idx ? idx[k] : k];
  qsort(scratch, n, sizeof *scratch, cmp_double);
  if (target == LIQ_CAL_BAD_DEBT_Q99_OI) return liq_stats_quantile(scratch, n, 0.99);
  return expected_shortfall(scratch, n, 0.99);
}

/* ------------------------------------------------------------------------
** The search state
*/

typedef struct Point {
  double x, y;             /* the key, and y = sign * x */
  double metric, se;
  double *v;               /* [n] per-replicate values (owned, with imp) */
  unsigned char *imp;      /* [n] 1: v[k] implied by k's bracket, not simulated */
  size_t runs;
} Point;

typedef struct Cal {
  const liq_scenario *base;
  const liq_override *ov;
  size_t n_ov;
  const liq_calibrate_params *cp;
  int threads;
  int prob;                /* a probability target */
  size_t n;                /* replicates */
  double sign;             /* y = sign * x; 0 before the direction is known */
  Point *pts;              /* in evaluation order */
  size_t n_pts;
  /* probability targets, y-space: I_k(y) = 1 for y <= a[k], 0 for y >= b[k] */
  double *a, *b;
  unsigned char *rerun;    /* replicate not monotone on the grid: always run */
  double *scratch;         /* [n] */
  size_t runs;
  liq_err *err;
  int rc;                  /* first failure inside a GSL callback */
  liq_calibrate_progress_fn progress;   /* may be NULL */
  void *progress_ud;
  double t0;               /* start, for progress */
} Cal;

static void cal_free(Cal *c) {
  size_t i;
  for (i = 0; i < c->n_pts; i++) free(c->pts[i].v);
  free(c->pts);
  free(c->a);
  free(c->b);
  free(c->rerun);
  free(c->scratch);
}

/* The scenario at key = x: the command's overrides plus one. */
static int load_at(Cal *c, double x, liq_scenario **out, liq_err *err) {
  liq_override *ov = malloc((c->n_ov + 1) * sizeof *ov);
  char assign[128];
  int rc;
  if (ov == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  if (c->n_ov) memcpy(ov, c->ov, c->n_ov * sizeof *ov);
  snprintf(assign, sizeof assign, "%s=%.17g", c->cp->key, x);
  ov[c->n_ov].assignment = assign;
  rc = liq_scenario_load(c->base->path, ov, c->n_ov + 1, out, err);
  free(ov);
  if (rc == LIQ_INPUT) {
    /* Point at the calibrate section, keep the reason. */
    char why[1024];
    liq_err_format(err, why, sizeof why);
    rc = liq_errf(err, LIQ_INPUT, c->base->path, c->cp->range_line,
                  "calibrate: %s = %.17g (inside calibrate.range) is not a valid "
                  "value: %s", c->cp->key, x, why);
  }
  return rc;
}

static void point_stats(Cal *c, Point *p) {
  size_t k;
  double m = metric_of(c->cp->target, p->v, NULL, c->n, c->scratch);
  p->metric = m;
  if (c->prob) {
    p->se = sqrt(m * (1.0 - m) / (double)c->n);
  } else if (c->cp->target == LIQ_CAL_LIQUIDATED_SHARE_MEAN) {
    double ss = 0.0;
    for (k = 0; k < c->n; k++) ss += (p->v[k] - m) * (p->v[k] - m);
    p->se = c->n > 1 ? sqrt(ss / (double)(c->n - 1) / (double)c->n) : (double)NAN;
  } else {
    p->se = (double)NAN;   /* bootstrap, at the answer only */
  }
}

/* 1 when replicate k's value at y is implied by its bracket. */
static int implied(const Cal *c, size_t k, double y, double *val) {
  if (!c->prob || c->sign == 0.0 || c->rerun[k]) return 0;
  if (y >= c->b[k]) { *val = 0.0; return 1; }
  if (y <= c->a[k]) { *val = 1.0; return 1; }
  return 0;
}

static void bracket_update(Cal *c, const Point *p) {
  size_t k;
  if (!c->prob || c->sign == 0.0) return;
  for (k = 0; k < c->n; k++) {
    if (p->v[k] > 0.5) { if (p->y > c->a[k]) c->a[k] = p->y; }
    else if (p->y < c->b[k]) c->b[k] = p->y;
  }
}

/* Evaluate the key at xs[0..nx), appending one point each. */
static int evaluate(Cal *c, const double *xs, size_t nx) {
  liq_scenario **sc = calloc(nx, sizeof *sc);
  liq_sweep_outcome *out = NULL;
  liq_sweep_job *jobs = NULL;
  size_t i, k, nj = 0, j;
  int rc = LIQ_OK;
  Point *grown;

  if (sc == NULL) return liq_errf(c->err, LIQ_NOMEM, NULL, 0, "out of memory");
  if (c->n_pts + nx > MAX_EVALUATIONS) {
    free(sc);
    return liq_errf(c->err, LIQ_NUMERIC, c->base->path, c->cp->line,
                    "calibrate: no convergence after %d evaluations",
                    MAX_EVALUATIONS);
  }
  grown = realloc(c->pts, (c->n_pts + nx) * sizeof *grown);
  if (grown == NULL) { free(sc); return liq_errf(c->err, LIQ_NOMEM, NULL, 0, "out of memory"); }
  c->pts = grown;
  for (i = 0; i < nx && rc == LIQ_OK; i++) rc = load_at(c, xs[i], &sc[i], c->err);
  if (rc != LIQ_OK) goto out;
  out = calloc(nx * c->n, sizeof *out);
  jobs = calloc(nx * c->n, sizeof *jobs);
  if (out == NULL || jobs == NULL) {
    rc = liq_errf(c->err, LIQ_NOMEM, NULL, 0, "out of memory");
    goto out;
  }
  for (i = 0; i < nx; i++) {
    Point *p = &c->pts[c->n_pts + i];
    memset(p, 0, sizeof *p);
    p->x = xs[i];
    p->y = c->sign * xs[i];
    p->v = malloc(c->n * (sizeof *p->v + 1));
    if (p->v == NULL) {
      for (j = 0; j < i; j++) free(c->pts[c->n_pts + j].v);
      rc = liq_errf(c->err, LIQ_NOMEM, NULL, 0, "out of memory");
      goto out;
    }
    p->imp = (unsigned char *)(p->v + c->n);
    for (k = 0; k < c->n; k++) {
      p->imp[k] = (unsigned char)implied(c, k, p->y, &p->v[k]);
      if (p->imp[k]) continue;
      p->v[k] = NAN;
      jobs[nj].sc = sc[i];
      jobs[nj].replicate = k;
      jobs[nj].out = &out[i * c->n + k];
      nj++;
      p->runs++;
    }
  }
  rc = liq_sweep_run_jobs(jobs, nj, c->threads, c->err);
  if (rc != LIQ_OK) {
    for (i = 0; i < nx; i++) free(c->pts[c->n_pts + i].v);
    goto out;
  }
  c->runs += nj;
  for (i = 0; i < nx; i++) {
    Point *p = &c->pts[c->n_pts + i];
    for (k = 0; k < c->n; k++)
      if (isnan(p->v[k])) p->v[k] = outcome_value(c->cp->target, &out[i * c->n + k]);
    point_stats(c, p);
    bracket_update(c, p);
  }
  c->n_pts += nx;
  if (c->progress != NULL)
    for (i = 0; i < nx; i++)
      c->progress(c->progress_ud, c->n_pts - nx + i + 1, c->pts[c->n_pts - nx + i].x,
                  c->pts[c->n_pts - nx + i].metric, c->runs, now_seconds() - c->t0);
out:
  for (i = 0; i < nx; i++) liq_scenario_free(sc[i]);
  free(sc);
  free(out);
  free(jobs);
  return rc;
}

static int meets(const Cal *c, double metric) {
  return metric <= c->cp->max;
}

/* Indices of the points sorted by y (ties: evaluation order). */
static size_t *sorted_by_y(const Cal *c) {
  size_t *o = malloc((c->n_pts ? c->n_pts : 1) * sizeof *o), i, j;
  if (o == NULL) return NULL;
  for (i = 0; i < c->n_pts; i++) {
    size_t t = i;
    for (j = i; j > 0 && c->pts[o[j - 1]].y > c->pts[t].y; j--) o[j] = o[j - 1];
    o[j] = t;
  }
  return o;
}

/* The first place the metric rises with y (by more than rounding),
** written into 'note'; 0 when the points are monotone. */
static int find_break(const Cal *c, char *note, size_t size) {
  size_t *o = sorted_by_y(c), i;
  int broke = 0;
  if (o == NULL) return 0;
  for (i = 1; i < c->n_pts && !broke; i++) {
    const Point *p = &c->pts[o[i - 1]], *q = &c->pts[o[i]];
    /* rounding (a ratio computed from a different notional) is not a rise */
    if (q->metric > p->metric + 1e-9 * fmax(fabs(p->metric), fabs(q->metric)) + 1e-15) {
      const Point *lo = p->x < q->x ? p : q, *hi = p->x < q->x ? q : p;
      snprintf(note, size,
               "%s is not monotone in %s: %.6g at %.6g, %.6g at %.6g, while "
               "the range ends give %.6g at %.6g and %.6g at %.6g",
               azTargets[c->cp->target], c->cp->key, lo->metric, lo->x,
               hi->metric, hi->x, c->pts[0].metric, c->pts[0].x,
               c->pts[GRID_POINTS - 1].metric, c->pts[GRID_POINTS - 1].x);
      broke = 1;
    }
  }
  free(o);
  return broke;
}

/* After the grid: brackets per replicate, and replicates that flip more
** than once on the grid (always rerun).  Returns how many. */
static size_t replicate_brackets(Cal *c, size_t *first) {
  size_t *o = sorted_by_y(c), i, k, bad = 0;
  if (o == NULL) return 0;
  for (k = 0; k < c->n; k++) {
    c->a[k] = -HUGE_VAL;
    c->b[k] = HUGE_VAL;
    for (i = 1; i < c->n_pts; i++) {
      if (c->pts[o[i]].v[k] > c->pts[o[i - 1]].v[k]) {
        if (bad++ == 0) *first = k;
        c->rerun[k] = 1;
        break;
      }
    }
  }
  free(o);
  for (i = 0; i < c->n_pts; i++) bracket_update(c, &c->pts[i]);
  return bad;
}

/* ------------------------------------------------------------------------
** Probability targets: order statistics by bisection on the failing count
*/

/* Simulate the replicates whose value at point 'ip' was implied (all of
** them, or with 'flagged_only' those marked rerun).  A simulated value
** that differs from the implied one shows a replicate that is not
** monotone: it is marked rerun and counted in *changed. */
static int run_implied(Cal *c, size_t ip, int flagged_only, size_t *changed) {
  Point *p = &c->pts[ip];
  liq_scenario *sc = NULL;
  liq_sweep_outcome *out = NULL;
  liq_sweep_job *jobs = NULL;
  size_t k, nj = 0;
  int rc;
  for (k = 0; k < c->n; k++) nj += p->imp[k] && (!flagged_only || c->rerun[k]);
  if (nj == 0) return LIQ_OK;
  out = calloc(c->n, sizeof *out);
  jobs = calloc(nj, sizeof *jobs);
  if (out == NULL || jobs == NULL) {
    rc = liq_errf(c->err, LIQ_NOMEM, NULL, 0, "out of memory");
    goto done;
  }
  rc = load_at(c, p->x, &sc, c->err);
  if (rc != LIQ_OK) goto done;
  nj = 0;
  for (k = 0; k < c->n; k++) {
    if (!p->imp[k] || (flagged_only && !c->rerun[k])) continue;
    jobs[nj].sc = sc;
    jobs[nj].replicate = k;
    jobs[nj].out = &out[k];
    nj++;
  }
  rc = liq_sweep_run_jobs(jobs, nj, c->threads, c->err);
  if (rc != LIQ_OK) goto done;
  c->runs += nj;
  p->runs += nj;
  for (k = 0; k < c->n; k++) {
    double val;
    if (!p->imp[k] || (flagged_only && !c->rerun[k])) continue;
    val = outcome_value(c->cp->target, &out[k]);
    p->imp[k] = 0;
    if (val != p->v[k]) {
      p->v[k] = val;
      if (!c->rerun[k]) (*changed)++;
      c->rerun[k] = 1;
    }
  }
  point_stats(c, p);
done:
  liq_scenario_free(sc);
  free(out);
  free(jobs);
  return rc;
}

/* Check the implied values at point 'ip' by simulating them.  Replicates
** found not monotone are simulated at every point where they were
** implied, so every count is exact again.  *changed: how many. */
static int verify_point(Cal *c, size_t ip, size_t *changed) {
  size_t j, more = 0;
  int rc = run_implied(c, ip, 0, changed);
  if (rc != LIQ_OK || *changed == 0) return rc;
  for (j = 0; j < c->n_pts && rc == LIQ_OK; j++) rc = run_implied(c, j, 1, &more);
  *changed += more;
  return rc;
}

/* Number of replicates failing at point p. */
static size_t failing(const Cal *c, const Point *p) {
  size_t k, f = 0;
  for (k = 0; k < c->n; k++) f += p->v[k] > 0.5;
  return f;
}

/* The smallest y (to tolerance) with at most 'm' failing replicates,
** evaluating as needed: the order statistic c_(n - m) of the replicates'
** critical values.  *censored: -1 when even the low end of the range has
** at most m failing (the statistic is below the range), +1 when even the
** high end has more (above it). */
static int locate(Cal *c, size_t m, double *y_out, size_t *at, int *censored) {
  for (;;) {
    double yf = -HUGE_VAL, ym = HUGE_VAL, mid;
    size_t i, im = 0;
    int rc;
    for (i = 0; i < c->n_pts; i++) {
      const Point *p = &c->pts[i];
      if (failing(c, p) > m) { if (p->y > yf) yf = p->y; }
      else if (p->y < ym) { ym = p->y; im = i; }
    }
    *censored = yf == -HUGE_VAL ? -1 : ym == HUGE_VAL ? 1 : 0;
    if (*censored == 1) {
      *y_out = yf;
      return LIQ_OK;
    }
    if (*censored == -1 || ym - yf <= c->cp->tolerance) {
      *y_out = ym;
      *at = im;
      return LIQ_OK;
    }
    mid = 0.5 * (yf + ym);
    rc = evaluate(c, (double[]){c->sign * mid}, 1);
    if (rc != LIQ_OK) return rc;
  }
}

/* ------------------------------------------------------------------------
** Continuous targets: Brent on the metric, bootstrap interval
*/

static double brent_f(double y, void *ud) {
  Cal *c = ud;
  size_t i;
  for (i = 0; i < c->n_pts; i++)
    if (c->pts[i].y == y) return c->pts[i].metric - c->cp->max;
  if (c->rc != LIQ_OK) return NAN;
  c->rc = evaluate(c, (double[]){c->sign * y}, 1);
  if (c->rc != LIQ_OK) return NAN;
  return c->pts[c->n_pts - 1].metric - c->cp->max;
}

/* Largest failing y and smallest meeting y among the points. */
static void cont_bracket(const Cal *c, double *yf, double *ym, size_t *im) {
  size_t i;
  *yf = -HUGE_VAL;
  *ym = HUGE_VAL;
  for (i = 0; i < c->n_pts; i++) {
    const Point *p = &c->pts[i];
    if (!meets(c, p->metric)) { if (p->y > *yf) *yf = p->y; }
    else if (p->y < *ym) { *ym = p->y; *im = i; }
  }
}

static int brent(Cal *c) {
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  gsl_function F;
  double yf, ym;
  size_t im = 0;
  int it, g;
  if (s == NULL) return liq_errf(c->err, LIQ_NOMEM, NULL, 0, "out of memory");
  cont_bracket(c, &yf, &ym, &im);
  F.function = brent_f;
  F.params = c;
  c->rc = LIQ_OK;
  g = gsl_root_fsolver_set(s, &F, yf, ym);
  for (it = 0; g == GSL_SUCCESS && it < MAX_EVALUATIONS; it++) {
    g = gsl_root_fsolver_iterate(s);
    if (g != GSL_SUCCESS || c->rc != LIQ_OK) break;
    if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
                               gsl_root_fsolver_x_upper(s), c->cp->tolerance,
                               0.0) == GSL_SUCCESS)
      break;
  }
  gsl_root_fsolver_free(s);
  if (c->rc != LIQ_OK) return c->rc;
  /* Brent keeps a sign change; finish by bisection on the cached points
  ** (a flat stretch can leave the evaluated pair wider than Brent's). */
  for (;;) {
    int rc;
    cont_bracket(c, &yf, &ym, &im);
    if (ym - yf <= c->cp->tolerance) return LIQ_OK;
    rc = evaluate(c, (double[]){c->sign * 0.5 * (yf + ym)}, 1);
    if (rc != LIQ_OK) return rc;
  }
}

/* The root of one resample over the points sorted by y (o): the smallest
** y from which every point meets, interpolated linearly from the failing
** point before it. */
static double resample_root(const Cal *c, const size_t *o, const double *m) {
  size_t i = c->n_pts;
  while (i > 0 && meets(c, m[i - 1])) i--;
  if (i == c->n_pts) return c->pts[o[c->n_pts - 1]].y;   /* none meets */
  if (i == 0) return c->pts[o[0]].y;                     /* all meet */
  {
    double y0 = c->pts[o[i - 1]].y, y1 = c->pts[o[i]].y;
    double f0 = m[i - 1] - c->cp->max, f1 = m[i] - c->cp->max;
    double t = f0 - f1 > 0.0 ? f0 / (f0 - f1) : 1.0;
    return y0 + t * (y1 - y0);
  }
}

/* Percentile bootstrap over replicates: interval [*lo, *hi] in y, and the
** metric's standard error at point 'at'. */
static int bootstrap(Cal *c, size_t at, double *lo, double *hi, double *se) {
  size_t *o = sorted_by_y(c), *idx = malloc(c->n * sizeof *idx), b, i, k;
  double *roots = malloc(BOOTSTRAP_N * sizeof *roots);
  double *m = malloc((c->n_pts ? c->n_pts : 1) * sizeof *m), s1 = 0.0, s2 = 0.0;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  int rc = LIQ_OK;
  if (o == NULL || idx == NULL || roots == NULL || m == NULL || r == NULL) {
    rc = liq_errf(c->err, LIQ_NOMEM, NULL, 0, "out of memory");
    goto out;
  }
  {
    uint64_t seed = liq_seed(c->base->seed, 0, LIQ_STREAM_CALIBRATE);
    gsl_rng_set(r, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffUL) | 1UL);
  }
  for (b = 0; b < BOOTSTRAP_N; b++) {
    for (k = 0; k < c->n; k++) idx[k] = (size_t)gsl_rng_uniform_int(r, (unsigned long)c->n);
    for (i = 0; i < c->n_pts; i++)
      m[i] = metric_of(c->cp->target, c->pts[o[i]].v, idx, c->n, c->scratch);
    roots[b] = resample_root(c, o, m);
    {
      double ma = metric_of(c->cp->target, c->pts[at].v, idx, c->n, c->scratch);
      s1 += ma;
      s2 += ma * ma;
    }
  }
  qsort(roots, BOOTSTRAP_N, sizeof *roots, cmp_double);
  {
    double a2 = 0.5 * (1.0 - c->cp->confidence);
    *lo = liq_stats_quantile(roots, BOOTSTRAP_N, a2 > 0 ? a2 : 1e-12);
    *hi = liq_stats_quantile(roots, BOOTSTRAP_N, 1.0 - a2);
  }
  s1 /= BOOTSTRAP_N;
  *se = sqrt(fmax(0.0, s2 / BOOTSTRAP_N - s1 * s1) * BOOTSTRAP_N / (BOOTSTRAP_N - 1));
out:
  gsl_rng_free(r);
  free(o);
  free(idx);
  free(roots);
  free(m);
  return rc;
}

/* 1 when y lies more than 'tolerance' from every evaluated point. */
static int far_from_points(const Cal *c, double y) {
  size_t i;
  for (i = 0; i < c->n_pts; i++)
    if (fabs(c->pts[i].y - y) <= c->cp->tolerance) return 0;
  return 1;
}

/* ------------------------------------------------------------------------
** The calibration
*/

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fill_points(const Cal *c, liq_calibrate_result *res) {
  size_t i;
  for (i = 0; i < c->n_pts; i++) {
    res->points[i].value = c->pts[i].x;
    res->points[i].metric = c->pts[i].metric;
    res->points[i].metric_se = c->pts[i].se;
    res->points[i].n = c->n;
    res->points[i].runs = c->pts[i].runs;
  }
  res->n_points = c->n_pts;
}

/* Grid, direction, the whole range or none of it, monotonicity. 1: the
** search goes on; 0: 'res' is final. */
static int classify(Cal *c, liq_calibrate_result *res) {
  const Point *lo = &c->pts[0], *hi = &c->pts[GRID_POINTS - 1];
  const char *tn = azTargets[c->cp->target];
  size_t i;
  res->metric_lo = lo->metric;
  res->metric_hi = hi->metric;
  res->direction = hi->metric < lo->metric ? -1 : hi->metric > lo->metric ? 1 : 0;
  c->sign = res->direction > 0 ? -1.0 : 1.0;
  for (i = 0; i < c->n_pts; i++) c->pts[i].y = c->sign * c->pts[i].x;
  if (find_break(c, res->note, sizeof res->note)) {
    res->status = LIQ_CAL_NON_MONOTONE;
    return 0;
  }
  if (meets(c, lo->metric) && meets(c, hi->metric)) {
    res->status = LIQ_CAL_ALL_MEET;
    snprintf(res->note, sizeof res->note,
             "the whole range meets %s <= %g: %.6g at %s = %.6g, %.6g at %.6g",
             tn, c->cp->max, lo->metric, c->cp->key, lo->x, hi->metric, hi->x);
    return 0;
  }
  if (!meets(c, lo->metric) && !meets(c, hi->metric)) {
    res->status = LIQ_CAL_NONE_MEET;
    snprintf(res->note, sizeof res->note,
             "no value in the range meets %s <= %g: %.6g at %s = %.6g, %.6g at %.6g",
             tn, c->cp->max, lo->metric, c->cp->key, lo->x, hi->metric, hi->x);
    return 0;
  }
  return 1;
}

static int solve_probability(Cal *c, liq_calibrate_result *res) {
  size_t m, l, u, at = 0, first = 0, bad, at_ci, iter;
  double y, ylo = 0, yhi = 0;
  int cen, cen_lo, cen_hi, rc, unverified = 0;
  size_t rounds = verify_rounds();

  bad = replicate_brackets(c, &first);
  /* meets: failing share <= max  <=>  failing count <= floor(max n) */
  m = (size_t)floor(c->cp->max * (double)c->n * (1.0 + 1e-12));
  /* Locate, then check the answer and its failing neighbour on every
  ** replicate: a replicate that flips more than once between grid values
  ** would make implied values wrong.  Such replicates are simulated
  ** everywhere from then on, and the search starts again. */
  for (iter = 0;; iter++) {
    size_t changed = 0, more = 0, i, af = SIZE_MAX;
    double yf = -HUGE_VAL;
    rc = locate(c, m, &y, &at, &cen);
    if (rc != LIQ_OK) return rc;
    if (cen != 0) break;
    if (iter == rounds) {              /* still flipping: say so below */
      unverified = 1;
      break;
    }
    for (i = 0; i < c->n_pts; i++)
      if (failing(c, &c->pts[i]) > m && c->pts[i].y > yf) { yf = c->pts[i].y; af = i; }
    rc = verify_point(c, at, &changed);
    if (rc == LIQ_OK && af != SIZE_MAX) rc = verify_point(c, af, &more);
    if (rc != LIQ_OK) return rc;
    bad += changed + more;
    if (changed + more == 0) break;
  }
  /* c_(n-m) estimates the (1 - max)-quantile of the critical values. */
  liq_calibrate_quantile_ranks(c->n, 1.0 - c->cp->max, c->cp->confidence, &l, &u);
  cen_lo = cen_hi = 0;
  if (l == 0) { cen_lo = 1; ylo = c->sign > 0 ? c->cp->lo : -c->cp->hi; }
  else {
    rc = locate(c, c->n - l, &ylo, &at_ci, &cen);
    if (rc != LIQ_OK) return rc;
    cen_lo = cen != 0;
  }
  if (u > c->n) { cen_hi = 1; yhi = c->sign > 0 ? c->cp->hi : -c->cp->lo; }
  else {
    rc = locate(c, c->n - u, &yhi, &at_ci, &cen);
    if (rc != LIQ_OK) return rc;
    cen_hi = cen != 0;
  }
  res->value = c->sign * y;
  res->metric_at_value = c->pts[at].metric;
  res->metric_se = c->pts[at].se;
  res->ci_low = c->sign > 0 ? c->sign * ylo : c->sign * yhi;
  res->ci_high = c->sign > 0 ? c->sign * yhi : c->sign * ylo;
  if (cen_lo || cen_hi)
    snprintf(res->note, sizeof res->note,
             "the %.3g interval reaches the end of calibrate.range (order "
             "statistic %zu or %zu of %zu lies outside it)", c->cp->confidence,
             l, u, c->n);
  for (first = 0; bad && first < c->n && !c->rerun[first]; first++) {}
  if (bad)
    snprintf(res->note + strlen(res->note), sizeof res->note - strlen(res->note),
             "%s%zu replicate(s) flip more than once as %s moves (the "
             "lowest: replicate %zu), simulated at every value; the "
             "order-statistic interval assumes monotone replicates",
             res->note[0] ? "; " : "", bad, c->cp->key, first);
  if (unverified)
    snprintf(res->note + strlen(res->note), sizeof res->note - strlen(res->note),
             "%sthe answer was not re-checked on every replicate: %zu re-searches "
             "each found new flipping replicates", res->note[0] ? "; " : "", rounds);
  return LIQ_OK;
}

static int solve_continuous(Cal *c, liq_calibrate_result *res) {
  double yf, ym, ylo = 0, yhi = 0, se = (double)NAN;
  size_t at = 0, round;
  int rc = brent(c);
  if (rc != LIQ_OK) return rc;
  for (round = 0; round < BOOTSTRAP_ROUNDS; round++) {
    double add[2];
    size_t na = 0;
    if (find_break(c, res->note, sizeof res->note)) break;
    cont_bracket(c, &yf, &ym, &at);
    rc = bootstrap(c, at, &ylo, &yhi, &se);
    if (rc != LIQ_OK) return rc;
    /* Resolve the bounds with points of their own, not interpolation
    ** across a wide grid cell. */
    if (far_from_points(c, ylo)) add[na++] = c->sign * ylo;
    if (far_from_points(c, yhi) && yhi != ylo) add[na++] = c->sign * yhi;
    if (na == 0 || round + 1 == BOOTSTRAP_ROUNDS) break;
    rc = evaluate(c, add, na);
    if (rc != LIQ_OK) return rc;
  }
  cont_bracket(c, &yf, &ym, &at);
  res->value = c->sign * ym;
  res->metric_at_value = c->pts[at].metric;
  res->metric_se = c->cp->target == LIQ_CAL_LIQUIDATED_SHARE_MEAN ? c->pts[at].se : se;
  res->ci_low = c->sign > 0 ? c->sign * ylo : c->sign * yhi;
  res->ci_high = c->sign > 0 ? c->sign * yhi : c->sign * ylo;
  return LIQ_OK;
}

int liq_calibrate_run(const liq_scenario *sc, const liq_override *ov,
                      size_t n_ov, const liq_calibrate_params *cp, int threads,
                      liq_calibrate_result *res, liq_err *err) {
  return liq_calibrate_run_with_progress(sc, ov, n_ov, cp, threads, NULL, NULL,
                                         res, err);
}

int liq_calibrate_run_with_progress(const liq_scenario *sc,
                                    const liq_override *ov, size_t n_ov,
                                    const liq_calibrate_params *cp, int threads,
                                    liq_calibrate_progress_fn progress, void *ud,
                                    liq_calibrate_result *res, liq_err *err) {
  Cal c;
  double xs[GRID_POINTS], t0 = now_seconds();
  size_t i;
  int rc, go;

  memset(res, 0, sizeof *res);
  if (cp == NULL) cp = &sc->calibrate;
  if (!cp->present && cp == &sc->calibrate)
    return liq_errf(err, LIQ_INPUT, sc->path, 0,
                    "the scenario has no calibrate section");
  if (!(cp->hi > cp->lo) || cp->replicates < 2 || !(cp->tolerance > 0.0) ||
      cp->target < 0 || cp->target >= LIQ_CAL_N_TARGETS)
    return liq_errf(err, LIQ_USAGE, sc->path, cp->line, "calibrate: bad parameters");
  memset(&c, 0, sizeof c);
  c.base = sc;
  c.ov = ov;
  c.n_ov = n_ov;
  c.cp = cp;
  c.threads = threads;
  c.progress = progress;
  c.progress_ud = ud;
  c.t0 = t0;
  c.prob = liq_calibrate_target_is_probability(cp->target);
  c.n = cp->replicates;
  c.err = err;
  c.a = malloc(c.n * sizeof *c.a);
  c.b = malloc(c.n * sizeof *c.b);
  c.rerun = calloc(c.n, 1);
  c.scratch = malloc(c.n * sizeof *c.scratch);
  if (c.a == NULL || c.b == NULL || c.rerun == NULL || c.scratch == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    goto out;
  }
  for (i = 0; i < GRID_POINTS; i++)
    xs[i] = i + 1 == GRID_POINTS ? cp->hi
          : cp->lo + (cp->hi - cp->lo) * (double)i / (GRID_POINTS - 1);
  rc = evaluate(&c, xs, GRID_POINTS);
  if (rc != LIQ_OK) goto out;
  go = classify(&c, res);
  if (go) {
    rc = c.prob ? solve_probability(&c, res) : solve_continuous(&c, res);
    if (rc != LIQ_OK) goto out;
    if (find_break(&c, res->note, sizeof res->note)) {
      res->status = LIQ_CAL_NON_MONOTONE;
    } else {
      res->status = LIQ_CAL_OK;
      res->has_value = 1;
    }
  }
  res->points = malloc(c.n_pts * sizeof *res->points);
  if (res->points == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    goto out;
  }
  fill_points(&c, res);
  res->replicates = c.n;
  res->runs = c.runs;
  res->seconds = now_seconds() - t0;
  snprintf(res->cap_response, sizeof res->cap_response, "%s",
           sc->book.cap_response == LIQ_CAP_COLLATERAL ? "collateral" : "notional");
out:
  cal_free(&c);
  return rc;
}

int liq_calibrate_check(const liq_scenario *sc, const liq_override *ov,
                        size_t n_ov, liq_err *err) {
  Cal c;
  liq_scenario *at = NULL;
  int rc;
  if (!sc->calibrate.present) return LIQ_OK;
  memset(&c, 0, sizeof c);
  c.base = sc;
  c.ov = ov;
  c.n_ov = n_ov;
  c.cp = &sc->calibrate;
  rc = load_at(&c, c.cp->lo, &at, err);
  liq_scenario_free(at);
  at = NULL;
  if (rc == LIQ_OK) rc = load_at(&c, c.cp->hi, &at, err);
  liq_scenario_free(at);
  return rc;
}
