/*
** fit.c: maximum-likelihood fits of the price models (see liq_fit.h).
**
** The returns are standardised first, y = (r - mean) / sd with the ML sd,
** so every model is fitted on data of mean 0 and variance 1 and the
** simplex works at the same scale whatever the asset and bar length; the
** estimates are mapped back to raw returns afterwards, and
** ln L(r) = ln L(y) - n ln sd.
**
** The objective handed to GSL is -ln L(y) / n.  Parameter vectors the
** likelihood cannot use (an overflowing transform, a zero density) get a
** large finite value, PENALTY, rather than an infinity: nmsimplex2 fails
** with GSL_EBADFUNC when it meets a non-finite value where it contracts.
*/
#include "liq_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#define SECONDS_PER_YEAR (365.0 * 86400.0)
#define PENALTY     1.0e10   /* -ln L / n of an unusable parameter vector */
#define LOG_BOUND   50.0     /* |log parameter| beyond this is unusable */
#define JUMP_MIN_SD 0.05     /* diffusion sd >= this share of the returns' sd */
#define JUMP_MAX_L  2.0      /* at most this many jumps per bar on average */
#define NU_LOG_MAX  15.0     /* nu - 2 <= e^15: beyond, the t is normal anyway */
#define POIS_TAIL   1.0e-12  /* Poisson mass left out of the jump mixture */
#define SIMPLEX_TOL 1.0e-7   /* simplex size (transformed units) at convergence */
#define STALL_TOL   1.0e-12  /* a gain in -ln L / n below this is no progress ... */
#define STALL_ITER  1000     /* ... and this many iterations without progress end a start */
#define MAX_ITER    20000    /* simplex iterations per start */
#define MAX_STARTS  8        /* restarts at the optimum */
#define IMPROVE_TOL 1.0e-10  /* a restart that gains less (in -ln L / n) ends */

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Standardised returns handed to the objectives. */
typedef struct fit_data {
  const double *y;
  size_t        n;
} fit_data;

/* ------------------------------------------------------------------------
** Model names
*/

static const char *const MODEL_NAMES[] = { "gbm", "jump", "garch" };

int liq_fit_model_parse(const char *name) {
  int i;
  if (name == NULL) return -1;
  for (i = 0; i < 3; i++)
    if (strcmp(name, MODEL_NAMES[i]) == 0) return i;
  return -1;
}

const char *liq_fit_model_name(int model) {
  return model >= 0 && model < 3 ? MODEL_NAMES[model] : NULL;
}

/* ------------------------------------------------------------------------
** Merton jump diffusion on standardised returns
**
** Per-bar diffusion mean m and sd s, jumps per bar l, log jump size
** N(a, b^2).  The density of one return is
**   sum_j Pois(j; l) N(y; m + j a, s^2 + j b^2),
** over j = 0 .. J-1 with J the first count whose Poisson tail is below
** POIS_TAIL (at most LIQ_FIT_JUMP_TERMS; the weights are renormalised).
**
** x = (m, ln(s - JUMP_MIN_SD), logit(l / JUMP_MAX_L), a, ln b).  Two bounds
** keep the likelihood bounded and the truncation exact: with s -> 0 the
** j = 0 normal can shrink onto a single return (the likelihood of a
** normal mixture is unbounded there), and with many jumps per bar the
** Poisson sum would need more than LIQ_FIT_JUMP_TERMS terms (many small
** jumps per bar are a diffusion anyway).
*/

typedef struct jump_par {
  double m, s, l, a, b;
} jump_par;

/* 0 ok, -1 outside the usable range. */
static int jump_unpack(const gsl_vector *x, jump_par *q) {
  double ls = gsl_vector_get(x, 1), ll = gsl_vector_get(x, 2);
  double lb = gsl_vector_get(x, 4);
  q->m = gsl_vector_get(x, 0);
  q->a = gsl_vector_get(x, 3);
  if (!(isfinite(q->m) && isfinite(q->a) && fabs(ls) < LOG_BOUND &&
        fabs(ll) < LOG_BOUND && fabs(lb) < LOG_BOUND && fabs(q->m) < 1.0e6 &&
        fabs(q->a) < 1.0e6))
    return -1;
  q->s = JUMP_MIN_SD + exp(ls);
  q->l = JUMP_MAX_L / (1.0 + exp(-ll));
  q->b = exp(lb);
  return q->l > 0.0 ? 0 : -1;
}

