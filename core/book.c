/*
** book.c: synthetic books of isolated-margin positions (see liq_book.h).
**
** One GSL generator, seeded from the book stream's seed, draws positions
** in id order, so a book depends only on (parameters, start price, seed).
*/
#include "liq_book.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "liq_margin.h"

#define LIQ_BOOK_MAX_REDRAWS 1000

liq_book *liq_book_alloc(size_t n) {
  liq_book *b = calloc(1, sizeof *b);
  size_t k = n ? n : 1;
  if (b == NULL) return NULL;
  b->n = n;
  b->side = calloc(k, sizeof *b->side);
  b->qty = calloc(k, sizeof *b->qty);
  b->entry = calloc(k, sizeof *b->entry);
  b->collateral = calloc(k, sizeof *b->collateral);
  b->leverage = calloc(k, sizeof *b->leverage);
  if (!b->side || !b->qty || !b->entry || !b->collateral || !b->leverage) {
    liq_book_free(b);
    return NULL;
  }
  return b;
}

void liq_book_free(liq_book *b) {
  if (b == NULL) return;
  free(b->side);
  free(b->qty);
  free(b->entry);
  free(b->collateral);
  free(b->leverage);
  free(b);
}

/* Entry notional in quote currency. */
static double draw_notional(const liq_book_params *bp, gsl_rng *r) {
  if (bp->notional_dist == LIQ_NOTIONAL_FIXED) return bp->notional_median;
  return bp->notional_median * exp(bp->notional_sigma * gsl_ran_gaussian_ziggurat(r, 1.0));
}

/* Draw position i; return 1 when it is above maintenance at 'start'. */
static int draw_position(liq_book *b, size_t i, int side,
                         const liq_book_params *bp, const liq_margin_params *mp,
                         const gsl_ran_discrete_t *lev, double start,
                         gsl_rng *r) {
  double max_lev = 1.0 / mp->initial;
  double L = bp->leverage[gsl_ran_discrete(r, lev)];
  double notional = draw_notional(bp, r);
  double entry = start;
  double qty, c;
  if (bp->entry_spread > 0.0)
    entry = start * exp(bp->entry_spread * gsl_ran_gaussian_ziggurat(r, 1.0));
  if (L > max_lev) L = max_lev;
  qty = notional / entry;
  c = notional / L;
  b->side[i] = (int8_t)side;
  b->qty[i] = qty;
  b->entry[i] = entry;
  b->collateral[i] = c;
  b->leverage[i] = L;
  return liq_margin_equity(side, qty, entry, c, start) >
         mp->maintenance * qty * start;
}

int liq_book_generate(const liq_book_params *bp, const liq_margin_params *mp,
                      double start_price, uint64_t seed,
                      liq_book **out /* OUT */, liq_err *err) {
  liq_book *b = NULL;
  gsl_rng *r = NULL;
  gsl_ran_discrete_t *lev = NULL;
  size_t n_long, i;
  int rc = LIQ_OK;

  *out = NULL;
  if (!(start_price > 0.0) || !isfinite(start_price))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "book start price must be positive and finite, got %g",
                    start_price);
  b = liq_book_alloc(bp->positions);
  r = gsl_rng_alloc(gsl_rng_mt19937);
  lev = gsl_ran_discrete_preproc(bp->n_leverage, bp->weights);
  if (b == NULL || r == NULL || lev == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory for a book of %zu positions",
                  bp->positions);
    goto out;
  }
  gsl_rng_set(r, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffUL) | 1UL);
  n_long = (size_t)llround((double)bp->positions * bp->long_share);
  for (i = 0; i < bp->positions; i++) {
    int side = i < n_long ? 1 : -1;
    int tries = 0;
    while (!draw_position(b, i, side, bp, mp, lev, start_price, r)) {
      if (++tries >= LIQ_BOOK_MAX_REDRAWS) {
        rc = liq_errf(err, LIQ_INPUT, NULL, 0,
                      "book: %d draws in a row opened below maintenance at the start "
                      "price (book.entry.spread %g too wide for the leverage mix)",
                      tries, bp->entry_spread);
        goto out;
      }
    }
  }
  *out = b;
  b = NULL;
out:
  if (lev) gsl_ran_discrete_free(lev);
  if (r) gsl_rng_free(r);
  liq_book_free(b);
  return rc;
}
