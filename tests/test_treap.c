/*
** test_treap.c: the order-statistic treap against a sorted array, under
** random inserts and erases.
*/
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "liq_treap.h"
#include "test_util.h"

#define N 3000

static const double *g_key;

static int by_key_id(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  if (g_key[a] < g_key[b]) return -1;
  if (g_key[a] > g_key[b]) return 1;
  return (a > b) - (a < b);
}

/* The tree holds exactly the ids flagged in 'in', in (key, id) order. */
static void check_tree(const liq_treap_forest *f, uint32_t root, const char *in,
                       uint32_t *buf) {
  size_t i, m = 0;
  for (i = 0; i < N; i++) if (in[i]) buf[m++] = (uint32_t)i;
  g_key = f->key;
  qsort(buf, m, sizeof *buf, by_key_id);
  assert_int_equal(liq_treap_size(f, root), m);
  for (i = 0; i < m; i++) assert_int_equal(liq_treap_kth(f, root, i), buf[i]);
  if (m) assert_int_equal(liq_treap_first(f, root), buf[0]);
  for (i = 0; i < 20 && m; i++) {
    double x = f->key[buf[(i * 7919) % m]];
    size_t below = 0, at_most = 0, k;
    for (k = 0; k < m; k++) {
      below += f->key[buf[k]] < x;
      at_most += f->key[buf[k]] <= x;
    }
    assert_int_equal(liq_treap_count_below(f, root, x), below);
    assert_int_equal(liq_treap_count_at_most(f, root, x), at_most);
  }
}

static void test_random_operations(void **state) {
  liq_treap_forest f;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  char *in = calloc(N, 1);
  uint32_t *buf = malloc(N * sizeof *buf), root = LIQ_TREAP_NIL;
  size_t i, m = 0;
  int step;
  (void)state;
  assert_int_equal(liq_treap_forest_init(&f, N), 0);
  /* Half the ids through build, with ties in the keys. */
  for (i = 0; i < N; i++) f.key[i] = (double)gsl_rng_uniform_int(r, 500);
  for (i = 0; i < N; i += 2) { in[i] = 1; buf[m++] = (uint32_t)i; }
  g_key = f.key;
  qsort(buf, m, sizeof *buf, by_key_id);
  root = liq_treap_build(&f, buf, m);
  check_tree(&f, root, in, buf);
  for (step = 0; step < 4000; step++) {
    uint32_t id = (uint32_t)gsl_rng_uniform_int(r, N);
    if (in[id]) {
      root = liq_treap_erase(&f, root, id);
      in[id] = 0;
    } else {
      f.key[id] = (double)gsl_rng_uniform_int(r, 500);  /* re-key while out */
      root = liq_treap_insert(&f, root, id);
      in[id] = 1;
    }
    if (step % 400 == 0) check_tree(&f, root, in, buf);
  }
  check_tree(&f, root, in, buf);
  liq_treap_forest_free(&f);
  free(in);
  free(buf);
  gsl_rng_free(r);
}

static void test_two_trees_share_a_forest(void **state) {
  liq_treap_forest f;
  uint32_t a = LIQ_TREAP_NIL, b = LIQ_TREAP_NIL, i;
  (void)state;
  assert_int_equal(liq_treap_forest_init(&f, 10), 0);
  for (i = 0; i < 10; i++) {
    f.key[i] = 10.0 - i;
    if (i % 2) a = liq_treap_insert(&f, a, i); else b = liq_treap_insert(&f, b, i);
  }
  assert_int_equal(liq_treap_size(&f, a), 5);
  assert_int_equal(liq_treap_first(&f, a), 9);
  assert_int_equal(liq_treap_first(&f, b), 8);
  a = liq_treap_erase(&f, a, 9);
  assert_int_equal(liq_treap_first(&f, a), 7);
  assert_int_equal(liq_treap_size(&f, b), 5);
  liq_treap_forest_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_random_operations),
    cmocka_unit_test(test_two_trees_share_a_forest),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
