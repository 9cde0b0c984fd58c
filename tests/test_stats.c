/*
** test_stats.c: nearest-rank quantiles, the k-th of two sorted sequences
** against brute force, drawdowns.
*/
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "liq_stats.h"
#include "test_util.h"

static double at(const void *ctx, size_t i) { return ((const double *)ctx)[i]; }

static int cmp_double(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

static void test_rank(void **state) {
  (void)state;
  assert_int_equal(liq_stats_rank(0.5, 4), 1);
  assert_int_equal(liq_stats_rank(0.25, 4), 0);
  assert_int_equal(liq_stats_rank(0.26, 4), 1);
  assert_int_equal(liq_stats_rank(0.01, 1), 0);
  assert_int_equal(liq_stats_rank(0.999, 10), 9);
  assert_int_equal(liq_stats_rank(0.01, 1000), 9);
}

static void test_kth_of_two_matches_merge(void **state) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  double a[64], b[64], all[128];
  int trial;
  (void)state;
  for (trial = 0; trial < 2000; trial++) {
    size_t na = gsl_rng_uniform_int(r, 20), nb = gsl_rng_uniform_int(r, 20), i, k;
    liq_sorted_seq sa, sb;
    if (na + nb == 0) continue;
    for (i = 0; i < na; i++) all[i] = a[i] = floor(10.0 * gsl_rng_uniform(r));
    for (i = 0; i < nb; i++) all[na + i] = b[i] = floor(10.0 * gsl_rng_uniform(r));
    qsort(a, na, sizeof *a, cmp_double);
    qsort(b, nb, sizeof *b, cmp_double);
    qsort(all, na + nb, sizeof *all, cmp_double);
    sa.n = na; sa.at = at; sa.ctx = a;
    sb.n = nb; sb.at = at; sb.ctx = b;
    for (k = 0; k < na + nb; k++) assert_true(liq_stats_kth_of_two(&sa, &sb, k) == all[k]);
  }
  gsl_rng_free(r);
}

static void test_drawdown(void **state) {
  liq_drawdown d = { 0.0, 0.0 };
  (void)state;
  liq_drawdown_add(&d, 100.0);
  liq_drawdown_add(&d, 80.0);
  liq_drawdown_add(&d, 120.0);
  liq_drawdown_add(&d, 90.0);
  assert_rel(d.max_dd, 0.25, 1e-15);
  assert_rel(d.peak, 120.0, 1e-15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rank),
    cmocka_unit_test(test_kth_of_two_matches_merge),
    cmocka_unit_test(test_drawdown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