static double jump_nll(const gsl_vector *x, void *params) {
  const fit_data *d = params;
  double c[LIQ_FIT_JUMP_TERMS], mu[LIQ_FIT_JUMP_TERMS], iv[LIQ_FIT_JUMP_TERMS];
  double lc[LIQ_FIT_JUMP_TERMS];
  jump_par q;
  double m, a, s2, l, b2, w, cum = 0.0, sum = 0.0;
  size_t i;
  int j, J = 0;

  if (jump_unpack(x, &q) != 0) return PENALTY;
  m = q.m;
  a = q.a;
  s2 = q.s * q.s;
  l = q.l;
  b2 = q.b * q.b;
  w = exp(-l);
  for (j = 0; j < LIQ_FIT_JUMP_TERMS; j++) {
    double v = s2 + (double)j * b2;
    if (j > 0) w *= l / (double)j;
    c[j] = w;
    mu[j] = m + (double)j * a;
    iv[j] = 0.5 / v;
    cum += w;
    J = j + 1;
    if (1.0 - cum < POIS_TAIL && j >= 1) break;
  }
  if (!(cum > 0.0)) return PENALTY;
  for (j = 0; j < J; j++) {
    double v = 0.5 / iv[j];
    c[j] = c[j] / cum / sqrt(2.0 * M_PI * v);
    lc[j] = log(c[j]);
  }
  for (i = 0; i < d->n; i++) {
    double y = d->y[i], f = 0.0;
    for (j = 0; j < J; j++) {
      double e = y - mu[j];
      f += c[j] * exp(-e * e * iv[j]);
    }
    if (f > 0.0 && isfinite(f)) {
      sum += log(f);
    } else {
      /* every term underflowed: the same sum in log space */
      double mx = -HUGE_VAL, t = 0.0;
      for (j = 0; j < J; j++) {
        double e = y - mu[j], lv = lc[j] - e * e * iv[j];
        if (lv > mx) mx = lv;
      }
      if (!isfinite(mx)) return PENALTY;
      for (j = 0; j < J; j++) {
        double e = y - mu[j];
        t += exp(lc[j] - e * e * iv[j] - mx);
      }
      sum += mx + log(t);
    }
  }
  sum = -sum / (double)d->n;
  return isfinite(sum) ? sum : PENALTY;
}

/* ------------------------------------------------------------------------
** GARCH(1,1), Student-t, on standardised returns
**
** x = (mu, ln omega, ln p, ln q, ln(nu - 2)) with alpha = p / (1 + p + q),
** beta = q / (1 + p + q), so alpha, beta > 0 and alpha + beta < 1.
** h_1 = 1 (the sample variance of y); e_t = y_t - mu;
** h_{t+1} = omega + alpha e_t^2 + beta h_t.
*/

typedef struct garch_par {
  double mu, omega, alpha, beta, nu;
} garch_par;

/* 0 ok, -1 outside the usable range. */
static int garch_unpack(const gsl_vector *x, garch_par *g) {
  double lo = gsl_vector_get(x, 1), lp = gsl_vector_get(x, 2);
  double lq = gsl_vector_get(x, 3), ln = gsl_vector_get(x, 4), p, q;
  g->mu = gsl_vector_get(x, 0);
  if (!(isfinite(g->mu) && fabs(g->mu) < 1.0e6 && fabs(lo) < LOG_BOUND &&
        fabs(lp) < LOG_BOUND && fabs(lq) < LOG_BOUND && fabs(ln) < LOG_BOUND))
    return -1;
  p = exp(lp);
  q = exp(lq);
  g->omega = exp(lo);
  g->alpha = p / (1.0 + p + q);
  g->beta = q / (1.0 + p + q);
  g->nu = 2.0 + exp(fmin(ln, NU_LOG_MAX));
  if (!(g->alpha + g->beta < 1.0)) return -1;   /* rounded up to 1 */
  return 0;
}

/* -ln L / n of the standardised returns; *h_next (may be NULL) gets the
** conditional variance after the last return. */
static double garch_eval(const fit_data *d, const garch_par *g, double *h_next) {
  double h = 1.0, sum = 0.0, nm2 = g->nu - 2.0, half = 0.5 * (g->nu + 1.0);
  double cst = lgamma(half) - lgamma(0.5 * g->nu) - 0.5 * log(M_PI * nm2);
  size_t i;
  for (i = 0; i < d->n; i++) {
    double e = d->y[i] - g->mu;
    sum += cst - 0.5 * log(h) - half * log1p(e * e / (nm2 * h));
    h = g->omega + g->alpha * e * e + g->beta * h;
    if (!(isfinite(h) && h > 0.0)) return PENALTY;
  }
  if (h_next) *h_next = h;
  sum = -sum / (double)d->n;
  return isfinite(sum) ? sum : PENALTY;
}

