/*
** test_par.c: a run's parallel parts (book draws in blocks, ladder keys,
** sorts and order checks) give the same book and the same rows, bit for
** bit, on one thread and on two, under every kind of ladder: flat rates
** (one sort for all ladders), tiers with funding (re-keyed sides), top-ups
** (the armed ladder), partial closes and ADL (treap parts), with call keys
** stored and computed.
*/
#define _GNU_SOURCE               /* setenv, pthread_setattr_default_np */

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixtures.h"
#include "liq_par.h"
#include "ref_engine.h"
#include "liq_test_support.h"

/* Two draw blocks; each side above LIQ_PAR_MIN_ITEMS, so sorts use a team. */
#define POSITIONS (LIQ_BOOK_BLOCK + 8928)

static void scenario(liq_scenario *sc, int rules) {
  static const double lev[6] = { 2.0, 5.0, 10.0, 20.0, 50.0, 100.0 };
  static const double w[6] = { 0.25, 0.25, 0.2, 0.15, 0.1, 0.05 };
  liq_test_scenario_init(sc);
  sc->seed = 42;
  sc->book.positions = POSITIONS;
  sc->book.long_share = 0.5;
  sc->book.n_leverage = 6;
  memcpy(sc->book.leverage, lev, sizeof lev);
  memcpy(sc->book.weights, w, sizeof w);
  sc->book.notional_dist = LIQ_NOTIONAL_LOGNORMAL;
  sc->book.notional_median = 1000.0;
  sc->book.notional_sigma = 1.5;
  sc->book.entry_spread = 0.02;
  sc->margin.liquidation_fee = 0.005;
  sc->impact.model = LIQ_IMPACT_SQRT;
  sc->impact.daily_volume = 3000.0 * (double)POSITIONS;
  sc->impact.coefficient = 1.0;
  if (rules == 1) {            /* tiers re-key every side after a funding charge */
    set_tiers(sc, 1.0);
    sc->funding.mode = LIQ_FUNDING_CONSTANT;
    sc->funding.rate = 0.002;
    sc->funding.interval_seconds = 1200.0;
    sc->margin.topup_share = 0.3;
    sc->margin.topup_delay = 1;
  } else if (rules == 2) {     /* partial closes and ADL: positions change */
    sc->margin.partial_mode = LIQ_PARTIAL_CHUNK;
    sc->margin.partial_share = 0.5;
    sc->margin.partial_cooldown = 1;
    sc->insurance.policy = LIQ_POLICY_ADL_RANKED;
  }
}

static void assert_same(double a, double b) {
  if (isnan(a) && isnan(b)) return;
  assert_true(a == b);
}

static void compare(const capture *f, const capture *g, const liq_summary *sf,
                    const liq_summary *sg) {
  size_t i, q;
  assert_int_equal(f->n_steps, g->n_steps);
  assert_int_equal(f->n_liqs, g->n_liqs);
  for (i = 0; i < f->n_liqs; i++) {   /* rows come in the same order */
    const liq_liquidation_row *a = &f->liqs[i], *b = &g->liqs[i];
    assert_int_equal(a->step, b->step);
    assert_int_equal(a->round, b->round);
    assert_int_equal(a->position_id, b->position_id);
    assert_same(a->qty, b->qty);
    assert_same(a->price, b->price);
    assert_same(a->equity, b->equity);
    assert_same(a->share, b->share);
  }
  for (i = 0; i < f->n_steps; i++) {
    const liq_step_row *a = &f->steps[i], *b = &g->steps[i];
    assert_int_equal(a->liquidations, b->liquidations);
    assert_int_equal(a->margin_calls, b->margin_calls);
    assert_int_equal(a->topups, b->topups);
    assert_int_equal(a->adl_count, b->adl_count);
    assert_same(a->price, b->price);
    assert_same(a->insurance_fund, b->insurance_fund);
    assert_same(a->open_interest_long, b->open_interest_long);
    assert_same(a->open_interest_short, b->open_interest_short);
    for (q = 0; q < a->n_quantiles; q++) {
      assert_same(a->cushion[q], b->cushion[q]);
      assert_same(a->distance[q], b->distance[q]);
    }
  }
  assert_int_equal(sf->liquidated, sg->liquidated);
  assert_same(sf->bad_debt, sg->bad_debt);
  assert_same(sf->returned, sg->returned);
  assert_same(sf->open_equity, sg->open_equity);
}

