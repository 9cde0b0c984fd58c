/*
** backtest_stats.c: the coverage tests of a margin backtest (see
** liq_backtest.h): Kupiec's proportion of failures, Christoffersen's
** independence and conditional coverage, the Basel traffic light and the
** procyclicality figures.  Pure functions; chi-square and binomial
** distributions from GSL.
*/
#include "liq_backtest.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

/* x ln y with 0 ln 0 = 0 (a count of zero contributes nothing). */
static double xlogy(double x, double y) {
  return x == 0.0 ? 0.0 : x * log(y);
}

/* ln of the Bernoulli likelihood of 'ones' ones and 'zeros' zeros at rate q. */
static double bernoulli_ll(double zeros, double ones, double q) {
  return xlogy(zeros, 1.0 - q) + xlogy(ones, q);
}

/* An LR statistic is >= 0; rounding can leave -1e-13. */
static double clamp_lr(double lr) {
  return lr > 0.0 ? lr : 0.0;
}

void liq_kupiec_pof(size_t n, size_t x, double p, double *lr, double *pvalue) {
  double dn = (double)n, dx = (double)x, v;
  if (n == 0) {
    *lr = 0.0;
    *pvalue = 1.0;
    return;
  }
  v = clamp_lr(-2.0 * bernoulli_ll(dn - dx, dx, p) +
               2.0 * bernoulli_ll(dn - dx, dx, dx / dn));
  *lr = v;
  *pvalue = gsl_cdf_chisq_Q(v, 1.0);
}

void liq_christoffersen_test(const unsigned char *hit, const unsigned char *after_gap,
                             size_t n, double p, liq_christoffersen *out) {
  size_t i, x = 0;
  double n00, n01, n10, n11, pi, pi01, pi11, lr_pof, p_pof;

  out->n00 = out->n01 = out->n10 = out->n11 = 0;
  for (i = 0; i < n; i++) x += hit[i] != 0;
  for (i = 1; i < n; i++) {
    int a = hit[i - 1] != 0, b = hit[i] != 0;
    if (after_gap != NULL && after_gap[i]) continue;
    if (!a && !b) out->n00++;
    else if (!a && b) out->n01++;
    else if (a && !b) out->n10++;
    else out->n11++;
  }
  n00 = (double)out->n00;
  n01 = (double)out->n01;
  n10 = (double)out->n10;
  n11 = (double)out->n11;
  if (n00 + n01 + n10 + n11 == 0.0) {     /* fewer than two in a row */
    out->lr_ind = 0.0;
  } else {
    pi = (n01 + n11) / (n00 + n01 + n10 + n11);
    pi01 = n00 + n01 > 0.0 ? n01 / (n00 + n01) : 0.0;
    pi11 = n10 + n11 > 0.0 ? n11 / (n10 + n11) : 0.0;
    out->lr_ind = clamp_lr(-2.0 * bernoulli_ll(n00 + n10, n01 + n11, pi) +
                           2.0 * (bernoulli_ll(n00, n01, pi01) +
                                  bernoulli_ll(n10, n11, pi11)));
  }
  out->p_ind = gsl_cdf_chisq_Q(out->lr_ind, 1.0);
  liq_kupiec_pof(n, x, p, &lr_pof, &p_pof);
  out->lr_cc = lr_pof + out->lr_ind;
  out->p_cc = gsl_cdf_chisq_Q(out->lr_cc, 2.0);
}

double liq_binomial_cdf(size_t k, size_t n, double p) {
  if (k >= n) return 1.0;
  return gsl_cdf_binomial_P((unsigned int)k, p, (unsigned int)n);
}

int liq_traffic_light_zone(size_t k, size_t n, double coverage) {
  double c = liq_binomial_cdf(k, n, 1.0 - coverage);
  if (c < 0.95) return LIQ_ZONE_GREEN;
  if (c < 0.9999) return LIQ_ZONE_YELLOW;
  return LIQ_ZONE_RED;
}

void liq_traffic_light_bounds(size_t n, double coverage, size_t *green_max,
                              size_t *yellow_max) {
  size_t k = 0;
  /* The zone only grows with k: walk up to the first yellow and red. */
  while (k < n && liq_traffic_light_zone(k + 1, n, coverage) == LIQ_ZONE_GREEN) k++;
  *green_max = k;
  while (k < n && liq_traffic_light_zone(k + 1, n, coverage) != LIQ_ZONE_RED) k++;
  *yellow_max = k;
}

const char *liq_zone_name(int zone) {
  switch (zone) {
    case LIQ_ZONE_GREEN:  return "green";
    case LIQ_ZONE_YELLOW: return "yellow";
    case LIQ_ZONE_RED:    return "red";
    default:              return NULL;
  }
}

void liq_procyclicality(const double *m, size_t n, size_t window,
                        double *peak_to_trough, double *max_increase) {
  size_t *dq = NULL, head = 0, tail = 0, t;
  double lo = HUGE_VAL, hi = -HUGE_VAL, inc = NAN;

  *peak_to_trough = NAN;
  *max_increase = NAN;
  if (n == 0) return;
  /* A monotone deque of indices keeps the minimum of the last window+1 points. */
  dq = malloc(n * sizeof *dq);
  if (dq == NULL) return;
  for (t = 0; t < n; t++) {
    if (isnan(m[t])) continue;
    if (m[t] < lo) lo = m[t];
    if (m[t] > hi) hi = m[t];
    while (tail > head && m[dq[tail - 1]] >= m[t]) tail--;
    dq[tail++] = t;
    while (dq[head] + window < t) head++;
    if (m[dq[head]] > 0.0) {
      double r = m[t] / m[dq[head]] - 1.0;
      if (isnan(inc) || r > inc) inc = r;
    }
  }
  free(dq);
  if (lo > 0.0 && hi >= lo) *peak_to_trough = hi / lo;
  *max_increase = inc;
}