static double garch_nll(const gsl_vector *x, void *params) {
  garch_par g;
  if (garch_unpack(x, &g) != 0) return PENALTY;
  return garch_eval(params, &g, NULL);
}

/* ------------------------------------------------------------------------
** Nelder-Mead with restarts
*/

/* Minimise f from x0 (overwritten with the minimiser); *fval gets the
** value, *iters adds the iterations. */
static int minimize(double (*f)(const gsl_vector *, void *), fit_data *d,
                    size_t dim, double *x0, const double *step, double *fval,
                    int *iters, const char *what, liq_err *err) {
  gsl_multimin_fminimizer *s = NULL;
  gsl_vector *x = NULL, *ss = NULL;
  gsl_multimin_function fn;
  double best = HUGE_VAL;
  size_t k;
  int start, rc = LIQ_OK, converged = 0;

  fn.f = f;
  fn.n = dim;
  fn.params = d;
  s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, dim);
  x = gsl_vector_alloc(dim);
  ss = gsl_vector_alloc(dim);
  if (s == NULL || x == NULL || ss == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "fit %s: out of memory for the simplex", what);
    goto done;
  }
  for (k = 0; k < dim; k++) {
    gsl_vector_set(x, k, x0[k]);
    gsl_vector_set(ss, k, step[k]);
  }
  for (start = 0; start < MAX_STARTS && !converged; start++) {
    int status, it = 0, ended = 0, last_gain = 0;
    double val, run_best;
    status = gsl_multimin_fminimizer_set(s, &fn, x, ss);
    if (status != GSL_SUCCESS) {
      rc = liq_errf(err, LIQ_NUMERIC, NULL, 0, "fit %s: cannot start the simplex: %s",
                    what, gsl_strerror(status));
      goto done;
    }
    run_best = gsl_multimin_fminimizer_minimum(s);
    /* A start ends when the simplex has shrunk, or when it has made no
    ** progress for STALL_ITER iterations: a flat ridge (garch with alpha
    ** = 0 leaves beta free) never shrinks. */
    while (it < MAX_ITER) {
      it++;
      status = gsl_multimin_fminimizer_iterate(s);
      if (status != GSL_SUCCESS) break;
      val = gsl_multimin_fminimizer_minimum(s);
      if (val < run_best - STALL_TOL) {
        run_best = val;
        last_gain = it;
      }
      status = gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), SIMPLEX_TOL);
      if (status != GSL_CONTINUE) break;
      if (it - last_gain >= STALL_ITER) {
        status = GSL_SUCCESS;
        break;
      }
    }
    *iters += it;
    if (status != GSL_SUCCESS && status != GSL_CONTINUE) {
      rc = liq_errf(err, LIQ_NUMERIC, NULL, 0, "fit %s: simplex failed: %s", what,
                    gsl_strerror(status));
      goto done;
    }
    ended = status == GSL_SUCCESS;
    val = gsl_multimin_fminimizer_minimum(s);
    if (!(isfinite(val) && val < PENALTY)) {
      rc = liq_errf(err, LIQ_NUMERIC, NULL, 0,
                    "fit %s: the likelihood is not finite at the simplex's best point",
                    what);
      goto done;
    }
    /* Converged: this start ended by itself, and it began at the previous
    ** start's best point and found nothing better. */
    converged = ended && best - val < IMPROVE_TOL;
    if (val < best) best = val;
    status = gsl_vector_memcpy(x, gsl_multimin_fminimizer_x(s));
    if (status != GSL_SUCCESS) {
      rc = liq_errf(err, LIQ_NUMERIC, NULL, 0, "fit %s: %s", what, gsl_strerror(status));
      goto done;
    }
  }
  if (!converged) {
    rc = liq_errf(err, LIQ_NUMERIC, NULL, 0,
                  "fit %s: the simplex did not converge (%d iterations over %d starts)",
                  what, *iters, MAX_STARTS);
    goto done;
  }
  for (k = 0; k < dim; k++) x0[k] = gsl_vector_get(x, k);
  *fval = best;
