/*
** inputs.c: a replicate's price path and book from a scenario and its
** seed (see liq_inputs.h); used by a plain run and by every sweep task.
*/
#include "liq_inputs.h"

uint64_t liq_inputs_path_seed(uint64_t seed, size_t replicate) {
  return liq_seed(seed, (uint64_t)replicate, LIQ_STREAM_PATH);
}

uint64_t liq_inputs_book_seed(uint64_t seed, size_t replicate) {
  return liq_seed(seed, (uint64_t)replicate, LIQ_STREAM_BOOK);
}

int liq_inputs_build(const liq_scenario *sc, size_t replicate,
                     liq_path **path, liq_book **book, liq_err *err) {
  int rc;
  *path = NULL;
  *book = NULL;
  rc = liq_path_build(&sc->price, sc->steps, sc->step_seconds,
                      liq_inputs_path_seed(sc->seed, replicate), path, err);
  rc = liq_scenario_locate(sc, sc->where.price, rc, err);
  if (rc == LIQ_OK && (*path)->n == 0)
    rc = liq_errf(err, LIQ_INPUT, sc->path, 0, "the price path has no bars");
  if (rc == LIQ_OK)
    rc = liq_book_build(sc, *path, liq_inputs_book_seed(sc->seed, replicate), book,
                        err);
  if (rc != LIQ_OK) {
    liq_path_free(*path);
    *path = NULL;
  }
  return rc;
}
