/*
** test_ladder.c: the ladder (sorted array + cursor + treap) against a
** brute-force sorted set, under builds, pops from the front, erases in the
** middle (tombstones), inserts (the treap) and merges of the treap into the
** array; and the radix sort of ids against qsort, on one thread and on
** teams.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "liq_alloc.h"
#include "liq_ladder.h"
#include "liq_par.h"
#include "test_util.h"

#define N 20000

/* The set's content: in[id] and the key it was added with. */
static double g_keys[N];

/* (key, id) order under sort_keys (-0 and +0 alike). */
static const double *sort_keys;

static int by_sort_key_id(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  if (sort_keys[a] < sort_keys[b]) return -1;
  if (sort_keys[a] > sort_keys[b]) return 1;
  return (a > b) - (a < b);
}

static int by_key_id(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  if (g_keys[a] < g_keys[b]) return -1;
  if (g_keys[a] > g_keys[b]) return 1;
  return (a > b) - (a < b);
}

static double key_of_array(const void *ctx, uint32_t id) {
  return ((const double *)ctx)[id];
}

static int cmp_id(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  return (a > b) - (a < b);
}

static void check_ladder(liq_ladder *l, const char *in, uint32_t *buf,
                         gsl_rng *r) {
  size_t i, m = 0;
  uint32_t first;
  for (i = 0; i < N; i++) if (in[i]) buf[m++] = (uint32_t)i;
  qsort(buf, m, sizeof *buf, by_key_id);
  assert_int_equal(liq_ladder_size(l), m);
  assert_int_equal(liq_ladder_first(l, &first), m > 0);
  if (m) assert_int_equal(first, buf[0]);
  for (i = 0; i < 200 && m; i++) {
    size_t k = i < 3 ? (i == 0 ? 0 : i == 1 ? m - 1 : m / 2) : gsl_rng_uniform_int(r, m);
    assert_int_equal(liq_ladder_kth(l, k), buf[k]);
    assert_true(liq_ladder_key(l, buf[k]) == g_keys[buf[k]]);
  }
  for (i = 0; i < 30 && m; i++) {
    double x = g_keys[buf[gsl_rng_uniform_int(r, m)]] + (i % 3 == 0 ? 0.5 : 0.0);
    size_t below = 0, at_most = 0, k;
    for (k = 0; k < m; k++) {
      below += g_keys[buf[k]] < x;
      at_most += g_keys[buf[k]] <= x;
    }
    assert_int_equal(liq_ladder_count_below(l, x), below);
    assert_int_equal(liq_ladder_count_at_most(l, x), at_most);
  }
}

static double key_of_test(const void *ctx, uint32_t id) {
  (void)ctx;
  return g_keys[id];
}

/* Build from half the ids, then mix pops, erases and inserts long enough
** to force merges of the treap into the array; keys have ties.  A removed
** id gets a new key (so a computed kind must keep its tombstones' keys). */
static void random_operations(int computed) {
  liq_ladder_keys k;
  liq_ladder l, other;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  char *in = calloc(N, 1);
  uint32_t *buf = malloc(N * sizeof *buf), *ids = liq_dense_alloc(N, sizeof *ids);
  size_t i, m = 0;
  int step;
  if (computed) assert_int_equal(liq_ladder_keys_init_computed(&k, N, 1, key_of_test, NULL), 0);
  else assert_int_equal(liq_ladder_keys_init(&k, N, 1), 0);
  liq_ladder_init(&l, &k);
  liq_ladder_init(&other, &k);
  for (i = 0; i < N; i++) {
    g_keys[i] = (double)gsl_rng_uniform_int(r, 3000);
    if (!computed) k.key0[i] = g_keys[i];
  }
  for (i = 0; i < N; i += 2) { in[i] = 1; ids[m++] = (uint32_t)i; }
  assert_int_equal(liq_ladder_sort_ids(&k, ids, m), 0);
  liq_ladder_build(&l, ids, m);
  check_ladder(&l, in, buf, r);
  /* Ids 1, 3, 5... in another ladder of the same kind do not show. */
  for (i = 1; i < 200; i += 2) liq_ladder_insert(&other, (uint32_t)i, -1.0);
  assert_int_equal(liq_ladder_size(&other), 100);
  for (step = 0; step < 40000; step++) {
    unsigned op = (unsigned)gsl_rng_uniform_int(r, 4);
    uint32_t id = (uint32_t)(200 + gsl_rng_uniform_int(r, N - 200));
    if (op == 0) {                 /* pop the first, if at most its key */
      if (liq_ladder_first(&l, &id)) {
        double kf = liq_ladder_key(&l, id);
        uint32_t got = UINT32_MAX;
        assert_false(liq_ladder_pop_upto(&l, kf, 0, &got));
        assert_true(liq_ladder_pop_upto(&l, kf, 1, &got));
        assert_int_equal(got, id);
        in[id] = 0;
      }
    } else if (in[id]) {           /* erase anywhere */
      liq_ladder_erase(&l, id);
      in[id] = 0;
      g_keys[id] = -5.0;            /* its state moves on */
    } else {                       /* re-key while out and insert */
      g_keys[id] = (double)gsl_rng_uniform_int(r, 3000);
      liq_ladder_insert(&l, id, g_keys[id]);
      in[id] = 1;
    }
    if (step % 4000 == 0) check_ladder(&l, in, buf, r);
  }
  check_ladder(&l, in, buf, r);
  /* Drain from the front: ascending (key, id). */
  {
    uint32_t prev = 0, id;
    double prev_key = -1.0;
    while (liq_ladder_first(&l, &id)) {
      double key = liq_ladder_key(&l, id);
      assert_true(key > prev_key || (key == prev_key && id > prev));
      prev = id;
      prev_key = key;
      liq_ladder_erase(&l, id);
      in[id] = 0;
    }
    check_ladder(&l, in, buf, r);
  }
  assert_int_equal(liq_ladder_size(&other), 100);
  liq_ladder_free(&l);
  liq_ladder_free(&other);
  liq_ladder_keys_free(&k);
  free(in);
  free(buf);
  gsl_rng_free(r);
}

