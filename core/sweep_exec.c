/*
** sweep_exec.c: running a sweep (see liq_sweep.h): OpenMP workers, one
** database writer, MPI ranks, resume, merge; the plan is in sweep.c.
**
** Execution.  The pending task ids of the shard are split over MPI ranks
** (rank r takes every R-th, starting at r) and, within a rank, grouped
** into units (the tasks of one replicate, see Units below) handed to
** OpenMP worker threads one at a time (schedule(dynamic, 1)); a worker
** draws a replicate's path and each distinct book once for the unit.  A
** worker computes a task into an in-memory result (step and liquidation
** rows that the scenario's stats settings keep, and the summary) and
** queues it.  Whoever holds the writer lock drains the queue: on rank 0
** it writes each result (liq_store_task_write: a task with rows in a
** transaction of its own; tasks without rows are kept in memory and
** written in one transaction per batch, after LIQ_SWEEP_BATCH_* tasks or
** seconds, so the database is locked only while a batch is written), on
** other ranks it sends the result to rank 0, whose writer writes it.  So
** there is one SQLite connection and one writer at a time, and a task is
** either written whole with status 'done' or not at all (a killed sweep
** loses the open batch; --resume runs it again).  The writer lock is
** taken with omp_test_lock (nobody waits for it) unless the queue holds
** more than LIQ_SWEEP_QUEUE_PER_THREAD results per thread (backpressure).
**
** Determinism.  A task reads only its scenario, grid point and replicate
** (its seeds: liq_inputs_path_seed/book_seed(seed, replicate)); a shared
** path or book is exactly the one the task would draw (liq_inputs.h); the
** engine is pure and takes them read-only; a result is written as
** computed.  Which thread, rank or shard ran it, in which unit, and when,
** changes run_id and timestamps only.
*/
#define _POSIX_C_SOURCE 200809L

#include "liq_sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
# include <omp.h>
#endif
#ifdef LIQ_HAVE_MPI
# include <mpi.h>
#endif

#include "liq_book.h"
#include "liq_engine.h"
#include "liq_inputs.h"
#include "liq_path.h"
#include "liq_stats.h"
#include "liq_store.h"
#include "stats_int.h"
#include "sweep_int.h"
#include "store_int.h"

#define LIQ_SWEEP_QUEUE_PER_THREAD 4   /* queued results per thread before workers wait */
#define LIQ_SWEEP_TASK_CHUNK  65536    /* tasks rows per insert transaction */

/* Finished tasks without rows are written in batches (one transaction
** for many small tasks): a batch is written when it holds this many
** tasks, is this old, or its last task took this long (batching pays
** only for short tasks, and a killed sweep loses the batch). */
#define LIQ_SWEEP_BATCH_TASKS        256
#define LIQ_SWEEP_BATCH_SECONDS      0.2
#define LIQ_SWEEP_BATCH_TASK_SECONDS 0.02

/* ------------------------------------------------------------------------
** Locks: OpenMP locks, or nothing in a build without OpenMP.
*/
#ifdef _OPENMP
typedef omp_lock_t sweep_lock;
static void lock_init(sweep_lock *l) { omp_init_lock(l); }
static void lock_destroy(sweep_lock *l) { omp_destroy_lock(l); }
static void lock_set(sweep_lock *l) { omp_set_lock(l); }
static void lock_unset(sweep_lock *l) { omp_unset_lock(l); }
static int lock_test(sweep_lock *l) { return omp_test_lock(l); }
#else
typedef int sweep_lock;
static void lock_init(sweep_lock *l) { *l = 0; }
static void lock_destroy(sweep_lock *l) { (void)l; }
static void lock_set(sweep_lock *l) { *l = 1; }
static void lock_unset(sweep_lock *l) { *l = 0; }
static int lock_test(sweep_lock *l) { if (*l) return 0; *l = 1; return 1; }
#endif

/* MPI state of the process (liq_sweep_mpi_begin). */
#ifdef LIQ_HAVE_MPI
static int g_mpi_on = 0;
#endif
static int g_rank = 0, g_size = 1;

/* ------------------------------------------------------------------------
** One task: scenario -> path -> book -> engine, rows into memory
*/

typedef struct task_result {
  size_t task_id;
  int rc;                      /* liq_status of the computation */
  liq_err err;
  char started_at[32];         /* ISO-8601 UTC */
  double seconds;              /* time to compute it */
  liq_summary sm;
  liq_step_row *steps;
  size_t n_steps, cap_steps;
  liq_liquidation_row *liqs;
  size_t n_liqs, cap_liqs;
  liq_adl_row *adls;
  size_t n_adls, cap_adls;
  struct task_result *next;     /* queue link */
} task_result;

static void result_free(task_result *r) {
  if (r == NULL) return;
  free(r->steps);
  free(r->liqs);
  free(r->adls);
  free(r);
}

static void iso_now(char *buf, size_t size) {
  struct timespec ts;
  struct tm tm;
  char sec[24];
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  if (strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm) == 0) sec[0] = '\0';
  snprintf(buf, size, "%s.%03ldZ", sec, ts.tv_nsec / 1000000L);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The rows the store sink would write (liq_store_sink), into memory. */
typedef struct buf_sink {
  task_result *r;
  const liq_scenario *sc;
  size_t n_path;
  liq_step_row interval;       /* flows since the last stored row */
  size_t n_folded;
} buf_sink;