done:
  if (s) gsl_multimin_fminimizer_free(s);
  if (x) gsl_vector_free(x);
  if (ss) gsl_vector_free(ss);
  return rc;
}

/* ------------------------------------------------------------------------
** The fits
*/

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int fit_jump(fit_data *d, double mean, double sd, double dt,
                    liq_fit_result *out, liq_err *err) {
  double x[5], step[5] = { 0.1, 0.3, 0.5, 0.3, 0.3 }, fbest = 0.0;
  double *tmp, s0, vex, k4 = 0.0, l0, b0, med, m, s, l, a, b, k;
  gsl_vector_view xv = gsl_vector_view_array(x, 5);
  jump_par q;
  size_t i, n = d->n;
  int rc;

  /* Start: robust sd (MAD) for the diffusion, the remaining variance and
  ** the excess kurtosis for the jumps (with zero mean jumps,
  ** kurtosis - 3 = 3 l b^4 and 1 - s^2 = l b^2). */
  tmp = malloc(n * sizeof *tmp);
  if (tmp == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "fit jump: out of memory");
  memcpy(tmp, d->y, n * sizeof *tmp);
  qsort(tmp, n, sizeof *tmp, cmp_double);
  med = tmp[n / 2];
  for (i = 0; i < n; i++) tmp[i] = fabs(d->y[i] - med);
  qsort(tmp, n, sizeof *tmp, cmp_double);
  s0 = 1.4826 * tmp[n / 2];
  free(tmp);
  for (i = 0; i < n; i++) k4 += pow(d->y[i], 4.0);
  k4 = k4 / (double)n - 3.0;
  s0 = fmin(fmax(s0, 0.2), 0.95);      /* well above JUMP_MIN_SD */
  vex = 1.0 - s0 * s0;
  l0 = k4 > 0.0 ? 3.0 * vex * vex / k4 : 0.01;
  l0 = fmin(fmax(l0, 1.0e-3), 0.5);    /* well below JUMP_MAX_L */
  b0 = sqrt(vex / l0);
  x[0] = med;
  x[1] = log(s0 - JUMP_MIN_SD);
  x[2] = log(l0 / (JUMP_MAX_L - l0));
  x[3] = 0.0;
  x[4] = log(b0);
  rc = minimize(jump_nll, d, 5, x, step, &fbest, &out->iterations, "jump", err);
  if (rc != LIQ_OK) return rc;
  if (jump_unpack(&xv.vector, &q) != 0)
    return liq_errf(err, LIQ_NUMERIC, NULL, 0, "fit jump: the estimate is unusable");

  /* back to raw returns, then to years */
  m = mean + sd * q.m;
  s = sd * q.s;
  l = q.l;
  a = sd * q.a;
  b = sd * q.b;
  k = expm1(a + 0.5 * b * b);
  out->volatility = s / sqrt(dt);
  out->jump_intensity = l / dt;
  out->jump_mean = a;
  out->jump_sd = b;
  out->drift = m / dt + 0.5 * out->volatility * out->volatility + out->jump_intensity * k;
  out->log_likelihood = -fbest * (double)n - (double)n * log(sd);
  out->n_params = 5;
  out->daily_volatility = sqrt((out->volatility * out->volatility +
                                out->jump_intensity * (a * a + b * b)) / 365.0);
  if (!(isfinite(out->drift) && isfinite(k)))
    return liq_errf(err, LIQ_NUMERIC, NULL, 0,
                    "fit jump: the estimate has no finite drift (jump mean %g, sd %g)",
                    a, b);
  return LIQ_OK;
}

static int fit_garch(fit_data *d, double mean, double sd, liq_fit_result *out,
                     liq_err *err) {
  /* start: alpha 0.1, beta 0.85, unconditional variance 1, nu 5 */
  double x[5] = { 0.0, log(0.05), log(2.0), log(17.0), log(3.0) };
  double step[5] = { 0.1, 0.5, 0.5, 0.5, 0.5 }, fbest = 0.0, h_next = 1.0;
  gsl_vector_view xv = gsl_vector_view_array(x, 5);
  garch_par g;
  int rc;

  rc = minimize(garch_nll, d, 5, x, step, &fbest, &out->iterations, "garch", err);
  if (rc != LIQ_OK) return rc;
  if (garch_unpack(&xv.vector, &g) != 0 || garch_eval(d, &g, &h_next) >= PENALTY)
    return liq_errf(err, LIQ_NUMERIC, NULL, 0, "fit garch: the estimate is unusable");
  out->garch_mu = mean + sd * g.mu;
  out->garch_omega = sd * sd * g.omega;
  out->garch_alpha = g.alpha;
  out->garch_beta = g.beta;
  out->garch_nu = g.nu;
  out->garch_variance_next = sd * sd * h_next;
  out->log_likelihood = -fbest * (double)d->n - (double)d->n * log(sd);
  out->n_params = 5;
  out->daily_volatility =
    sqrt(out->garch_omega / (1.0 - g.alpha - g.beta) * 86400.0 / out->step_seconds);
  return LIQ_OK;
}