/* The book on 'threads' threads. */
static liq_book *book_on(const liq_scenario *sc, const liq_path *path, int threads) {
  liq_book *book = NULL;
  liq_err err;
  liq_par_set_threads(threads);
  assert_liq_ok(liq_book_generate(&sc->book, &sc->margin, path->open[0], 9, &book, &err),
                &err);
  liq_par_set_threads(0);
  return book;
}

/* A run on 'threads' threads into c and sm. */
static void run(const liq_scenario *sc, const liq_path *path, const liq_book *book,
                int threads, capture *c, liq_summary *sm) {
  liq_sink sink = { cap_step, cap_liq, c, NULL };
  liq_err err;
  liq_par_set_threads(threads);
  assert_liq_ok(liq_engine_run(sc, path, book, &sink, sm, &err), &err);
  liq_par_set_threads(0);
}

static void same_on_two_threads(int rules) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  liq_scenario sc;
  liq_path *path;
  liq_book *one, *two;
  int computed;
  gsl_rng_set(r, 5u + (unsigned)rules);
  scenario(&sc, rules);
  path = path_random(r, 40, 100.0, 0.01, 1);
  one = book_on(&sc, path, 1);
  two = book_on(&sc, path, 2);
  assert_true(memcmp(one->qty, two->qty, POSITIONS * sizeof *one->qty) == 0);
  assert_true(memcmp(one->entry, two->entry, POSITIONS * sizeof *one->entry) == 0);
  assert_true(memcmp(one->collateral, two->collateral,
                     POSITIONS * sizeof *one->collateral) == 0);
  for (computed = 0; computed < 2; computed++) {
    capture f = { 0 }, g = { 0 };
    liq_summary sf, sg;
    /* the engine's testing knob: call keys computed above this many positions */
    setenv("LIQ_CALL_KEYS_COMPUTED_ABOVE", computed ? "0" : "100000000", 1);
    run(&sc, path, one, 1, &f, &sf);
    run(&sc, path, two, 2, &g, &sg);
    assert_true(sf.liquidated > 100);   /* the path moves the book */
    compare(&f, &g, &sf, &sg);
    cap_free(&f);
    cap_free(&g);
  }
  unsetenv("LIQ_CALL_KEYS_COMPUTED_ABOVE");
  liq_book_free(one);
  liq_book_free(two);
  path_del(path);
  gsl_rng_free(r);
}

static void test_flat(void **state) {
  (void)state;
  same_on_two_threads(0);
}

static void test_tiers_funding_topups(void **state) {
  (void)state;
  same_on_two_threads(1);
}

static void test_partial_adl(void **state) {
  (void)state;
  same_on_two_threads(2);
}

/* A team: ranks 0 .. size - 1 each once, rank 0 on the caller, and a
** barrier that every member passes only when all have arrived. */
typedef struct team_probe {
  int threads;
  int seen[LIQ_PAR_MAX_THREADS];
  int before[LIQ_PAR_MAX_THREADS], after_ok[LIQ_PAR_MAX_THREADS];
  int size;
  pthread_t caller, rank0;
} team_probe;

static void probe_member(void *ctx, liq_par_team *tm) {
  team_probe *p = ctx;
  int r = liq_par_rank(tm), T = liq_par_size(tm), u, ok = 1;
  if (r == 0) {
    p->size = T;
    p->rank0 = pthread_self();
  }
  p->seen[r]++;
  p->before[r] = 1;
  liq_par_barrier(tm);
  for (u = 0; u < T; u++) ok = ok && p->before[u];
  p->after_ok[r] = ok;
  liq_par_barrier(tm);
}

static void test_team_ranks_and_barrier(void **state) {
  int threads, r;
  (void)state;
  for (threads = 0; threads <= 5; threads++) {
    team_probe p;
    memset(&p, 0, sizeof p);
    p.caller = pthread_self();
    liq_par_run(threads, probe_member, &p);
    assert_int_equal(p.size, threads < 1 ? 1 : threads);
    assert_true(pthread_equal(p.caller, p.rank0));
    for (r = 0; r < LIQ_PAR_MAX_THREADS; r++) {
      assert_int_equal(p.seen[r], r < p.size);
      assert_int_equal(p.after_ok[r], r < p.size);
    }
  }
}

/* Slices cover [0, n) once, in order by rank; short loops take one. */
typedef struct slice_probe { unsigned char *hit; size_t lo[LIQ_PAR_MAX_THREADS], hi[LIQ_PAR_MAX_THREADS]; } slice_probe;

static void probe_slice(void *ctx, size_t lo, size_t hi, int rank) {
  slice_probe *p = ctx;
  size_t i;
  p->lo[rank] = lo;
  p->hi[rank] = hi;
  for (i = lo; i < hi; i++) p->hit[i]++;
}