static void test_random_operations(void **state) {
  (void)state;
  random_operations(0);
}

static void test_random_operations_computed_keys(void **state) {
  (void)state;
  random_operations(1);
}

/* Tombstones only (no treap): kth and counts skip them. */
static void test_tombstones(void **state) {
  liq_ladder_keys k;
  liq_ladder l;
  uint32_t *ids = liq_dense_alloc(10, sizeof *ids), id;
  size_t i;
  (void)state;
  assert_int_equal(liq_ladder_keys_init(&k, 10, 0), 0);   /* no treap needed */
  liq_ladder_init(&l, &k);
  for (i = 0; i < 10; i++) {
    k.key0[i] = 10.0 - (double)i;  /* id 9 first */
    ids[i] = (uint32_t)i;
  }
  assert_int_equal(liq_ladder_sort_ids(&k, ids, 10), 0);
  assert_int_equal(ids[0], 9);
  liq_ladder_build(&l, ids, 10);
  liq_ladder_erase(&l, 7);                 /* a tombstone at index 2 */
  liq_ladder_erase(&l, 8);                 /* index 1 */
  assert_int_equal(liq_ladder_size(&l), 8);
  assert_int_equal(liq_ladder_kth(&l, 1), 6);
  assert_int_equal(liq_ladder_count_below(&l, 4.0), 1);   /* id 9 (8, 7: gone) */
  assert_int_equal(liq_ladder_count_at_most(&l, 4.0), 2); /* and id 6 */
  liq_ladder_erase(&l, 9);                 /* the cursor skips both tombstones */
  assert_true(liq_ladder_first(&l, &id));
  assert_int_equal(id, 6);
  assert_int_equal(liq_ladder_kth(&l, 0), 6);
  assert_int_equal(liq_ladder_count_below(&l, 4.0), 0);
  liq_ladder_erase(&l, 9);                 /* not a member: nothing */
  assert_int_equal(liq_ladder_size(&l), 7);
  liq_ladder_free(&l);
  liq_ladder_keys_free(&k);
}

/* The sort orders by (key, id), negatives, zeros and infinities too. */
static void test_sort_ids(void **state) {
  enum { M = 5000 };
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  static double key[M];
  uint32_t *a = malloc(M * sizeof *a), *b = malloc(M * sizeof *b);
  size_t i;
  (void)state;
  for (i = 0; i < M; i++) {
    unsigned c = (unsigned)gsl_rng_uniform_int(r, 6);
    key[i] = c == 0 ? -0.0 : c == 1 ? 0.0 : c == 2 ? HUGE_VAL : c == 3 ? -HUGE_VAL
           : (gsl_rng_uniform(r) - 0.5) * 1e6;
    g_keys[i] = key[i];
    a[i] = b[i] = (uint32_t)i;
  }
  {
    liq_ladder_keys k;
    assert_int_equal(liq_ladder_keys_init(&k, M, 0), 0);
    for (i = 0; i < M; i++) k.key0[i] = key[i];
    assert_int_equal(liq_ladder_sort_ids(&k, a, M), 0);
    liq_ladder_keys_free(&k);
  }
  qsort(b, M, sizeof *b, by_key_id);
  for (i = 0; i < M; i++) assert_int_equal(a[i], b[i]);
  free(a);
  free(b);
  gsl_rng_free(r);
}

