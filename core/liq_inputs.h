/*
** liq_inputs.h: a replicate's inputs: build the price path and the book
** of replicate 'replicate' of a scenario from its base seed.
**
**   path seed = liq_seed(seed, replicate, LIQ_STREAM_PATH)
**   book seed = liq_seed(seed, replicate, LIQ_STREAM_BOOK)
**
** A seed depends on (base seed, replicate) only, so replicate k sees the
** same path at every grid point of a sweep (common random numbers).
** `liqsim run` is replicate 0, so a sweep's replicate 0 sees the same
** path and book as a run with the same overrides.
*/
#ifndef LIQ_INPUTS_H
#define LIQ_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "liq_book.h"
#include "liq_err.h"
#include "liq_path.h"
#include "liq_scenario.h"
#include "liq_seed.h"

/* The seeds of replicate 'replicate' of a scenario with base seed 'seed'. */
uint64_t liq_inputs_path_seed(uint64_t seed, size_t replicate);
uint64_t liq_inputs_book_seed(uint64_t seed, size_t replicate);

/* The price path and book of replicate 'replicate' of 'sc' (with the seeds
** above and sc->seed).  On failure both are NULL and err says why
** (LIQ_INPUT with the scenario's file for bad input, e.g. a path with no
** bars). */
int liq_inputs_build(const liq_scenario *sc, size_t replicate,
                     liq_path **path /* OUT */, liq_book **book /* OUT */,
                     liq_err *err);

#endif /* LIQ_INPUTS_H */
