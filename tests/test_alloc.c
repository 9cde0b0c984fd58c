/*
** test_alloc.c: dense arrays (liq_alloc.h) below, in and above the
** huge-page sizes: zeroed when asked, writable to the last byte, resized with their
** content, freed; sizes that overflow fail cleanly; an array that cannot
** be mapped on huge pages still comes from malloc.
*/
#define _DEFAULT_SOURCE   /* fork, setrlimit */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Address space for 3 MiB more: a 2 MiB + 4 KiB array fits as malloc'd
** memory, not as the 2 MiB-aligned mapping of two huge pages (4 MiB, and 2
** MiB of slack for the alignment) that liq_dense_alloc() tries first.  The
** array still comes, from malloc (in a child: the limit stays there). */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
/* The process's address space in bytes (VmSize), 0 when unknown. */
static size_t address_space(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  size_t kb = 0;
  if (f == NULL) return 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmSize: %zu kB", &kb) == 1) break;
  fclose(f);
  return kb * 1024;
}
#endif

static void test_mapping_fails_falls_back(void **state) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  (void)state;
  skip();   /* sanitizers map their own shadow memory */
#else
  size_t bytes = LIQ_DENSE_HUGE_MIN + 4096, have;
  pid_t pid;
  int status = -1;
  (void)state;
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    struct rlimit lim;
    unsigned char *p;
    have = address_space();
    if (have == 0) _exit(3);
    lim.rlim_cur = lim.rlim_max = have + ((size_t)3 << 20);
    if (setrlimit(RLIMIT_AS, &lim) != 0) _exit(4);
    p = liq_dense_calloc(bytes, 1);
    if (p == NULL) _exit(1);
    if (p[0] != 0 || p[bytes - 1] != 0) _exit(2);
    p[bytes - 1] = 1;
    liq_dense_free(p);
    _exit(0);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_calloc_zeroed_and_writable),
    cmocka_unit_test(test_realloc_keeps_content),
    cmocka_unit_test(test_overflow_fails),
    cmocka_unit_test(test_mapping_fails_falls_back),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
