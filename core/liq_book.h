/*
** liq_book.h: synthetic books of isolated-margin positions (struct of arrays).
**
** Position i: side[i] = +1 long / -1 short, qty[i] > 0 base units,
** entry[i] > 0 quote per base, collateral[i] = entry notional / leverage,
** leverage[i] = the leverage it opened at (demand capped at 1/initial).
** Ids are array indices.  Generation is deterministic for a given seed.
*/
#ifndef LIQ_BOOK_H
#define LIQ_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "liq_err.h"
#include "liq_scenario.h"

typedef struct liq_book {
  size_t  n;
  int8_t *side;
  double *qty;
  double *entry;
  double *collateral;
  double *leverage;
} liq_book;

/* A zeroed book of n positions, or NULL when out of memory. */
liq_book *liq_book_alloc(size_t n);
void liq_book_free(liq_book *b);

/*
** Draw bp->positions positions around 'start_price'.  The first
** round(positions * long_share) are long, the rest short.  Each position
** draws a leverage from the weighted demand (capped at 1/mp->initial), an
** entry notional (lognormal or fixed) and an entry price
** start * exp(entry_spread * Z).  A draw whose equity at start_price is at
** or below maintenance is redrawn whole (as a real book holds no position
** that is already liquidatable); after 1000 failed draws for one position
** the book is rejected as LIQ_INPUT (entry spread too wide for the
** leverage).
*/
int liq_book_generate(const liq_book_params *bp, const liq_margin_params *mp,
                      double start_price, uint64_t seed,
                      liq_book **out /* OUT */, liq_err *err);

#endif /* LIQ_BOOK_H */