static int buf_step(void *ud, const liq_step_row *row, liq_err *err) {
  buf_sink *b = ud;
  task_result *r = b->r;
  if (!liq_stats_step_fold(&b->interval, &b->n_folded, &b->sc->stats, b->n_path,
                           row))
    return LIQ_OK;
  if (r->n_steps == r->cap_steps) {
    size_t n = r->cap_steps ? 2 * r->cap_steps : 256;
    liq_step_row *a = realloc(r->steps, n * sizeof *a);
    if (a == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    r->steps = a;
    r->cap_steps = n;
  }
  r->steps[r->n_steps++] = b->interval;
  return LIQ_OK;
}

static int buf_liquidation(void *ud, const liq_liquidation_row *row, liq_err *err) {
  buf_sink *b = ud;
  task_result *r = b->r;
  if (r->n_liqs == r->cap_liqs) {
    size_t n = r->cap_liqs ? 2 * r->cap_liqs : 256;
    liq_liquidation_row *a = realloc(r->liqs, n * sizeof *a);
    if (a == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    r->liqs = a;
    r->cap_liqs = n;
  }
  r->liqs[r->n_liqs++] = *row;
  return LIQ_OK;
}

static int buf_adl(void *ud, const liq_adl_row *row, liq_err *err) {
  buf_sink *b = ud;
  task_result *r = b->r;
  if (r->n_adls == r->cap_adls) {
    size_t n = r->cap_adls ? 2 * r->cap_adls : 64;
    liq_adl_row *a = realloc(r->adls, n * sizeof *a);
    if (a == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    r->adls = a;
    r->cap_adls = n;
  }
  r->adls[r->n_adls++] = *row;
  return LIQ_OK;
}

/* Run one task of scenario 'sc' (its grid point's) and replicate, with
** the inputs from (or into) the worker's cache. */
static int compute_task(const liq_scenario *sc, size_t replicate,
                        liq_inputs_cache *cache, task_result *r, liq_err *err) {
  const liq_path *path = NULL;
  const liq_book *book = NULL;
  buf_sink bs;
  liq_sink sink;
  int rc;

  rc = liq_inputs_get(cache, sc, replicate, &path, &book, err);
  if (rc != LIQ_OK) return rc;
  bs.r = r;
  bs.sc = sc;
  bs.n_path = path->n;
  bs.n_folded = 0;
  /* no callback for rows the task does not store: the engine then builds
  ** none (as a run's sink does with stats.events = false) */
  sink.step = sc->stats.steps ? buf_step : NULL;
  sink.liquidation = sc->stats.events ? buf_liquidation : NULL;
  sink.adl = sc->stats.events ? buf_adl : NULL;
  sink.ud = &bs;
  return liq_engine_run(sc, path, book, &sink, &r->sm, err);
}

/* One summary-only job (liq_sweep_run_jobs). */
static int compute_outcome(const liq_sweep_job *job, liq_inputs_cache *cache,
                           liq_err *err) {
  const liq_path *path = NULL;
  const liq_book *book = NULL;
  size_t i;
  double oi = 0.0;
  int rc = liq_inputs_get(cache, job->sc, job->replicate, &path, &book, err);
  if (rc == LIQ_OK) rc = liq_engine_run(job->sc, path, book, NULL, &job->out->sm, err);
  if (rc == LIQ_OK) {
    for (i = 0; i < book->n; i++) oi += book->qty[i] * book->entry[i];
    job->out->open_interest = oi;
  }
  return rc;
}

/* ------------------------------------------------------------------------
** Units: the tasks of one replicate, run by one worker in a row
**
** Every grid point of replicate r draws its path and book from the same
** seeds, so points whose input settings are equal (liq_inputs.h) share
** them.  Work is ordered by (block of points, replicate, the point's
** inputs hashes) and cut into units of one block and replicate; a worker
** takes a unit and keeps the last path and book in its liq_inputs_cache.
** Blocks of LIQ_SWEEP_UNIT_POINTS points bound how many point scenarios
** are loaded at once.  A unit has at most n / (threads x 4) tasks (at
** least 1), so a small sweep still spreads over the threads.  Which
** worker, and in which order, changes no result: the cache gives exactly
** what liq_inputs_build() would.
*/
#define LIQ_SWEEP_UNIT_POINTS 64       /* points per block, and most tasks a unit */

typedef struct work_key {
  uint64_t path_hash, book_hash;
  size_t   block, replicate, point, item;   /* item: task id or job index */
} work_key;

static int cmp_hashes(const work_key *a, const work_key *b) {
  if (a->path_hash != b->path_hash) return a->path_hash < b->path_hash ? -1 : 1;
  if (a->book_hash != b->book_hash) return a->book_hash < b->book_hash ? -1 : 1;
  return 0;
}

/* Points: by hashes, then index. */
static int cmp_point_key(const void *pa, const void *pb) {
  const work_key *a = pa, *b = pb;
  int c = cmp_hashes(a, b);
  if (c != 0) return c;
  return a->point < b->point ? -1 : a->point > b->point;
}

/* Work items: by block, replicate, hashes, point, item. */
static int cmp_work_key(const void *pa, const void *pb) {
  const work_key *a = pa, *b = pb;
  int c;
  if (a->block != b->block) return a->block < b->block ? -1 : 1;
  if (a->replicate != b->replicate) return a->replicate < b->replicate ? -1 : 1;
  c = cmp_hashes(a, b);
  if (c != 0) return c;
  if (a->point != b->point) return a->point < b->point ? -1 : 1;
  return a->item < b->item ? -1 : a->item > b->item;
}

/* Cut sorted keys[0..n) into units (starts[0..*n_units], starts[n_units]
** = n) of one block and replicate, each at most 'cap' items. */
static size_t *cut_units(const work_key *keys, size_t n, int threads,
                         size_t *n_units) {
  size_t *starts = malloc((n + 1) * sizeof *starts), i, u = 0, len = 0;
  size_t cap = n / ((size_t)(threads > 0 ? threads : 1) * 4);
  if (starts == NULL) return NULL;
  if (cap < 1) cap = 1;
  if (cap > LIQ_SWEEP_UNIT_POINTS) cap = LIQ_SWEEP_UNIT_POINTS;
  for (i = 0; i < n; i++) {
    if (i == 0 || len == cap || keys[i].block != keys[i - 1].block ||
        keys[i].replicate != keys[i - 1].replicate) {
      starts[u++] = i;
      len = 0;
    }
    len++;
  }
  starts[u] = n;
  *n_units = u;
  return starts;
}

/* LIQ_SWEEP_SHARE_INPUTS=0 turns the sharing off (a testing knob: the
** results must not change). */
static int share_inputs(void) {
  const char *z = getenv("LIQ_SWEEP_SHARE_INPUTS");
  return z == NULL || strcmp(z, "0") != 0;
}

int liq_sweep_run_jobs(const liq_sweep_job *jobs, size_t n, int threads,
                       liq_err *err) {
  long u, nu, first = -1;
  size_t i, n_units = 0, *starts = NULL;
  work_key *keys;
  int rc = LIQ_OK, share = share_inputs();
#ifdef _OPENMP
  if (threads <= 0) threads = omp_get_max_threads();
#endif
  if (n == 0) return LIQ_OK;
  keys = malloc(n * sizeof *keys);
  if (keys == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  for (i = 0; i < n; i++) {
    if (i > 0 && jobs[i].sc == jobs[i - 1].sc) {   /* the usual case */
      keys[i].path_hash = keys[i - 1].path_hash;
      keys[i].book_hash = keys[i - 1].book_hash;
    } else {
      keys[i].path_hash = liq_inputs_path_hash(jobs[i].sc);
      keys[i].book_hash = liq_inputs_book_hash(jobs[i].sc);
    }
    keys[i].block = 0;
    keys[i].replicate = jobs[i].replicate;
    keys[i].point = 0;
    keys[i].item = i;
  }
  qsort(keys, n, sizeof *keys, cmp_work_key);
  starts = cut_units(keys, n, threads, &n_units);
  if (starts == NULL) {
    free(keys);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  nu = (long)n_units;
  (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
#endif
  for (u = 0; u < nu; u++) {
    liq_inputs_cache cache;
    size_t t;
    liq_inputs_cache_init(&cache, share);
    for (t = starts[u]; t < starts[u + 1]; t++) {
      long j = (long)keys[t].item;
      liq_err e;
      int r;
      liq_err_clear(&e);
      r = compute_outcome(&jobs[j], &cache, &e);
      if (r != LIQ_OK) {
#ifdef _OPENMP
#pragma omp critical(liq_sweep_jobs_err)
#endif
        {
          if (first < 0 || j < first) {
            first = j;
            rc = r;
            if (err != NULL) *err = e;
          }
        }
      }
    }
    liq_inputs_cache_clear(&cache);
  }
  free(starts);
  free(keys);
  return rc;
}

/* ------------------------------------------------------------------------
** Execution: workers, queue, writer
*/

/* A grid point's scenario, loaded by its first task and freed after its
** last one in this process. */
typedef struct point_slot {
  liq_scenario *sc;
  size_t left;                 /* this process's tasks at the point not yet finished */
  size_t users;
} point_slot;

typedef struct executor {
  const liq_sweep_plan *plan;
  liq_store *st;               /* rank 0 only */
  int64_t sweep_id;
  point_slot *slots;            /* [n_points] */
  sweep_lock slot_lock;
  sweep_lock queue_lock;
  sweep_lock writer_lock;
  task_result *head, *tail;
  size_t n_queued;
  size_t queue_limit;
  int stop;                    /* stop starting tasks (a failure) */
  int rc;                      /* first failure */
  liq_err err;
  int db_dead;                 /* a database write failed: write no more */
  size_t done, todo;           /* written (rank 0: all ranks) / to do */
  double t0;
  liq_sweep_progress_fn progress;
  void *progress_ud;
  int ranks_done;              /* rank 0: remote ranks that sent DONE */
  int stop_sent;               /* rank 0: STOP sent to the other ranks */
  int stop_seen;               /* other ranks: STOP received */
  int mpi_broken;              /* out of memory for a message: the ranks are
                               ** out of step, the caller must abort them all */
  int share;                   /* share inputs within a unit (liq_inputs_cache) */
  task_result **batch;         /* rank 0: finished tasks without rows, not */
  size_t batch_n, batch_cap;   /* written yet (written and committed together) */
  double batch_t0;             /* when the first of them was queued */
} executor;

static void exec_fail(executor *x, int rc, const liq_err *err) {
  lock_set(&x->queue_lock);
  if (x->rc == LIQ_OK) {
    x->rc = rc;
    if (err != NULL) x->err = *err;
  }
  x->stop = 1;
  lock_unset(&x->queue_lock);
}

static void exec_fail_nomem(executor *x) {
  liq_err e;
  liq_errf(&e, LIQ_NOMEM, NULL, 0, "out of memory");
  exec_fail(x, LIQ_NOMEM, &e);
}

static int exec_stopped(executor *x) {
  int s;
  lock_set(&x->queue_lock);
  s = x->stop;
  lock_unset(&x->queue_lock);
  return s;
}

static const liq_scenario *slot_acquire(executor *x, size_t g, liq_err *err,
                                        int *rc) {
  point_slot *s = &x->slots[g];
  const liq_scenario *sc;
  lock_set(&x->slot_lock);
  *rc = LIQ_OK;
  if (s->sc == NULL) {
    *rc = liq_sweep_load_point(x->plan->base, g, &s->sc, err);
    if (*rc == LIQ_OK && strcmp(s->sc->text, x->plan->base->text) != 0) {
      *rc = liq_errf(err, LIQ_INPUT, x->plan->base->path, 0,
                     "the scenario file changed while the sweep ran");
      liq_scenario_free(s->sc);
      s->sc = NULL;
    }
  }
  if (*rc == LIQ_OK) s->users++;
  sc = s->sc;
  lock_unset(&x->slot_lock);
  return sc;
}

static void slot_release(executor *x, size_t g, int used) {
  point_slot *s = &x->slots[g];
  lock_set(&x->slot_lock);
  if (used) s->users--;
  if (s->left > 0) s->left--;
  if (s->left == 0 && s->users == 0) {
    liq_scenario_free(s->sc);
    s->sc = NULL;
  }
  lock_unset(&x->slot_lock);
}

static task_result *run_task(executor *x, size_t task_id, liq_inputs_cache *cache) {
  const liq_sweep_plan *plan = x->plan;
  task_result *r = calloc(1, sizeof *r);
  const liq_scenario *sc;
  size_t g, rep;
  int rc;
  if (r == NULL) return NULL;
  r->task_id = task_id;
  iso_now(r->started_at, sizeof r->started_at);
  liq_sweep_task_of(&plan->base->sweep, task_id, &g, &rep);
  r->seconds = now_seconds();
  sc = slot_acquire(x, g, &r->err, &rc);
  if (rc == LIQ_OK) rc = compute_task(sc, rep, cache, r, &r->err);
  slot_release(x, g, sc != NULL);
  r->seconds = now_seconds() - r->seconds;
  r->rc = rc;
  if (rc != LIQ_OK && r->err.msg[0] == '\0')
    snprintf(r->err.msg, sizeof r->err.msg, "%s", liq_strerror(rc));
  return r;
}

static void queue_push(executor *x, task_result *r) {
  lock_set(&x->queue_lock);
  r->next = NULL;
  if (x->tail) x->tail->next = r;
  else x->head = r;
  x->tail = r;
  x->n_queued++;
  lock_unset(&x->queue_lock);
}

static task_result *queue_pop(executor *x) {
  task_result *r;
  lock_set(&x->queue_lock);
  r = x->head;
  if (r != NULL) {
    x->head = r->next;
    if (x->head == NULL) x->tail = NULL;
    x->n_queued--;
  }
  lock_unset(&x->queue_lock);
  return r;
}

static size_t queue_length(executor *x) {
  size_t n;
  lock_set(&x->queue_lock);
  n = x->n_queued;
  lock_unset(&x->queue_lock);
  return n;
}

/* Rank 0: write one finished task (its rows and status 'done'). */
static int write_task(executor *x, const task_result *r, liq_err *err) {
  const liq_sweep_plan *plan = x->plan;
  const liq_scenario *base = plan->base;
  liq_store_task_rows w;
  int64_t run_id = 0;
  size_t g, rep;
  liq_sweep_task_of(&base->sweep, r->task_id, &g, &rep);
  memset(&w, 0, sizeof w);
  w.sweep_id = x->sweep_id;
  w.task_id = r->task_id;
  w.scenario_name = base->name;
  w.scenario_text = base->text;
  w.scenario_path = base->path;
  w.params = plan->points[g].params_json;
  w.seed = plan->points[g].seed;
  w.steps = plan->points[g].steps;
  w.positions = plan->points[g].positions;
  w.started_at = r->started_at;
  w.warnings = plan->points[g].warnings;
  w.step_rows = r->steps;
  w.n_step_rows = r->n_steps;
  w.liq_rows = r->liqs;
  w.n_liq_rows = r->n_liqs;
  w.adl_rows = r->adls;
  w.n_adl_rows = r->n_adls;
  w.summary = &r->sm;
  return liq_store_task_write(x->st, &w, &run_id, err);
}

static void count_done(executor *x, size_t n) {
  x->done += n;
  if (x->progress != NULL && n > 0)
    x->progress(x->progress_ud, x->done, x->todo, now_seconds() - x->t0);
}

/* Rank 0: write the batch of finished tasks without rows in one
** transaction (liq_store_task_write + liq_store_task_commit), so the
** database is locked only while it is written, and free them. */
static void flush_batch(executor *x) {
  liq_err e;
  size_t i, n = x->batch_n;
  int rc = LIQ_OK;
  liq_err_clear(&e);
  for (i = 0; i < n && rc == LIQ_OK && !x->db_dead; i++)
    rc = write_task(x, x->batch[i], &e);
  if (rc == LIQ_OK && !x->db_dead) rc = liq_store_task_commit(x->st, &e);
  for (i = 0; i < n; i++) result_free(x->batch[i]);
  x->batch_n = 0;
  if (x->db_dead) return;
  if (rc != LIQ_OK) {
    x->db_dead = 1;
    exec_fail(x, rc, &e);
    return;
  }
  count_done(x, n);
}

/* Rank 0: store one result and free it.  A failed task is marked
** 'failed'; one with rows is written at once, in a transaction of its own;
** one without rows joins the batch, written when it holds
** LIQ_SWEEP_BATCH_TASKS tasks, is LIQ_SWEEP_BATCH_SECONDS old or its
** last task took LIQ_SWEEP_BATCH_TASK_SECONDS (batching pays only for
** short tasks; a killed sweep loses the batch). */
static void write_result(executor *x, task_result *r) {
  liq_err e;
  int rc;

  liq_err_clear(&e);
  if (r->rc != LIQ_OK) {
    liq_err ef;
    char why[sizeof r->err.file + sizeof r->err.msg + 32];
    liq_err_format(&r->err, why, sizeof why);
    liq_err_clear(&ef);
    if (!x->db_dead &&
        liq_store_task_fail(x->st, x->sweep_id, r->task_id, why, &ef) != LIQ_OK)
      x->db_dead = 1;
    exec_fail(x, r->rc, &r->err);
    result_free(r);
    return;
  }
  if (x->db_dead) {
    result_free(r);
    return;
  }
  if (r->n_steps + r->n_liqs + r->n_adls == 0) {
    double now = now_seconds();
    if (x->batch_n == x->batch_cap) {
      size_t cap = x->batch_cap ? 2 * x->batch_cap : 64;
      task_result **b = realloc(x->batch, cap * sizeof *b);
      if (b == NULL) {
        flush_batch(x);        /* no room: write what is there, then this one */
        goto alone;
      }
      x->batch = b;
      x->batch_cap = cap;
    }
    if (x->batch_n == 0) x->batch_t0 = now;
    x->batch[x->batch_n++] = r;
    if (x->batch_n >= LIQ_SWEEP_BATCH_TASKS ||
        now - x->batch_t0 >= LIQ_SWEEP_BATCH_SECONDS ||
        r->seconds >= LIQ_SWEEP_BATCH_TASK_SECONDS)
      flush_batch(x);
    return;
  }
  flush_batch(x);              /* keep the order of the writes */
  if (x->db_dead) {
    result_free(r);
    return;
  }
alone:
  rc = write_task(x, r, &e);
  if (rc == LIQ_OK) rc = liq_store_task_commit(x->st, &e);
  result_free(r);
  if (rc != LIQ_OK) {
    x->db_dead = 1;
    exec_fail(x, rc, &e);
    return;
  }
  count_done(x, 1);
}

/* ------------------------------------------------------------------------
** MPI: results travel as one MPI_BYTE message: a header, then the rows.
*/
#ifdef LIQ_HAVE_MPI
enum { TAG_RESULT = 101, TAG_DONE = 102, TAG_STOP = 103, TAG_FINAL = 104 };

typedef struct wire_header {
  uint64_t task_id;
  int32_t  rc;
  int32_t  pad;
  uint64_t n_steps, n_liqs, n_adls;
  double   seconds;
  char     started_at[32];
  liq_summary sm;
  liq_err  err;
} wire_header;

typedef struct wire_done {
  int32_t rc;
  int32_t pad;
  liq_err err;
} wire_done;

/* Other ranks: send a result to rank 0 (called by the writer-lock holder). */
static void mpi_send_result(executor *x, task_result *r) {
  wire_header h;
  size_t n = sizeof h + r->n_steps * sizeof *r->steps + r->n_liqs * sizeof *r->liqs +
             r->n_adls * sizeof *r->adls;
  unsigned char *buf;
  int flag = 0;
  MPI_Status stt;
  if (!x->stop_seen) {
    MPI_Iprobe(0, TAG_STOP, MPI_COMM_WORLD, &flag, &stt);
    if (flag) {
      int dummy;
      MPI_Recv(&dummy, 1, MPI_INT, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      x->stop_seen = 1;
      exec_fail(x, LIQ_OK, NULL);      /* stop starting tasks; rank 0 reports */
    }
  }
  if (n > (size_t)INT32_MAX) {
    liq_err e;
    liq_errf(&e, LIQ_NOMEM, NULL, 0,
             "task %zu: %zu bytes of rows is too large for one MPI message "
             "(set stats.events = false or stats.every)", r->task_id, n);
    r->rc = LIQ_NOMEM;
    r->err = e;
    r->n_steps = r->n_liqs = r->n_adls = 0;
    n = sizeof h;
  }
  memset(&h, 0, sizeof h);
  h.task_id = r->task_id;
  h.rc = r->rc;
  h.n_steps = r->n_steps;
  h.n_liqs = r->n_liqs;
  h.n_adls = r->n_adls;
  h.seconds = r->seconds;
  memcpy(h.started_at, r->started_at, sizeof h.started_at);
  h.sm = r->sm;
  h.err = r->err;
  buf = malloc(n);
  if (buf == NULL) {  /* send the failure alone; rank 0 records it */
    liq_errf(&h.err, LIQ_NOMEM, NULL, 0, "task %zu: out of memory", r->task_id);
    h.rc = LIQ_NOMEM;
    h.n_steps = h.n_liqs = h.n_adls = 0;
    exec_fail(x, LIQ_OK, NULL);
    MPI_Send(&h, (int)sizeof h, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    return;
  }
  memcpy(buf, &h, sizeof h);
  if (r->n_steps) memcpy(buf + sizeof h, r->steps, r->n_steps * sizeof *r->steps);
  if (r->n_liqs)
    memcpy(buf + sizeof h + r->n_steps * sizeof *r->steps, r->liqs,
           r->n_liqs * sizeof *r->liqs);
  if (r->n_adls)
    memcpy(buf + sizeof h + r->n_steps * sizeof *r->steps +
           r->n_liqs * sizeof *r->liqs, r->adls, r->n_adls * sizeof *r->adls);
  MPI_Send(buf, (int)n, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
  free(buf);
}

/* Rank 0: on the first failure, ask the other ranks to stop starting
** tasks (they still send what they finished, then DONE). */
static void mpi_send_stop(executor *x) {
  int dest, one = 1;
  if (x->stop_sent || !exec_stopped(x)) return;
  for (dest = 1; dest < g_size; dest++)
    MPI_Send(&one, 1, MPI_INT, dest, TAG_STOP, MPI_COMM_WORLD);
  x->stop_sent = 1;
}

/* Rank 0: out of memory for a message it must receive; the other ranks
** cannot be told, so liq_sweep_run() returns and the caller aborts them. */
static void mpi_break(executor *x) {
  liq_err e;
  liq_errf(&e, LIQ_NOMEM, NULL, 0, "out of memory for an MPI message");
  exec_fail(x, LIQ_NOMEM, &e);
  x->mpi_broken = 1;
}

/* Rank 0: receive one message that MPI_(I)probe found and act on it. */
static void mpi_handle(executor *x, const MPI_Status *probe) {
  int n = 0, src = probe->MPI_SOURCE;
  unsigned char *buf;
  MPI_Get_count(probe, MPI_BYTE, &n);
  buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf == NULL) {
    mpi_break(x);
    return;
  }
  MPI_Recv(buf, n, MPI_BYTE, src, probe->MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  if (probe->MPI_TAG == TAG_DONE) {
    wire_done d;
    memcpy(&d, buf, sizeof d);
    if (d.rc != LIQ_OK) exec_fail(x, d.rc, &d.err);
    x->ranks_done++;
  } else if (probe->MPI_TAG == TAG_RESULT) {
    wire_header h;
    task_result *r = calloc(1, sizeof *r);
    if (r == NULL) {
      free(buf);
      mpi_break(x);
      return;
    }
    memcpy(&h, buf, sizeof h);
    r->task_id = (size_t)h.task_id;
    r->rc = h.rc;
    r->err = h.err;
    memcpy(r->started_at, h.started_at, sizeof r->started_at);
    r->sm = h.sm;
    r->n_steps = (size_t)h.n_steps;
    r->n_liqs = (size_t)h.n_liqs;
    r->n_adls = (size_t)h.n_adls;
    r->seconds = h.seconds;
    r->steps = malloc(r->n_steps * sizeof *r->steps + 1);
    r->liqs = malloc(r->n_liqs * sizeof *r->liqs + 1);
    r->adls = malloc(r->n_adls * sizeof *r->adls + 1);
    if (r->steps == NULL || r->liqs == NULL || r->adls == NULL) {
      result_free(r);
      free(buf);
      mpi_break(x);
      return;
    }
    if (r->n_steps) memcpy(r->steps, buf + sizeof h, r->n_steps * sizeof *r->steps);
    if (r->n_liqs)
      memcpy(r->liqs, buf + sizeof h + r->n_steps * sizeof *r->steps,
             r->n_liqs * sizeof *r->liqs);
    if (r->n_adls)
      memcpy(r->adls, buf + sizeof h + r->n_steps * sizeof *r->steps +
             r->n_liqs * sizeof *r->liqs, r->n_adls * sizeof *r->adls);
    write_result(x, r);
  }
  free(buf);
  mpi_send_stop(x);
}

/* Rank 0: handle whatever has arrived, without waiting. */
static void mpi_poll(executor *x) {
  int flag = 1;
  MPI_Status stt;
  while (flag && !x->mpi_broken) {
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &stt);
    if (flag) mpi_handle(x, &stt);
  }
}
#endif /* LIQ_HAVE_MPI */

/* Write (rank 0) or send (other ranks) everything queued.  The caller
** holds the writer lock. */
static void drain(executor *x) {
  task_result *r;
  while ((r = queue_pop(x)) != NULL) {
#ifdef LIQ_HAVE_MPI
    if (g_rank != 0) {
      mpi_send_result(x, r);
      if (r->rc != LIQ_OK) exec_fail(x, LIQ_OK, NULL);
      result_free(r);
      continue;
    }
#endif
    write_result(x, r);
  }
#ifdef LIQ_HAVE_MPI
  if (g_mpi_on && g_rank == 0) {
    mpi_poll(x);
    mpi_send_stop(x);
  }
#endif
}

/* After queueing a result: become the writer if nobody is, and drain;
** with a long queue, wait to become the writer (backpressure). */
static void pump(executor *x) {
  for (;;) {
    if (queue_length(x) > x->queue_limit) lock_set(&x->writer_lock);
    else if (!lock_test(&x->writer_lock)) return;  /* the writer will see ours */
    drain(x);
    lock_unset(&x->writer_lock);
    /* A result queued while we released the lock may have found it held. */
    if (queue_length(x) == 0) return;
  }
}

/* The tasks ids[0..n) as sorted work keys (see Units), or NULL.  Without
** 'by_inputs' the points are taken in index order (the hashes ignored). */
static work_key *order_tasks(const liq_sweep_plan *plan, const size_t *ids,
                             size_t n, int by_inputs) {
  work_key *pts = malloc(plan->n_points * sizeof *pts);
  size_t *rank = malloc(plan->n_points * sizeof *rank);
  work_key *keys = malloc((n ? n : 1) * sizeof *keys);
  size_t g, i;
  if (pts == NULL || rank == NULL || keys == NULL) {
    free(pts);
    free(rank);
    free(keys);
    return NULL;
  }
  for (g = 0; g < plan->n_points; g++) {
    memset(&pts[g], 0, sizeof pts[g]);
    pts[g].path_hash = by_inputs ? plan->points[g].path_hash : 0;
    pts[g].book_hash = by_inputs ? plan->points[g].book_hash : 0;
    pts[g].point = g;
  }
  qsort(pts, plan->n_points, sizeof *pts, cmp_point_key);
  for (i = 0; i < plan->n_points; i++) rank[pts[i].point] = i;
  for (i = 0; i < n; i++) {
    size_t rep;
    liq_sweep_task_of(&plan->base->sweep, ids[i], &g, &rep);
    keys[i].path_hash = pts[rank[g]].path_hash;
    keys[i].book_hash = pts[rank[g]].book_hash;
    keys[i].block = rank[g] / LIQ_SWEEP_UNIT_POINTS;
    keys[i].replicate = rep;
    keys[i].point = rank[g];
    keys[i].item = ids[i];
  }
  qsort(keys, n, sizeof *keys, cmp_work_key);
  free(pts);
  free(rank);
  return keys;
}

/* This rank's share of the pending tasks ids[0..n): every g_size-th unit
** of them, into mine[0..*n_mine).  Units by point index, not by the
** inputs hashes, so that every rank cuts the same units whatever its
** scenario bytes; 'threads' is rank 0's on every rank (the unit size
** depends on it), whatever threads this rank runs. */
static int rank_tasks(const liq_sweep_plan *plan, const size_t *ids, size_t n,
                      int threads, size_t *mine, size_t *n_mine, liq_err *err) {
  work_key *keys;
  size_t *starts, n_units = 0, u, t;
  *n_mine = 0;
  if (g_size == 1) {
    if (n > 0) memcpy(mine, ids, n * sizeof *mine);
    *n_mine = n;
    return LIQ_OK;
  }
  keys = order_tasks(plan, ids, n, 0);
  starts = keys ? cut_units(keys, n, threads * g_size, &n_units) : NULL;
  if (starts == NULL) {
    free(keys);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  for (u = (size_t)g_rank; u < n_units; u += (size_t)g_size)
    for (t = starts[u]; t < starts[u + 1]; t++) mine[(*n_mine)++] = keys[t].item;
  free(starts);
  free(keys);
  return LIQ_OK;
}

/* Run the tasks ids[0..n) on 'threads' workers, a unit at a time. */
static void execute(executor *x, const size_t *ids, size_t n, int threads) {
  work_key *keys = order_tasks(x->plan, ids, n, 1);
  size_t n_units = 0, *starts = keys ? cut_units(keys, n, threads, &n_units) : NULL;
  long u, nu = (long)n_units;
  (void)threads;
  if (starts == NULL) {
    exec_fail_nomem(x);
    nu = 0;
  }
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
#endif
  for (u = 0; u < nu; u++) {
    liq_inputs_cache cache;
    size_t t;
    liq_inputs_cache_init(&cache, x->share);
    for (t = starts[u]; t < starts[u + 1]; t++) {
      task_result *r;
      if (exec_stopped(x)) break;
      r = run_task(x, keys[t].item, &cache);
      if (r == NULL) {
        exec_fail_nomem(x);
        break;
      }
      if (r->rc != LIQ_OK) exec_fail(x, LIQ_OK, NULL);   /* stop starting more */
      queue_push(x, r);
      pump(x);
    }
    liq_inputs_cache_clear(&cache);
  }
  free(starts);
  free(keys);
  /* Everything left, by this thread alone. */
  lock_set(&x->writer_lock);
  drain(x);
  lock_unset(&x->writer_lock);
}

/* ------------------------------------------------------------------------
** The sweep
*/

/* Table sweep_point_values: every grid point's axis values, in chunks. */
static int add_point_values(liq_store *st, const liq_scenario *base,
                            size_t n_points, int64_t sweep_id, liq_err *err) {
  const liq_sweep_params *sw = &base->sweep;
  liq_store_point_value *chunk;
  size_t g, a, n = 0, idx[LIQ_MAX_AXES];
  int rc = LIQ_OK;
  if (sw->n_axes == 0) return LIQ_OK;
  chunk = malloc(LIQ_SWEEP_TASK_CHUNK * sizeof *chunk);
  if (chunk == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  for (g = 0; g < n_points && rc == LIQ_OK; g++) {
    liq_sweep_point_index(sw, g, idx);
    for (a = 0; a < sw->n_axes; a++) {
      liq_store_point_value *v = &chunk[n++];
      v->grid_index = g;
      v->key = sw->axes[a].key;
      v->name = sw->axes[a].categorical ? sw->axes[a].names[idx[a]] : NULL;
      v->value = sw->axes[a].categorical ? 0.0 : sw->axes[a].values[idx[a]];
    }
    if (n + LIQ_MAX_AXES > LIQ_SWEEP_TASK_CHUNK) {
      rc = liq_store_sweep_add_point_values(st, sweep_id, chunk, n, err);
      n = 0;
    }
  }
  if (rc == LIQ_OK && n > 0)
    rc = liq_store_sweep_add_point_values(st, sweep_id, chunk, n, err);
  free(chunk);
  return rc;
}

/* Rank 0: open the database, create or resume the sweep, list the
** shard's pending tasks. */
static int setup_db(const liq_sweep_plan *plan, const liq_sweep_options *opt,
                    size_t shard_k, size_t shard_n, liq_store **pst,
                    int64_t *sweep_id, size_t **pending, size_t *n_pending,
                    size_t *n_shard, liq_err *err) {
  const liq_scenario *base = plan->base;
  liq_store_sweep want;
  liq_store_task *chunk = NULL;
  size_t t, n_chunk = 0;
  int rc;

  rc = liq_store_open(opt->db, pst, err);
  if (rc != LIQ_OK) return rc;
  memset(&want, 0, sizeof want);
  want.scenario_name = base->name;
  want.scenario_text = base->text;
  want.scenario_path = base->path;
  want.spec = plan->spec_json;
  want.seed = base->seed;
  want.n_tasks = plan->n_tasks;
  want.n_points = plan->n_points;
  want.replicates = plan->replicates;
  want.shard_k = shard_k;
  want.shard_n = shard_n;

  *sweep_id = 0;
  if (opt->resume) {
    rc = liq_store_sweep_last(*pst, sweep_id, err);
    if (rc == LIQ_OK && *sweep_id != 0)
      rc = liq_store_sweep_check(*pst, *sweep_id, &want, err);
    if (rc == LIQ_OK && *sweep_id != 0)
      rc = liq_store_sweep_reset(*pst, *sweep_id, err);
    if (rc != LIQ_OK) return rc;
  }
  if (*sweep_id == 0) {
    rc = liq_store_sweep_create(*pst, &want, sweep_id, err);
    if (rc != LIQ_OK) return rc;
  }

  /* The shard's tasks (INSERT OR IGNORE: a resumed sweep keeps its rows). */
  chunk = malloc(LIQ_SWEEP_TASK_CHUNK * sizeof *chunk);
  if (chunk == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  for (t = 0; t < plan->n_tasks && rc == LIQ_OK; t++) {
    size_t g, rep;
    liq_store_task *k;
    if (!liq_sweep_in_shard(t, shard_k, shard_n)) continue;
    liq_sweep_task_of(&base->sweep, t, &g, &rep);
    k = &chunk[n_chunk++];
    k->task_id = t;
    k->grid_index = g;
    k->replicate = rep;
    k->params = plan->points[g].params_json;
    k->seed = plan->points[g].seed;
    k->path_seed = liq_inputs_path_seed(k->seed, rep);
    k->book_seed = liq_inputs_book_seed(k->seed, rep);
    if (n_chunk == LIQ_SWEEP_TASK_CHUNK) {
      rc = liq_store_sweep_add_tasks(*pst, *sweep_id, chunk, n_chunk, err);
      n_chunk = 0;
    }
  }
  if (rc == LIQ_OK && n_chunk > 0)
    rc = liq_store_sweep_add_tasks(*pst, *sweep_id, chunk, n_chunk, err);
  free(chunk);
  if (rc == LIQ_OK) rc = add_point_values(*pst, base, plan->n_points, *sweep_id, err);
  if (rc == LIQ_OK) rc = liq_store_sweep_prepare(*pst, base, err);
  if (rc == LIQ_OK)
    rc = liq_store_sweep_pending(*pst, *sweep_id, shard_k, shard_n, pending,
                                 n_pending, n_shard, err);
  return rc;
}

#ifdef LIQ_HAVE_MPI
/* Every rank gets rank 0's status, and on success the pending list and
** rank 0's thread count (*unit_threads: the units of rank_tasks() must
** be cut alike on every rank, whatever threads each has).
** LIQ_NOMEM here leaves the ranks out of step: the caller must abort them. */
static int mpi_share_setup(int rc, liq_err *err, size_t **pending,
                           size_t *n_pending, size_t *n_shard, int *unit_threads) {
  uint64_t hdr[4];
  uint64_t *ids = NULL;
  size_t i;
  hdr[0] = (uint64_t)rc;
  hdr[1] = *n_pending;
  hdr[2] = *n_shard;
  hdr[3] = (uint64_t)*unit_threads;
  MPI_Bcast(hdr, 4, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  *unit_threads = (int)hdr[3];
  if (hdr[0] != LIQ_OK) {
    if (g_rank != 0) liq_errf(err, (int)hdr[0], NULL, 0, "rank 0 failed");
    return (int)hdr[0];
  }
  ids = malloc((size_t)(hdr[1] ? hdr[1] : 1) * sizeof *ids);
  if (ids == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  if (g_rank == 0)
    for (i = 0; i < hdr[1]; i++) ids[i] = (*pending)[i];
  if (hdr[1] > 0) {
    /* in pieces: a count is an int */
    size_t off = 0;
    while (off < hdr[1]) {
      size_t m = hdr[1] - off > (1u << 26) ? (1u << 26) : hdr[1] - off;
      MPI_Bcast(ids + off, (int)m, MPI_UINT64_T, 0, MPI_COMM_WORLD);
      off += m;
    }
  }
  if (g_rank != 0) {
    free(*pending);
    *pending = malloc((size_t)(hdr[1] ? hdr[1] : 1) * sizeof **pending);
    if (*pending == NULL) {
      free(ids);
      return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    }
    for (i = 0; i < hdr[1]; i++) (*pending)[i] = (size_t)ids[i];
    *n_pending = (size_t)hdr[1];
    *n_shard = (size_t)hdr[2];
  }
  free(ids);
  return LIQ_OK;
}
#endif

int liq_sweep_run(const liq_scenario *base, const liq_sweep_options *opt,
                  liq_sweep_report *report, liq_err *err) {
  liq_sweep_plan *plan = NULL;
  liq_store *st = NULL;
  size_t *pending = NULL, *mine = NULL;
  size_t n_pending = 0, n_shard = 0, n_mine = 0, i;
  size_t shard_k = opt->shard_k, shard_n = opt->shard_n;
  int64_t sweep_id = 0;
  int rc, threads = opt->threads, unit_threads;
  executor x;

  memset(report, 0, sizeof *report);
  memset(&x, 0, sizeof x);
  if (shard_n == 0) shard_k = shard_n = 1;
  if (shard_k < 1 || shard_k > shard_n)
    return liq_errf(err, LIQ_USAGE, NULL, 0, "shard %zu/%zu: K must be in 1..N",
                    shard_k, shard_n);
#ifdef _OPENMP
  if (threads <= 0) threads = omp_get_max_threads();
#else
  threads = 1;
#endif
  if (threads < 1) threads = 1;
  unit_threads = threads;      /* rank 0's, on every rank (mpi_share_setup) */

  /* 1. Expand and validate every grid point (every rank, the same way). */
  rc = liq_sweep_plan_build(base, &plan, err);
#ifdef LIQ_HAVE_MPI
  if (g_mpi_on) {
    int worst = rc;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rc == LIQ_OK && worst != LIQ_OK) {
      rc = worst;
      liq_errf(err, rc, NULL, 0, "another rank failed to load the scenario");
    }
  }
#endif
  if (rc != LIQ_OK) goto out;

  /* 2. Rank 0: the database, the sweep and what is left to do. */
  if (g_rank == 0)
    rc = setup_db(plan, opt, shard_k, shard_n, &st, &sweep_id, &pending,
                  &n_pending, &n_shard, err);
#ifdef LIQ_HAVE_MPI
  if (g_mpi_on) {
    rc = mpi_share_setup(rc, err, &pending, &n_pending, &n_shard, &unit_threads);
    if (rc == LIQ_NOMEM) report->abort_ranks = 1;
  }
#endif
  if (rc != LIQ_OK) goto out;

  /* 3. This rank's tasks: every g_size-th unit of the pending ones (whole
  ** units, so that a rank shares a replicate's inputs as one process). */
  mine = malloc((n_pending ? n_pending : 1) * sizeof *mine);
  x.slots = calloc(plan->n_points, sizeof *x.slots);
  if (mine == NULL || x.slots == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
    goto out;
  }
  rc = rank_tasks(plan, pending, n_pending, unit_threads, mine, &n_mine, err);
  if (rc != LIQ_OK) goto out;
  for (i = 0; i < n_mine; i++) x.slots[mine[i] / plan->replicates].left++;

  x.plan = plan;
  x.st = st;
  x.sweep_id = sweep_id;
  x.queue_limit = (size_t)threads * LIQ_SWEEP_QUEUE_PER_THREAD;
  x.todo = n_pending;
  x.t0 = now_seconds();
  x.progress = g_rank == 0 ? opt->progress : NULL;
  x.progress_ud = opt->progress_ud;
  x.share = share_inputs();
  lock_init(&x.slot_lock);
  lock_init(&x.queue_lock);
  lock_init(&x.writer_lock);
  execute(&x, mine, n_mine, threads);
#ifdef LIQ_HAVE_MPI
  if (g_mpi_on) {
    if (g_rank == 0) {
      int dest;
      while (x.ranks_done < g_size - 1 && !x.mpi_broken) {
        MPI_Status stt;
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &stt);
        mpi_handle(&x, &stt);
      }
      if (x.mpi_broken) {
        lock_destroy(&x.slot_lock);
        lock_destroy(&x.queue_lock);
        lock_destroy(&x.writer_lock);
        rc = x.rc;
        if (err != NULL) *err = x.err;
        report->abort_ranks = 1;
        goto out;
      }
      for (dest = 1; dest < g_size; dest++)
        MPI_Send(&x.stop_sent, 1, MPI_INT, dest, TAG_FINAL, MPI_COMM_WORLD);
    } else {
      wire_done d;
      int stop_sent = 0;
      memset(&d, 0, sizeof d);
      d.rc = x.rc;
      d.err = x.err;
      MPI_Send(&d, (int)sizeof d, MPI_BYTE, 0, TAG_DONE, MPI_COMM_WORLD);
      MPI_Recv(&stop_sent, 1, MPI_INT, 0, TAG_FINAL, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      if (stop_sent && !x.stop_seen) {
        int dummy;
        MPI_Recv(&dummy, 1, MPI_INT, 0, TAG_STOP, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
      }
    }
  }
#endif
  report->seconds = now_seconds() - x.t0;
  lock_destroy(&x.slot_lock);
  lock_destroy(&x.queue_lock);
  lock_destroy(&x.writer_lock);
  rc = x.rc;
  if (rc != LIQ_OK && err != NULL) *err = x.err;

  /* 4. Rank 0: the last batch, then the aggregates, from whatever is done
  ** (also after a failure). */
  if (g_rank == 0) flush_batch(&x);
  if (x.db_dead && rc == LIQ_OK) {
    rc = x.rc;
    if (err != NULL) *err = x.err;
  }
  if (g_rank == 0 && !x.db_dead) {
    liq_err e2;
    int rc2;
    liq_err_clear(&e2);
    rc2 = liq_store_sweep_aggregate(st, sweep_id, &e2);
    if (rc2 != LIQ_OK && rc == LIQ_OK) {
      rc = rc2;
      if (err != NULL) *err = e2;
    }
  }
#ifdef LIQ_HAVE_MPI
  if (g_mpi_on) {
    int all = rc;
    MPI_Bcast(&all, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (g_rank != 0 && all != LIQ_OK && rc == LIQ_OK) {
      rc = all;
      liq_errf(err, rc, NULL, 0, "rank 0 failed");
    }
  }
#endif

  report->sweep_id = sweep_id;
  report->n_tasks = plan->n_tasks;
  report->n_points = plan->n_points;
  report->n_shard = n_shard;
  report->n_already = n_shard - n_pending;
  report->n_run = g_rank == 0 ? x.done : n_mine;
  report->ranks = g_size;
  report->threads = threads;

out:
  for (i = 0; i < x.batch_n; i++) result_free(x.batch[i]);
  free(x.batch);
  if (x.slots != NULL && plan != NULL)
    for (i = 0; i < plan->n_points; i++) liq_scenario_free(x.slots[i].sc);
  free(x.slots);
  free(mine);
  free(pending);
  liq_store_close(st);
  liq_sweep_plan_free(plan);
  return rc;
}

/* ------------------------------------------------------------------------
** Merge
*/

/* The same path, or two names of one existing file. */
static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (strcmp(a, b) == 0) return 1;
  if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Remove a database file and its -wal and -shm. */
static void remove_db_files(const char *path) {
  static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
  char buf[LIQ_PATH_MAX + 96];
  size_t i;
  for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
    snprintf(buf, sizeof buf, "%s%s", path, suffix[i]);
    remove(buf);
  }
}

int liq_sweep_merge(const char *out, const char *const *in, size_t n,
                    int64_t *sweep_id, size_t *n_done, size_t *n_tasks,
                    liq_err *err) {
  liq_store *st = NULL;
  char *text0 = NULL, *spec0 = NULL;
  char tmp[LIQ_PATH_MAX + 64];
  size_t i, n_copied;
  int rc = LIQ_OK;

  *sweep_id = 0;
  *n_done = *n_tasks = 0;
  if (n == 0) return liq_errf(err, LIQ_USAGE, NULL, 0, "nothing to merge");
  /* Every input first: one sweep, from one scenario, before writing. */
  for (i = 0; i < n && rc == LIQ_OK; i++) {
    int64_t id;
    char *text = NULL, *spec = NULL;
    if (same_file(in[i], out)) {
      rc = liq_errf(err, LIQ_USAGE, in[i], 0,
                    "the output database is also an input");
      break;
    }
    rc = liq_store_sweep_identity(in[i], &id, &text, &spec, err);
    if (rc != LIQ_OK) break;
    if (i == 0) {
      text0 = text;
      spec0 = spec;
      continue;
    }
    if (strcmp(text, text0) != 0)
      rc = liq_errf(err, LIQ_INPUT, in[i], 0,
                    "its sweep comes from a different scenario than %s's "
                    "(scenario text differs)", in[0]);
    else if (strcmp(spec, spec0) != 0)
      rc = liq_errf(err, LIQ_INPUT, in[i], 0,
                    "its sweep has a different sweep spec than %s's", in[0]);
    free(text);
    free(spec);
  }
  free(text0);
  free(spec0);
  if (rc != LIQ_OK) return rc;

  /* The output is built under a temporary name next to it (a copy of it
  ** when it exists) and renamed over it only when every input merged: a
  ** failure leaves OUT as it was, never half-merged. */
  {
    struct stat sb;
    int have_out = stat(out, &sb) == 0;
    if (have_out && S_ISDIR(sb.st_mode))
      return liq_errf(err, LIQ_USAGE, out, 0, "is a directory (expected a "
                      "database file)");
    snprintf(tmp, sizeof tmp, "%s.merging-%ld", out, (long)getpid());
    remove_db_files(tmp);
    rc = have_out ? liq_store_copy_file(out, tmp, err) : LIQ_OK;
  }
  if (rc == LIQ_OK) rc = liq_store_open(tmp, &st, err);
  for (i = 0; i < n && rc == LIQ_OK; i++)
    rc = liq_store_sweep_merge_from(st, in[i], sweep_id, &n_copied, err);
  if (rc == LIQ_OK) rc = liq_store_sweep_aggregate(st, *sweep_id, err);
  if (rc == LIQ_OK) rc = liq_store_sweep_counts(st, *sweep_id, n_done, n_tasks, err);
  liq_store_close(st);         /* folds the WAL into the file */
  if (rc == LIQ_OK && rename(tmp, out) != 0)
    rc = liq_errf(err, LIQ_IO, out, 0, "cannot rename %s to it: %s", tmp,
                  strerror(errno));
  if (rc != LIQ_OK) remove_db_files(tmp);
  return rc;
}

/* ------------------------------------------------------------------------
** MPI set-up
*/

int liq_sweep_mpi_begin(int *argc, char ***argv, int *rank, int *size,
                        liq_err *err) {
  *rank = 0;
  *size = 1;
#ifdef LIQ_HAVE_MPI
  if (getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMI_SIZE") != NULL ||
      getenv("PMIX_RANK") != NULL) {
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) !=
        MPI_SUCCESS)
      return liq_errf(err, LIQ_IO, NULL, 0, "MPI_Init_thread failed");
    if (provided < MPI_THREAD_SERIALIZED) {
      MPI_Finalize();
      return liq_errf(err, LIQ_IO, NULL, 0,
                      "the MPI library does not support MPI_THREAD_SERIALIZED");
    }
    g_mpi_on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    *rank = g_rank;
    *size = g_size;
  }
#else
  (void)argc;
  (void)argv;
  (void)err;
#endif
  return LIQ_OK;
}

void liq_sweep_mpi_end(void) {
#ifdef LIQ_HAVE_MPI
  if (g_mpi_on) MPI_Finalize();
  g_mpi_on = 0;
  g_rank = 0;
  g_size = 1;
#endif
}
