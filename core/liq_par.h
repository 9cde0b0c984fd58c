/*
** liq_par.h: threads for a run's data-parallel loops (book draws, ladder
** sorts).  Every such loop splits its work into pieces whose results do
** not depend on which thread runs them, so the output is the same
** whatever the thread count.
*/
#ifndef LIQ_PAR_H
#define LIQ_PAR_H

/* An OpenMP directive, or nothing in a build without OpenMP:
** LIQ_OMP(parallel for schedule(static) num_threads(t)). */
#define LIQ_PRAGMA_(...) _Pragma(#__VA_ARGS__)
#ifdef _OPENMP
#define LIQ_OMP(...) LIQ_PRAGMA_(omp __VA_ARGS__)
#else
#define LIQ_OMP(...)
#endif

/* Loops over fewer items than this run on one thread (a team costs more). */
#define LIQ_PAR_MIN_ITEMS ((size_t)1 << 16)

/* Threads for a data-parallel loop: omp_get_max_threads() (OMP_NUM_THREADS)
** at the top level; 1 inside a parallel region, active or not (a sweep's
** worker, even at -j 1, runs its task on its own thread); 1 without
** OpenMP; or what liq_par_set_threads() forced. */
int  liq_par_threads(void);
/* Tests: force n threads for the loops above (0: back to the default).
** Not thread-safe: call it outside parallel work. */
void liq_par_set_threads(int n);
/* The calling thread's number within its team, and the team's size (0 and
** 1 outside a parallel region or without OpenMP). */
int  liq_par_thread_num(void);
int  liq_par_team_size(void);

#endif /* LIQ_PAR_H */
