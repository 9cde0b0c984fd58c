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

/*
** Sharing a replicate's inputs between scenarios.  liq_inputs_build()
** reads only these parts of a scenario (and 'where' and 'path' to locate
** an error):
**
**   path: seed, steps, step_seconds, price
**   book: the path's parts, and book, margin (initial, maintenance,
**         tiers: not calls, fees, partial liquidations or top-ups)
**
** so two scenarios whose parts are equal byte for byte (a scenario is
** zeroed before it is filled, so equal settings are equal bytes) draw the
** same path (and book) for a replicate: a sweep's grid points that differ
** only in impact.*, insurance.*, adl.*, stats.*, ... share them.  Keep the
** key below in step when liq_path_build() or liq_book_build() reads more
** of the scenario.
*/
typedef struct liq_inputs_key {
  uint64_t seed;
  size_t   steps;
  double   step_seconds;
  liq_price_params  price;
  liq_book_params   book;
  liq_margin_params margin;    /* the parts the book reads */
  char     file[LIQ_PATH_MAX];   /* the scenario file (relative paths) */
} liq_inputs_key;

/* Hashes of a scenario's path part and book part: equal parts hash
** equal (to order tasks so that sharers are neighbours; equality is
** always checked on the parts themselves). */
uint64_t liq_inputs_path_hash(const liq_scenario *sc);
uint64_t liq_inputs_book_hash(const liq_scenario *sc);

/*
** One worker's last inputs: the path and the book of one replicate, kept
** while the next task's scenario has the same parts (and replicate), so a
** worker that takes the tasks of one replicate in a row draws the path
** once and each distinct book once.  The path and book are read-only (the
** engine takes them const).  'share' 0 builds them for every task (a
** testing knob: LIQ_SWEEP_SHARE_INPUTS=0).
*/
typedef struct liq_inputs_cache {
  int       share;
  int       have_path, have_book;
  size_t    replicate;
  liq_inputs_key key;          /* of the scenario that built them */
  liq_path *path;
  liq_book *book;
  size_t    n_path_builds, n_book_builds;   /* counters, for tests */
} liq_inputs_cache;

void liq_inputs_cache_init(liq_inputs_cache *c, int share);

/* Free what the cache holds (it stays usable). */
void liq_inputs_cache_clear(liq_inputs_cache *c);

/* The path and book of replicate 'replicate' of 'sc', exactly as
** liq_inputs_build() gives them, from the cache when its parts match.
** They belong to the cache: valid until the next call or clear.  On
** failure both are NULL, the cache is empty and err says why. */
int liq_inputs_get(liq_inputs_cache *c, const liq_scenario *sc, size_t replicate,
                   const liq_path **path /* OUT */, const liq_book **book /* OUT */,
                   liq_err *err);

#endif /* LIQ_INPUTS_H */
