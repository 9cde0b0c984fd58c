/*
** inputs.c: a replicate's price path and book from a scenario and its
** seed (see liq_inputs.h); used by a plain run and by every sweep task.
*/
#include "liq_inputs.h"

#include <stdio.h>
#include <string.h>

uint64_t liq_inputs_path_seed(uint64_t seed, size_t replicate) {
  return liq_seed(seed, (uint64_t)replicate, LIQ_STREAM_PATH);
}

uint64_t liq_inputs_book_seed(uint64_t seed, size_t replicate) {
  return liq_seed(seed, (uint64_t)replicate, LIQ_STREAM_BOOK);
}

static int build_path(const liq_scenario *sc, size_t replicate, liq_path **path,
                      liq_err *err) {
  int rc = liq_path_build(&sc->price, sc->steps, sc->step_seconds,
                          liq_inputs_path_seed(sc->seed, replicate), path, err);
  rc = liq_scenario_locate(sc, sc->where.price, rc, err);
  if (rc == LIQ_OK && (*path)->n == 0)
    rc = liq_errf(err, LIQ_INPUT, sc->path, 0, "the price path has no bars");
  if (rc != LIQ_OK) {
    liq_path_free(*path);
    *path = NULL;
  }
  return rc;
}

static int build_book(const liq_scenario *sc, size_t replicate,
                      const liq_path *path, liq_book **book, liq_err *err) {
  return liq_book_build(sc, path, liq_inputs_book_seed(sc->seed, replicate), book,
                        err);
}

int liq_inputs_build(const liq_scenario *sc, size_t replicate,
                     liq_path **path, liq_book **book, liq_err *err) {
  int rc;
  *path = NULL;
  *book = NULL;
  rc = build_path(sc, replicate, path, err);
  if (rc == LIQ_OK) rc = build_book(sc, replicate, *path, book, err);
  if (rc != LIQ_OK) {
    liq_path_free(*path);
    *path = NULL;
  }
  return rc;
}

/* ------------------------------------------------------------------------
** Sharing
*/

static int same_path_part(const liq_inputs_key *k, const liq_scenario *sc) {
  return k->seed == sc->seed && k->steps == sc->steps &&
         memcmp(&k->step_seconds, &sc->step_seconds, sizeof k->step_seconds) == 0 &&
         memcmp(&k->price, &sc->price, sizeof k->price) == 0 &&
         strcmp(k->file, sc->path) == 0;
}

/* The margin settings a book is drawn from: 'm' without the ones only
** the engine reads (calls, fees, partial liquidations, top-ups); the book
** reads initial, maintenance and the tiers (liq_margin_max_leverage(),
** liq_margin_mm(), liq_margin_rule_liq_price()). */
static void book_margin(const liq_margin_params *m, liq_margin_params *out) {
  memcpy(out, m, sizeof *out);               /* padding too */
  out->call_level = 0.0;
  out->liquidation_fee = 0.0;
  out->partial_mode = 0;
  out->partial_buffer = 0.0;
  out->partial_share = 0.0;
  out->partial_cooldown = 0;
  out->topup_share = 0.0;
  out->topup_delay = 0;
}

static int same_book_part(const liq_inputs_key *k, const liq_scenario *sc) {
  liq_margin_params m;
  book_margin(&sc->margin, &m);
  return memcmp(&k->book, &sc->book, sizeof k->book) == 0 &&
         memcmp(&k->margin, &m, sizeof m) == 0;
}

/* A hash of n bytes, eight at a time (equal bytes hash equal; that is
** all it is used for). */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  uint64_t w;
  size_t i;
  for (i = 0; i + 8 <= n; i += 8) {
    memcpy(&w, b + i, 8);
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
  }
  for (; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

uint64_t liq_inputs_path_hash(const liq_scenario *sc) {
  uint64_t h = 14695981039346656037ull;
  h = hash_bytes(h, &sc->seed, sizeof sc->seed);
  h = hash_bytes(h, &sc->steps, sizeof sc->steps);
  h = hash_bytes(h, &sc->step_seconds, sizeof sc->step_seconds);
  h = hash_bytes(h, &sc->price, sizeof sc->price);
  return hash_bytes(h, sc->path, strlen(sc->path));
}

uint64_t liq_inputs_book_hash(const liq_scenario *sc) {
  uint64_t h = liq_inputs_path_hash(sc);
  liq_margin_params m;
  book_margin(&sc->margin, &m);
  h = hash_bytes(h, &sc->book, sizeof sc->book);
  return hash_bytes(h, &m, sizeof m);
}

void liq_inputs_cache_init(liq_inputs_cache *c, int share) {
  memset(c, 0, sizeof *c);
  c->share = share;
}

void liq_inputs_cache_clear(liq_inputs_cache *c) {
  liq_book_free(c->book);
  liq_path_free(c->path);
  c->book = NULL;
  c->path = NULL;
  c->have_book = c->have_path = 0;
}

int liq_inputs_get(liq_inputs_cache *c, const liq_scenario *sc, size_t replicate,
                   const liq_path **path, const liq_book **book, liq_err *err) {
  int rc = LIQ_OK;
  *path = NULL;
  *book = NULL;
  if (!c->share || !c->have_path || c->replicate != replicate ||
      !same_path_part(&c->key, sc)) {
    liq_inputs_cache_clear(c);
    rc = build_path(sc, replicate, &c->path, err);
    if (rc != LIQ_OK) return rc;
    c->n_path_builds++;
    c->have_path = 1;
    c->replicate = replicate;
    c->key.seed = sc->seed;
    c->key.steps = sc->steps;
    c->key.step_seconds = sc->step_seconds;
    memcpy(&c->key.price, &sc->price, sizeof c->key.price);  /* padding too */
    snprintf(c->key.file, sizeof c->key.file, "%s", sc->path);
  }
  if (!c->have_book || !same_book_part(&c->key, sc)) {
    liq_book_free(c->book);
    c->book = NULL;
    c->have_book = 0;
    rc = build_book(sc, replicate, c->path, &c->book, err);
    if (rc != LIQ_OK) {
      liq_inputs_cache_clear(c);
      return rc;
    }
    c->n_book_builds++;
    c->have_book = 1;
    memcpy(&c->key.book, &sc->book, sizeof c->key.book);
    book_margin(&sc->margin, &c->key.margin);
  }
  *path = c->path;
  *book = c->book;
  return LIQ_OK;
}
