/*
** par.c: teams of threads for a run's data-parallel work (see liq_par.h).
*/
#define _POSIX_C_SOURCE 200809L   /* pthread barriers */
#define _DEFAULT_SOURCE           /* syscall() */

#include "liq_par.h"

#include <pthread.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#ifdef _OPENMP
#include <omp.h>
#endif

static int forced_threads;

/* Is this the process's first thread?  Teams start only there: a worker of
** any pool (OpenMP or not) runs its task on its own thread. */
static int on_main_thread(void) {
#if defined(__linux__) && defined(SYS_gettid)
  return (pid_t)syscall(SYS_gettid) == getpid();
#else
  return 1;
#endif
}

int liq_par_threads(void) {
  int t;
  if (!on_main_thread()) return 1;
#ifdef _OPENMP
  if (omp_get_level() > 0) return 1;
  t = forced_threads > 0 ? forced_threads : omp_get_max_threads();
#else
  t = forced_threads > 0 ? forced_threads : 1;
#endif
  if (t < 1) t = 1;
  return t > LIQ_PAR_MAX_THREADS ? LIQ_PAR_MAX_THREADS : t;
}

void liq_par_set_threads(int n) {
  forced_threads = n > 0 ? n : 0;
}

/* What the team shares. */
typedef struct team_shared {
  void (*fn)(void *ctx, liq_par_team *tm);
  void *ctx;
  int size;
  pthread_barrier_t barrier;
  pthread_mutex_t mu;     /* guards go */
  pthread_cond_t  cv;
  int go;                 /* 1: size and barrier are set, start */
} team_shared;

struct liq_par_team {
  team_shared *sh;
  int rank;
};

int liq_par_rank(const liq_par_team *tm) { return tm->rank; }
int liq_par_size(const liq_par_team *tm) { return tm->sh->size; }

void liq_par_barrier(liq_par_team *tm) {
  if (tm->sh->size > 1) pthread_barrier_wait(&tm->sh->barrier);
}

static void *member_main(void *arg) {
  liq_par_team *tm = arg;
  team_shared *sh = tm->sh;
  pthread_mutex_lock(&sh->mu);
  while (!sh->go) pthread_cond_wait(&sh->cv, &sh->mu);
  pthread_mutex_unlock(&sh->mu);
  if (tm->rank < sh->size) sh->fn(sh->ctx, tm);
  return NULL;
}

void liq_par_run(int threads, void (*fn)(void *ctx, liq_par_team *tm), void *ctx) {
  team_shared sh;
  liq_par_team tm[LIQ_PAR_MAX_THREADS];
  pthread_t th[LIQ_PAR_MAX_THREADS];
  int started = 0, k, have_barrier = 0;
  if (threads > LIQ_PAR_MAX_THREADS) threads = LIQ_PAR_MAX_THREADS;
  sh.fn = fn;
  sh.ctx = ctx;
  sh.size = 1;
  sh.go = 0;
  tm[0].sh = &sh;
  tm[0].rank = 0;
  if (threads <= 1 || pthread_mutex_init(&sh.mu, NULL) != 0) {
    fn(ctx, &tm[0]);
    return;
  }
  if (pthread_cond_init(&sh.cv, NULL) != 0) {
    pthread_mutex_destroy(&sh.mu);
    fn(ctx, &tm[0]);
    return;
  }
  /* Start the members; they wait for the team's final size. */
  for (k = 1; k < threads; k++) {
    tm[k].sh = &sh;
    tm[k].rank = k;
    if (pthread_create(&th[k], NULL, member_main, &tm[k]) != 0) break;
    started++;
  }
  pthread_mutex_lock(&sh.mu);
  if (started > 0)
    have_barrier = pthread_barrier_init(&sh.barrier, NULL, (unsigned)started + 1) == 0;
  sh.size = have_barrier ? started + 1 : 1;   /* no barrier: the caller does it all */
  sh.go = 1;
  pthread_cond_broadcast(&sh.cv);
  pthread_mutex_unlock(&sh.mu);
  fn(ctx, &tm[0]);
  for (k = 1; k <= started; k++) pthread_join(th[k], NULL);
  if (have_barrier) pthread_barrier_destroy(&sh.barrier);
  pthread_cond_destroy(&sh.cv);
  pthread_mutex_destroy(&sh.mu);
}

typedef struct slices {
  size_t n;
  void (*fn)(void *ctx, size_t lo, size_t hi, int rank);
  void *ctx;
  int size;              /* the team's, set by rank 0 */
} slices;

static void slice_main(void *arg, liq_par_team *tm) {
  slices *s = arg;
  size_t T = (size_t)liq_par_size(tm), t = (size_t)liq_par_rank(tm);
  if (t == 0) s->size = (int)T;
  s->fn(s->ctx, s->n * t / T, s->n * (t + 1) / T, (int)t);
}

int liq_par_slices(size_t n, void (*fn)(void *ctx, size_t lo, size_t hi, int rank),
                   void *ctx) {
  slices s;
  int threads = n < LIQ_PAR_MIN_ITEMS ? 1 : liq_par_threads();
  s.n = n;
  s.fn = fn;
  s.ctx = ctx;
  s.size = 1;
  liq_par_run(threads, slice_main, &s);
  return s.size;
}