/* A sort big enough to run on a team: the same order as qsort's on 1, 2
** and 3 threads, with many ties (which a split point may fall on), signed
** zeros and infinities; with every key equal; and with keys a few ulps
** apart beside keys 600 binades away (so that they share prefixes: the
** runs sorted by comparison). */
static void test_sort_ids_threads(void **state) {
  enum { M = 200000 };
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  liq_ladder_keys k;
  uint32_t *a = malloc(M * sizeof *a), *b = malloc(M * sizeof *b);
  size_t i;
  int t, kind;
  (void)state;
  assert_int_equal(liq_ladder_keys_init(&k, M, 0), 0);
  for (kind = 0; kind < 3; kind++) {
    for (i = 0; i < M; i++) {
      unsigned c = (unsigned)gsl_rng_uniform_int(r, 8);
      if (kind == 1)
        k.key0[i] = 7.0;
      else if (kind == 2)
        k.key0[i] = c == 0 ? 1e-300 : c == 1 ? -1e300 : c == 2 ? 1e300
                  : 30000.0 * (1.0 + 1e-12 * (double)gsl_rng_uniform_int(r, 1000));
      else
        k.key0[i] = c == 0 ? -0.0 : c == 1 ? 0.0 : c == 2 ? HUGE_VAL : c == 3 ? -HUGE_VAL
                  : c == 4 ? 30000.0 : 30000.0 * exp(0.3 * (gsl_rng_uniform(r) - 0.5));
      b[i] = (uint32_t)i;
    }
    sort_keys = k.key0;
    qsort(b, M, sizeof *b, by_sort_key_id);
    for (t = 1; t <= 3; t++) {
      liq_par_set_threads(t);
      for (i = 0; i < M; i++) a[i] = (uint32_t)i;
      assert_int_equal(liq_ladder_sort_ids(&k, a, M), 0);
      assert_true(memcmp(a, b, M * sizeof *a) == 0);
    }
  }
  liq_par_set_threads(0);
  liq_ladder_keys_free(&k);
  free(a);
  free(b);
  gsl_rng_free(r);
}

/* One random key of distribution 'kind': denormals of both signs and
** signed zeros beside normal numbers; keys a few ulps apart (one prefix
** for many keys); keys spread over every binade with infinities; keys on
** a coarse grid (long runs of equal keys). */
static double nasty_key(gsl_rng *r, int kind) {
  unsigned c = (unsigned)gsl_rng_uniform_int(r, 10);
  double u = gsl_rng_uniform(r) - 0.5;
  switch (kind) {
  case 0:
    return c == 0 ? -0.0 : c == 1 ? 0.0 : c == 2 ? 4.9e-324 : c == 3 ? -4.9e-324
         : c == 4 ? u * 1e-310 : c == 5 ? u * 2.2e-308 : u * 1e-300;
  case 1:
    return nextafter(1.0, 2.0 * (double)c) + (double)gsl_rng_uniform_int(r, 50) * 2.3e-16;
  case 2:
    return c == 0 ? HUGE_VAL : c == 1 ? -HUGE_VAL : c == 2 ? -0.0
         : (u < 0 ? -1.0 : 1.0) * ldexp(gsl_rng_uniform(r), (int)gsl_rng_uniform_int(r, 2040) - 1020);
  default:
    return (double)((int)gsl_rng_uniform_int(r, 7) - 3) * (c == 0 ? -0.0 : 1.0);
  }
}

/* Randomized against qsort on (key, id): nasty keys, an increasing subset
** of the ids (as a side's ladder gets them), stored and computed keys, 1
** to 5 threads, sizes on both sides of LIQ_PAR_MIN_ITEMS. */
static void test_sort_ids_differential(void **state) {
  enum { M = 150000 };
  static double key[M];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  uint32_t *a = malloc(M * sizeof *a), *b = malloc(M * sizeof *b);
  int round;
  (void)state;
  for (round = 0; round < 16; round++) {
    int kind = round % 4, computed = (round / 4) % 2, t;
    size_t n = round < 8 ? M : 1000 + gsl_rng_uniform_int(r, 70000), m = 0, i;
    liq_ladder_keys k;
    gsl_rng_set(r, (unsigned long)round + 1);
    for (i = 0; i < n; i++) {
      key[i] = nasty_key(r, kind);
      if (gsl_rng_uniform(r) < 0.7) b[m++] = (uint32_t)i;
    }
    if (computed) assert_int_equal(liq_ladder_keys_init_computed(&k, n, 0, key_of_array, key), 0);
    else {
      assert_int_equal(liq_ladder_keys_init(&k, n, 0), 0);
      memcpy(k.key0, key, n * sizeof *key);
    }
    sort_keys = key;
    qsort(b, m, sizeof *b, by_sort_key_id);
    for (t = 1; t <= 5; t++) {
      liq_par_set_threads(t);
      memcpy(a, b, m * sizeof *a);
      qsort(a, m, sizeof *a, cmp_id);   /* the subset in id order */
      assert_int_equal(liq_ladder_sort_ids(&k, a, m), 0);
      for (i = 0; i < m; i++)
        if (a[i] != b[i]) fail_msg("round %d, %d threads: at %zu id %u, expected %u (keys %a, %a)",
                                   round, t, i, a[i], b[i], key[a[i]], key[b[i]]);
    }
    liq_par_set_threads(0);
    liq_ladder_keys_free(&k);
  }
  free(a);
  free(b);
  gsl_rng_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_random_operations),
    cmocka_unit_test(test_random_operations_computed_keys),
    cmocka_unit_test(test_tombstones),
    cmocka_unit_test(test_sort_ids),
    cmocka_unit_test(test_sort_ids_threads),
    cmocka_unit_test(test_sort_ids_differential),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