static void test_slices_cover(void **state) {
  size_t sizes[] = { 0, 1, LIQ_PAR_MIN_ITEMS - 1, LIQ_PAR_MIN_ITEMS, 3 * LIQ_PAR_MIN_ITEMS + 7 };
  size_t k, i;
  int t, threads;
  (void)state;
  for (threads = 1; threads <= 3; threads++) {
    liq_par_set_threads(threads);
    for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
      slice_probe p;
      int n_slices;
      memset(&p, 0, sizeof p);
      p.hit = calloc(sizes[k] + 1, 1);
      n_slices = liq_par_slices(sizes[k], probe_slice, &p);
      assert_int_equal(n_slices, sizes[k] < LIQ_PAR_MIN_ITEMS ? 1 : threads);
      for (i = 0; i < sizes[k]; i++) assert_int_equal(p.hit[i], 1);
      assert_int_equal(p.lo[0], 0);
      assert_int_equal(p.hi[n_slices - 1], sizes[k]);
      for (t = 1; t < n_slices; t++) assert_int_equal(p.lo[t], p.hi[t - 1]);
      free(p.hit);
    }
  }
  liq_par_set_threads(0);
}

/* Off the main thread (a sweep worker, the row writer) and inside an
** OpenMP region, data-parallel work takes one thread, forced or not: a
** sweep at -j N runs N threads, not N teams. */
static void *threads_off_main(void *arg) {
  *(int *)arg = liq_par_threads();
  return NULL;
}

static void test_one_thread_off_main(void **state) {
  pthread_t th;
  int got = -1;
  (void)state;
  liq_par_set_threads(4);
  assert_int_equal(liq_par_threads(), 4);
  assert_int_equal(pthread_create(&th, NULL, threads_off_main, &got), 0);
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_int_equal(got, 1);
#ifdef _OPENMP
  got = -1;
#pragma omp parallel num_threads(1)
  got = liq_par_threads();
  assert_int_equal(got, 1);
#endif
  liq_par_set_threads(0);
  assert_true(liq_par_threads() >= 1 && liq_par_threads() <= LIQ_PAR_MAX_THREADS);
}

/* No thread can be started (every new thread would want a 64 TiB stack):
** a team is its caller alone, and a book and a run on "3 threads" are the
** ones of one thread. */
static void test_threads_cannot_start(void **state) {
#if defined(__GLIBC__)
  pthread_attr_t huge, old;
  liq_scenario sc;
  liq_path *path;
  liq_book *one, *three;
  capture f = { 0 }, g = { 0 };
  liq_summary sf, sg;
  team_probe p;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  (void)state;
  gsl_rng_set(r, 11u);
  scenario(&sc, 2);
  path = path_random(r, 30, 100.0, 0.01, 1);
  one = book_on(&sc, path, 1);
  run(&sc, path, one, 1, &f, &sf);
  assert_int_equal(pthread_getattr_default_np(&old), 0);
  assert_int_equal(pthread_attr_init(&huge), 0);
  assert_int_equal(pthread_attr_setstacksize(&huge, (size_t)1 << 46), 0);
  assert_int_equal(pthread_setattr_default_np(&huge), 0);
  memset(&p, 0, sizeof p);
  p.caller = pthread_self();
  liq_par_run(4, probe_member, &p);
  assert_int_equal(p.size, 1);
  assert_int_equal(p.seen[0], 1);
  assert_int_equal(p.seen[1], 0);
  three = book_on(&sc, path, 3);
  run(&sc, path, three, 3, &g, &sg);
  assert_int_equal(pthread_setattr_default_np(&old), 0);
  pthread_attr_destroy(&huge);
  pthread_attr_destroy(&old);
  assert_true(memcmp(one->qty, three->qty, POSITIONS * sizeof *one->qty) == 0);
  assert_true(memcmp(one->entry, three->entry, POSITIONS * sizeof *one->entry) == 0);
  assert_true(sf.liquidated > 100);
  compare(&f, &g, &sf, &sg);
  cap_free(&f);
  cap_free(&g);
  liq_book_free(one);
  liq_book_free(three);
  path_del(path);
  gsl_rng_free(r);
#else
  (void)state;
  skip();
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_flat),
    cmocka_unit_test(test_tiers_funding_topups),
    cmocka_unit_test(test_partial_adl),
    cmocka_unit_test(test_team_ranks_and_barrier),
    cmocka_unit_test(test_slices_cover),
    cmocka_unit_test(test_one_thread_off_main),
    cmocka_unit_test(test_threads_cannot_start),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
