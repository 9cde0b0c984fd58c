/*
** test_alloc.c: dense arrays (liq_alloc.h) below, in and above the
** huge-page sizes: zeroed when asked, writable to the last byte, resized with their
** content, freed; sizes that overflow fail cleanly.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "liq_alloc.h"
#include "test_util.h"

static const size_t sizes[] = {0, 1, 4096, LIQ_DENSE_HUGE_MIN - 1, LIQ_DENSE_HUGE_MIN,
                               3 * LIQ_DENSE_HUGE_MIN + 12345, LIQ_DENSE_HUGE_MAX,
                               LIQ_DENSE_HUGE_MAX + 1};

static void test_calloc_zeroed_and_writable(void **state) {
  size_t k, i;
  (void)state;
  for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    unsigned char *p = liq_dense_calloc(sizes[k], 1), *q = liq_dense_alloc(sizes[k], 1);
    assert_non_null(p);
    assert_non_null(q);
    assert_true(((uintptr_t)p & 15) == 0 && ((uintptr_t)q & 15) == 0);
    for (i = 0; i < sizes[k]; i += 1000) assert_int_equal(p[i], 0);
    if (sizes[k] > 0) {
      assert_int_equal(p[sizes[k] - 1], 0);
      memset(p, 0xab, sizes[k]);
      memset(q, 0xcd, sizes[k]);
      assert_int_equal(p[sizes[k] - 1], 0xab);
      assert_int_equal(q[0], 0xcd);
    }
    liq_dense_free(p);
    liq_dense_free(q);
  }
  liq_dense_free(NULL);
}

/* Growing into the huge-page sizes, past them, and shrinking back keep
** the prefix. */
static void test_realloc_keeps_content(void **state) {
  size_t steps[] = {1000, LIQ_DENSE_HUGE_MIN / 8 + 1, 2 * LIQ_DENSE_HUGE_MIN / 8,
                    LIQ_DENSE_HUGE_MAX / 8 + 1, LIQ_DENSE_HUGE_MIN / 8, 500};
  double *p = NULL;
  size_t k, i, have = 0;
  (void)state;
  for (k = 0; k < sizeof steps / sizeof *steps; k++) {
    double *q = liq_dense_realloc(p, steps[k], sizeof *q);
    size_t keep = have < steps[k] ? have : steps[k];
    assert_non_null(q);
    for (i = 0; i < keep; i++) assert_true(q[i] == (double)i);
    for (i = keep; i < steps[k]; i++) q[i] = (double)i;
    p = q;
    have = steps[k];
  }
  liq_dense_free(p);
}

static void test_overflow_fails(void **state) {
  void *p;
  (void)state;
  assert_null(liq_dense_alloc(SIZE_MAX / 2, 4));
  assert_null(liq_dense_calloc(SIZE_MAX, 1));
  assert_null(liq_dense_alloc(SIZE_MAX - 8, 1));
  p = liq_dense_alloc(10, 8);
  assert_non_null(p);
  assert_null(liq_dense_realloc(p, SIZE_MAX / 4, 8));   /* p unchanged, still ours */
  liq_dense_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_calloc_zeroed_and_writable),
    cmocka_unit_test(test_realloc_keeps_content),
    cmocka_unit_test(test_overflow_fails),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
