/*
** par.c: threads for a run's data-parallel loops (see liq_par.h).
*/
#include "liq_par.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static int forced_threads;

int liq_par_threads(void) {
#ifdef _OPENMP
  if (omp_get_level() > 0) return 1;
  return forced_threads > 0 ? forced_threads : omp_get_max_threads();
#else
  return 1;
#endif
}

void liq_par_set_threads(int n) {
  forced_threads = n > 0 ? n : 0;
}

int liq_par_thread_num(void) {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

int liq_par_team_size(void) {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}
