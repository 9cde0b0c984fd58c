/*
** test_inputs.c: a replicate's seeds and its path and book (liq_inputs.h).
*/
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"

#include "liq_inputs.h"

#define SWEEP_CFG LIQ_TEST_DATA "/sweep_small.cfg"

/* Seeds depend on (seed, replicate) only: common random numbers. */
static void test_seeds(void **state) {
  size_t r, k;
  (void)state;
  for (r = 0; r < 50; r++) {
    assert_true(liq_inputs_path_seed(42, r) == liq_seed(42, r, LIQ_STREAM_PATH));
    assert_true(liq_inputs_book_seed(42, r) == liq_seed(42, r, LIQ_STREAM_BOOK));
    assert_true(liq_inputs_path_seed(42, r) != liq_inputs_book_seed(42, r));
    assert_true(liq_inputs_path_seed(42, r) != liq_inputs_path_seed(43, r));
    for (k = 0; k < r; k++) {
      assert_true(liq_inputs_path_seed(42, r) != liq_inputs_path_seed(42, k));
      assert_true(liq_inputs_book_seed(42, r) != liq_inputs_book_seed(42, k));
    }
  }
}

/* liq_inputs_build() is liq_path_build() and liq_book_build() with the
** replicate's seeds; different replicates draw different paths. */
static void test_build_uses_replicate_seeds(void **state) {
  liq_scenario *sc = NULL;
  liq_path *p0 = NULL, *p1 = NULL, *ref = NULL;
  liq_book *b0 = NULL, *b1 = NULL, *bref = NULL;
  liq_err err;
  size_t i;
  int differ = 0;
  (void)state;
  assert_liq_ok(liq_scenario_load(SWEEP_CFG, NULL, 0, &sc, &err), &err);
  assert_liq_ok(liq_inputs_build(sc, 0, &p0, &b0, &err), &err);
  assert_liq_ok(liq_inputs_build(sc, 1, &p1, &b1, &err), &err);
  assert_liq_ok(liq_path_build(&sc->price, sc->steps, sc->step_seconds,
                               liq_inputs_path_seed(sc->seed, 1), &ref, &err), &err);
  assert_liq_ok(liq_book_build(sc, ref, liq_inputs_book_seed(sc->seed, 1), &bref, &err),
                &err);
  assert_int_equal(p1->n, ref->n);
  for (i = 0; i < p1->n; i++) assert_true(p1->close[i] == ref->close[i]);
  assert_int_equal(b1->n, bref->n);
  for (i = 0; i < b1->n; i++) assert_true(b1->qty[i] == bref->qty[i]);
  for (i = 0; i < p0->n; i++) differ |= p0->close[i] != p1->close[i];
  assert_true(differ);
  liq_book_free(b0);
  liq_book_free(b1);
  liq_book_free(bref);
  liq_path_free(p0);
  liq_path_free(p1);
  liq_path_free(ref);
  liq_scenario_free(sc);
}

/* The point of SWEEP_CFG with one override (NULL: none). */
static liq_scenario *load_with(const char *assignment) {
  liq_scenario *sc = NULL;
  liq_override ov;
  liq_err err;
  ov.assignment = assignment;
  assert_liq_ok(liq_scenario_load(SWEEP_CFG, assignment ? &ov : NULL,
                                  assignment ? 1 : 0, &sc, &err), &err);
  return sc;
}

/* What the cache gave is exactly what liq_inputs_build() draws. */
static void expect_fresh_inputs(const liq_scenario *sc, size_t replicate,
                                const liq_path *p, const liq_book *b) {
  liq_path *fp = NULL;
  liq_book *fb = NULL;
  liq_err err;
  assert_liq_ok(liq_inputs_build(sc, replicate, &fp, &fb, &err), &err);
  assert_int_equal(p->n, fp->n);
  assert_memory_equal(p->open, fp->open, p->n * sizeof *p->open);
  assert_memory_equal(p->high, fp->high, p->n * sizeof *p->high);
  assert_memory_equal(p->low, fp->low, p->n * sizeof *p->low);
  assert_memory_equal(p->close, fp->close, p->n * sizeof *p->close);
  assert_int_equal(b->n, fb->n);
  assert_memory_equal(b->side, fb->side, b->n * sizeof *b->side);
  assert_memory_equal(b->qty, fb->qty, b->n * sizeof *b->qty);
  assert_memory_equal(b->entry, fb->entry, b->n * sizeof *b->entry);
  assert_memory_equal(b->collateral, fb->collateral, b->n * sizeof *b->collateral);
  assert_memory_equal(b->leverage, fb->leverage, b->n * sizeof *b->leverage);
  liq_book_free(fb);
  liq_path_free(fp);
}

