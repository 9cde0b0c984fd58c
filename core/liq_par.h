/*
** liq_par.h: threads for a run's data-parallel work (book draws, ladder
** keys, sorts and order checks).  Every such piece of work is split into
** parts whose results do not depend on which thread computes them, so the
** output is the same whatever the thread count.
**
** A team is started for each piece of work and joined at its end
** (pthreads): its threads block, never spin, while they wait, so nothing
** burns a core between pieces (OpenMP's idle threads spin for milliseconds
** after every parallel region, against the run's own row writer and other
** processes).
*/
#ifndef LIQ_PAR_H
#define LIQ_PAR_H

#include <stddef.h>

/* Loops over fewer items than this run on one thread (a team costs more). */
#define LIQ_PAR_MIN_ITEMS ((size_t)1 << 16)
/* The largest team. */
#define LIQ_PAR_MAX_THREADS 64

/* Threads for data-parallel work: omp_get_max_threads() (OMP_NUM_THREADS)
** on the process's main thread outside parallel regions; 1 on any other
** thread or inside an OpenMP parallel region, active or not (a sweep's
** worker, even at -j 1, runs its task on its own thread); 1 without
** OpenMP; or what liq_par_set_threads() forced (main thread only).  At
** most LIQ_PAR_MAX_THREADS. */
int  liq_par_threads(void);
/* Tests: force n threads (0: back to the default).  Not thread-safe: call
** it outside parallel work. */
void liq_par_set_threads(int n);

/* One thread's view of its team. */
typedef struct liq_par_team liq_par_team;
int  liq_par_rank(const liq_par_team *tm);   /* 0 .. size - 1; 0 is the caller */
int  liq_par_size(const liq_par_team *tm);
/* Wait until every thread of the team has reached it. */
void liq_par_barrier(liq_par_team *tm);

/* Run fn(ctx, tm) on a team of up to 'threads' threads, the caller being
** rank 0, and return when all are done.  The team is smaller when threads
** cannot be started (fn reads its size from tm). */
void liq_par_run(int threads, void (*fn)(void *ctx, liq_par_team *tm), void *ctx);

/* Split [0, n) into liq_par_threads() contiguous slices (one when n is
** below LIQ_PAR_MIN_ITEMS) and run fn(ctx, lo, hi, rank) on each, in
** parallel.  Returns the number of slices (ranks 0 .. that - 1). */
int  liq_par_slices(size_t n, void (*fn)(void *ctx, size_t lo, size_t hi, int rank),
                    void *ctx);

#endif /* LIQ_PAR_H */
