/*
** stats.c: order statistics and path statistics (see liq_stats.h).
*/
#include "liq_stats.h"

#include <assert.h>
#include <math.h>

size_t liq_stats_rank(double q, size_t n) {
  double r = ceil(q * (double)n) - 1.0;
  assert(n > 0);
  if (r < 0.0) return 0;
  if (r > (double)(n - 1)) return n - 1;
  return (size_t)r;
}

/*
** Classic partition search: take i values from 'a' and j = k + 1 - i from
** 'b' so that a[i-1] <= b[j] and b[j-1] <= a[i]; the answer is then
** max(a[i-1], b[j-1]).  Binary search on i.
*/
double liq_stats_kth_of_two(const liq_sorted_seq *a, const liq_sorted_seq *b,
                            size_t k) {
  size_t want = k + 1;
  size_t lo = want > b->n ? want - b->n : 0;
  size_t hi = want < a->n ? want : a->n;
  assert(k < a->n + b->n);
  while (lo < hi) {
    size_t i = lo + (hi - lo) / 2;        /* candidate count from a, i < hi */
    size_t j = want - i;                  /* j >= 1 since i < want */
    /* Too few from a when a[i] < b[j-1]. */
    if (a->at(a->ctx, i) < b->at(b->ctx, j - 1)) lo = i + 1;
    else hi = i;
  }
  {
    size_t i = lo, j = want - lo;
    double va = i > 0 ? a->at(a->ctx, i - 1) : -HUGE_VAL;
    double vb = j > 0 ? b->at(b->ctx, j - 1) : -HUGE_VAL;
    return va > vb ? va : vb;
  }
}

void liq_drawdown_add(liq_drawdown *d, double price) {
  double dd;
  if (price > d->peak) d->peak = price;
  dd = 1.0 - price / d->peak;
  if (dd > d->max_dd) d->max_dd = dd;
}