/* Get the inputs of (sc, replicate) through the cache; check them, and
** how many paths and books the cache has drawn so far. */
static void get_and_check(liq_inputs_cache *c, const liq_scenario *sc,
                          size_t replicate, size_t paths, size_t books) {
  const liq_path *p = NULL;
  const liq_book *b = NULL;
  liq_err err;
  assert_liq_ok(liq_inputs_get(c, sc, replicate, &p, &b, &err), &err);
  expect_fresh_inputs(sc, replicate, p, b);
  assert_int_equal(c->n_path_builds, paths);
  assert_int_equal(c->n_book_builds, books);
}

/* The cache keeps the path across settings that do not reach it, the
** book across settings that reach neither, and draws anew otherwise. */
static void test_cache_shares_only_equal_inputs(void **state) {
  liq_scenario *base = load_with(NULL);
  liq_scenario *impact = load_with("impact.coefficient=1.5");
  liq_scenario *fee = load_with("margin.liquidation_fee=0.01");
  liq_scenario *im = load_with("margin.initial=0.02");
  liq_scenario *mm = load_with("margin.maintenance=0.004");
  liq_scenario *n = load_with("book.positions=1000");
  liq_scenario *vol = load_with("price.volatility=0.8");
  liq_scenario *seed = load_with("seed=8");
  liq_inputs_cache c;
  (void)state;
  liq_inputs_cache_init(&c, 1);
  get_and_check(&c, base, 1, 1, 1);
  get_and_check(&c, impact, 1, 1, 1);   /* impact.*: the same path and book */
  get_and_check(&c, fee, 1, 1, 1);      /* a fee: the book does not read it */
  get_and_check(&c, im, 1, 1, 2);       /* margin.initial: a new book */
  get_and_check(&c, im, 1, 1, 2);
  get_and_check(&c, mm, 1, 1, 3);       /* margin.maintenance: a new book */
  get_and_check(&c, n, 1, 1, 4);        /* book.*: a new book */
  get_and_check(&c, vol, 1, 2, 5);      /* price.*: a new path and book */
  get_and_check(&c, seed, 1, 3, 6);     /* seed: both */
  get_and_check(&c, seed, 2, 4, 7);     /* another replicate: both */
  get_and_check(&c, base, 2, 5, 8);
  liq_inputs_cache_clear(&c);
  get_and_check(&c, base, 2, 6, 9);     /* cleared: drawn again */
  liq_inputs_cache_clear(&c);

  liq_inputs_cache_init(&c, 0);         /* sharing off: every call draws */
  get_and_check(&c, base, 1, 1, 1);
  get_and_check(&c, impact, 1, 2, 2);
  liq_inputs_cache_clear(&c);

  /* The hashes agree with the sharing. */
  assert_true(liq_inputs_path_hash(base) == liq_inputs_path_hash(impact));
  assert_true(liq_inputs_book_hash(base) == liq_inputs_book_hash(impact));
  assert_true(liq_inputs_book_hash(base) == liq_inputs_book_hash(fee));
  assert_true(liq_inputs_path_hash(base) == liq_inputs_path_hash(im));
  assert_true(liq_inputs_book_hash(base) != liq_inputs_book_hash(im));
  assert_true(liq_inputs_path_hash(base) != liq_inputs_path_hash(vol));
  liq_scenario_free(base);
  liq_scenario_free(impact);
  liq_scenario_free(fee);
  liq_scenario_free(im);
  liq_scenario_free(mm);
  liq_scenario_free(n);
  liq_scenario_free(vol);
  liq_scenario_free(seed);
}

/* A failed draw leaves the cache empty and says why. */
static void test_cache_failure_leaves_it_empty(void **state) {
  liq_scenario *base = load_with(NULL);
  liq_inputs_cache c;
  const liq_path *p = NULL;
  const liq_book *b = NULL;
  liq_err err;
  (void)state;
  liq_inputs_cache_init(&c, 1);
  get_and_check(&c, base, 0, 1, 1);
  /* a path that cannot be built: a replay of a missing file */
  base->price.model = LIQ_PRICE_REPLAY;
  snprintf(base->price.file, sizeof base->price.file, "%s",
           LIQ_TEST_DATA "/no-such-prices.csv");
  liq_err_clear(&err);
  assert_int_not_equal(liq_inputs_get(&c, base, 0, &p, &b, &err), LIQ_OK);
  assert_null(p);
  assert_null(b);
  assert_false(c.have_path);
  assert_false(c.have_book);
  assert_null(c.path);
  assert_null(c.book);
  assert_true(err.msg[0] != '\0');
  liq_inputs_cache_clear(&c);
  liq_scenario_free(base);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seeds),
    cmocka_unit_test(test_build_uses_replicate_seeds),
    cmocka_unit_test(test_cache_shares_only_equal_inputs),
    cmocka_unit_test(test_cache_failure_leaves_it_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