int liq_fit_run(const liq_path *p, int model, liq_fit_result *out /* OUT */,
                liq_err *err) {
  double *r = NULL, *y = NULL;
  double spacing = 0.0, mean = 0.0, var = 0.0, sd, dt;
  size_t n = 0, i, need;
  fit_data d;
  int rc;

  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "fit: 'out' is NULL");
  memset(out, 0, sizeof *out);
  if (p == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "fit: no price path");
  if (liq_fit_model_name(model) == NULL)
    return liq_errf(err, LIQ_USAGE, NULL, 0, "fit: unknown model %d", model);
  out->model = model;
  need = model == LIQ_FIT_GBM ? 2 : LIQ_FIT_MIN_RETURNS;
  if (p->n < 2)
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "fit %s: the path has %zu bar%s; need at least %zu returns",
                    MODEL_NAMES[model], p->n, p->n == 1 ? "" : "s", need);

  r = malloc((p->n - 1) * sizeof *r);
  if (r == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "fit: out of memory");
  rc = liq_path_returns(p, r, &n, &spacing, err);
  if (rc != LIQ_OK) goto done;
  out->n_returns = n;
  out->n_skipped = p->n - 1 - n;
  out->step_seconds = spacing;
  out->start = p->close[p->n - 1];
  if (n < need) {
    rc = liq_errf(err, LIQ_INPUT, NULL, 0,
                  "fit %s: %zu usable return%s (of %zu bars); need at least %zu",
                  MODEL_NAMES[model], n, n == 1 ? "" : "s", p->n, need);
    goto done;
  }
  for (i = 0; i < n; i++) mean += r[i];
  mean /= (double)n;
  for (i = 0; i < n; i++) var += (r[i] - mean) * (r[i] - mean);
  var /= (double)n;                                   /* the ML variance */
  sd = sqrt(var);
  if (!(sd > 0.0 && isfinite(sd))) {
    rc = liq_errf(err, LIQ_INPUT, NULL, 0,
                  "fit %s: the %zu returns have no variance (constant prices)",
                  MODEL_NAMES[model], n);
    goto done;
  }
  dt = spacing / SECONDS_PER_YEAR;

  switch (model) {
    case LIQ_FIT_GBM:
      /* closed form: r ~ N((mu - s^2/2) dt, s^2 dt) */
      out->volatility = sd / sqrt(dt);
      out->drift = mean / dt + 0.5 * out->volatility * out->volatility;
      out->log_likelihood = -0.5 * (double)n * (log(2.0 * M_PI * var) + 1.0);
      out->n_params = 2;
      out->daily_volatility = out->volatility / sqrt(365.0);
      rc = LIQ_OK;
      break;
    default:
      y = malloc(n * sizeof *y);
      if (y == NULL) {
        rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "fit: out of memory");
        goto done;
      }
      for (i = 0; i < n; i++) y[i] = (r[i] - mean) / sd;
      d.y = y;
      d.n = n;
      rc = model == LIQ_FIT_JUMP ? fit_jump(&d, mean, sd, dt, out, err)
                                 : fit_garch(&d, mean, sd, out, err);
      break;
  }
  if (rc == LIQ_OK) {
    out->aic = 2.0 * out->n_params - 2.0 * out->log_likelihood;
    if (!isfinite(out->log_likelihood))
      rc = liq_errf(err, LIQ_NUMERIC, NULL, 0, "fit %s: the log-likelihood is not finite",
                    MODEL_NAMES[model]);
  }
done:
  free(r);
  free(y);
  if (rc != LIQ_OK) {
    int model_kept = out->model;
    memset(out, 0, sizeof *out);
    out->model = model_kept;
  }
  return rc;
}

/* ------------------------------------------------------------------------
** Output
*/

int liq_fit_garch_integrated(const liq_fit_result *r) {
  return r->model == LIQ_FIT_GARCH &&
         !(1.0 - r->garch_alpha - r->garch_beta >= LIQ_FIT_INTEGRATED);
}

void liq_fit_print_section(const liq_fit_result *r, FILE *out) {
  const char *name = liq_fit_model_name(r->model);
  if (name == NULL) return;
  fprintf(out, "# liqsim fit --model %s: %zu log returns of %g s bars", name,
          r->n_returns, r->step_seconds);
  if (r->n_skipped) fprintf(out, " (%zu across gaps left out)", r->n_skipped);
  if (liq_fit_garch_integrated(r))
    fprintf(out, "\n# ln L = %.6f, AIC = %.6f (k = %d), no daily volatility: alpha + "
                 "beta = %.6f is 1 within 1e-3 (integrated GARCH), the "
                 "unconditional variance does not exist\n",
            r->log_likelihood, r->aic, r->n_params, r->garch_alpha + r->garch_beta);
  else
    fprintf(out, "\n# ln L = %.6f, AIC = %.6f (k = %d), daily volatility %.6g\n",
            r->log_likelihood, r->aic, r->n_params, r->daily_volatility);
  fprintf(out, "price = {\n  model      = \"%s\";\n", name);
  fprintf(out, "  start      = %.10g;    # the last close\n", r->start);
  switch (r->model) {
    case LIQ_FIT_GBM:
      fprintf(out, "  drift      = %.10g;    # per year\n", r->drift);
      fprintf(out, "  volatility = %.10g;    # per sqrt(year)\n", r->volatility);
      break;
    case LIQ_FIT_JUMP:
      fprintf(out, "  drift      = %.10g;    # per year (expected price growth)\n",
              r->drift);
      fprintf(out, "  volatility = %.10g;    # diffusion, per sqrt(year)\n", r->volatility);
      fprintf(out, "  intensity  = %.10g;    # jumps per year\n", r->jump_intensity);
      fprintf(out, "  jump_mean  = %.10g;    # mean log jump\n", r->jump_mean);
      fprintf(out, "  jump_sd    = %.10g;    # sd of the log jump\n", r->jump_sd);
      break;
    case LIQ_FIT_GARCH:
      fprintf(out, "  mu         = %.10g;    # per bar\n", r->garch_mu);
      fprintf(out, "  omega      = %.10g;    # per bar\n", r->garch_omega);
      /* all digits: rounding must not push alpha + beta to 1 */
      fprintf(out, "  alpha      = %.17g;\n", r->garch_alpha);
      fprintf(out, "  beta       = %.17g;    # 1 - alpha - beta = %.6g\n", r->garch_beta,
              1.0 - r->garch_alpha - r->garch_beta);
      fprintf(out, "  nu         = %.10g;    # Student-t degrees of freedom\n",
              r->garch_nu);
      if (liq_fit_garch_integrated(r))
        fprintf(out, "  variance0  = %.10g;    # conditional variance after the last "
                     "bar (daily volatility %.6g)\n",
                r->garch_variance_next,
                sqrt(r->garch_variance_next * 86400.0 / r->step_seconds));
      else
        fprintf(out, "  variance0  = %.10g;    # conditional variance after the last "
                     "bar (daily volatility %.6g);\n"
                     "                           # leave out for the unconditional %.6g\n",
                r->garch_variance_next,
                sqrt(r->garch_variance_next * 86400.0 / r->step_seconds),
                r->garch_omega / (1.0 - r->garch_alpha - r->garch_beta));
      if (liq_fit_garch_integrated(r))
        fprintf(out, "  # alpha + beta is close to 1 (integrated GARCH): the unconditional\n"
                     "  # variance is no useful scale; variance0 sets the level, and\n"
                     "  # impact.daily_volatility should be given explicitly\n");
      break;
    default:
      break;
  }
  if ((r->model == LIQ_FIT_GBM || r->model == LIQ_FIT_JUMP) && r->volatility > 100.0)
    fprintf(out, "  # volatility above 100 per sqrt(year): scenarios take at most 100,\n"
                 "  # so `liqsim check` rejects this section (too few or too fast bars?)\n");
  fprintf(out, "};\nstep_seconds = %.10g;   # bar spacing of the fitted data\n",
          r->step_seconds);
}
