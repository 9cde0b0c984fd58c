/*
** liq_book.h: books of isolated-margin positions (struct of arrays):
** generated (entries spread around the start price, or opened over a
** warm-up history) or imported from a CSV file.
**
** Position i: side[i] = +1 long / -1 short, qty[i] > 0 base units,
** entry[i] > 0 quote per base, collateral[i] = entry notional / leverage,
** leverage[i] = the leverage it opened at.  Generated leverage is the
** demand capped by liq_margin_max_leverage() for the entry notional (the
** lower of 1/initial and the tier bracket's max_leverage).  Ids are array
** indices.  Generation is deterministic for a given seed.
*/
#ifndef LIQ_BOOK_H
#define LIQ_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "liq_err.h"
#include "liq_margin.h"
#include "liq_path.h"

#define LIQ_MAX_LEVERAGES 32
/* Generated books are drawn in blocks of this many positions, each from
** its own generator (see liq_book_generate()): in parallel, with the same
** book whatever the thread count. */
#define LIQ_BOOK_BLOCK ((size_t)1 << 17)

typedef enum { LIQ_NOTIONAL_LOGNORMAL = 0, LIQ_NOTIONAL_FIXED = 1 } liq_notional_dist;
typedef enum { LIQ_ENTRY_SPREAD = 0, LIQ_ENTRY_HISTORY = 1 } liq_entry_mode;
/* How a trader who demands more leverage than the cap responds
** (book.cap_response): "notional" keeps the collateral (notional /
** demand) and opens the largest notional the cap allows; "collateral"
** keeps the notional and posts notional / cap. */
typedef enum { LIQ_CAP_NOTIONAL = 0, LIQ_CAP_COLLATERAL = 1 } liq_cap_response;

typedef struct liq_book_params {
  size_t positions;        /* number of positions, [1, 10^8] */
  double long_share;       /* share of positions that are long, [0, 1] */
  size_t n_leverage;       /* number of leverage values, [1, LIQ_MAX_LEVERAGES] */
  double leverage[LIQ_MAX_LEVERAGES]; /* demanded leverages, each >= 1 */
  double weights[LIQ_MAX_LEVERAGES];  /* their weights, >= 0, sum > 0 (normalised) */
  int    notional_dist;    /* liq_notional_dist */
  double notional_median;  /* median entry notional, (0, 1e12] */
  double notional_sigma;   /* sd of log notional, [0, 5]; unused when fixed */
  double entry_spread;     /* sd of log(entry / start), [0, 1]; 0: all at start */
  int    entry_mode;       /* liq_entry_mode: book.entry.from = "spread" | "history" */
  int    cap_response;     /* liq_cap_response: book.cap_response, default "notional" */
  size_t entry_lookback;   /* history: positions open at a uniformly drawn close of
                           ** the lookback_steps bars before the start (replay: the
                           ** file's bars before the window; generated models: a
                           ** warm-up path of the same model ending at the start)
                           ** and survive every bar since; >= 1 */
  double open_interest;    /* book.open_interest: quote currency; > 0 scales every
                           ** generated position's qty and collateral by one
                           ** factor so that sum(qty) x start price equals it
                           ** exactly (entries stay; leverage too, up to a tier
                           ** bracket's cap at the new size); 0: off (default) */
  char   file[LIQ_PATH_MAX]; /* book.file: positions from a CSV (columns side,
                           ** qty|notional, entry, leverage|collateral); "" when
                           ** generated.  With a file, only long_share-free keys
                           ** apply: positions is the file's row count. */
} liq_book_params;

/* The whole scenario, for liq_book_build() and liq_book_warmup(). */
typedef struct liq_scenario liq_scenario;

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
** The book the scenario asks for, against the price path 'path' (its
** first open is the start price):
**
**   sc->book.file[0]               liq_book_load_csv(), and every position
**                                  must be above maintenance at the start
**                                  price (else LIQ_INPUT at the row's
**                                  FILE:LINE);
**   entry_mode LIQ_ENTRY_HISTORY   history entries (see liq_book_warmup());
**   otherwise                      liq_book_generate().
**
** 'seed' is the book stream's seed (liq_seed(base, replicate,
** LIQ_STREAM_BOOK)); the warm-up path of a generated model uses the
** separate stream liq_seed(seed, 0, 3).  On failure *out is NULL; a
** generated book whose positions cannot be drawn (every redraw of one
** fails) is LIQ_INPUT at the scenario's book.entry, with the numbers
** behind it (unlike liq_book_generate*(), which know no scenario).
*/
int liq_book_build(const liq_scenario *sc, const liq_path *path, uint64_t seed,
                   liq_book **out /* OUT */, liq_err *err);

/*
** Draw bp->positions positions around 'start_price'.  The first
** round(positions * long_share) are long, the rest short.  Each position
** draws a leverage from the weighted demand, an entry notional (lognormal
** or fixed), caps the leverage at liq_margin_max_leverage(mp, notional),
** and draws an entry price start * exp(entry_spread * Z).  A draw whose
** equity at start_price is at or below liq_margin_mm(mp, qty * start) is
** redrawn whole (as a real book holds no position that is already
** liquidatable); after 1000 failed draws for one position the book is
** rejected as LIQ_INPUT (entry spread too wide for the leverage).
**
** Positions are drawn in blocks of LIQ_BOOK_BLOCK ids, block k from its
** own MT19937: block 0 seeded from 'seed' itself, block k >= 1 from
** liq_seed(seed, k, 4).  So a book of up to LIQ_BOOK_BLOCK positions is
** one generator's draws in id order (as before books had blocks), the
** first LIQ_BOOK_BLOCK positions of a bigger book are the book of
** LIQ_BOOK_BLOCK positions with the same sides, and blocks are drawn on
** liq_par_threads() threads with the same result for any count.  A book
** that cannot be drawn reports the lowest failing position's error.
*/
int liq_book_generate(const liq_book_params *bp, const liq_margin_params *mp,
                      double start_price, uint64_t seed,
                      liq_book **out /* OUT */, liq_err *err);

/*
** History entries: the warm-up series the positions open on, n =
** sc->book.entry_lookback bars ending just before bar 0 of 'path'.
**
**   replay (sc->price.model == LIQ_PRICE_REPLAY): the last lookback bars
**     of sc->price.file before path->t_ms[0], with their times and wicks.
**     Too few bars there (for instance a window that starts at the file's
**     first bar) is LIQ_INPUT.
**   generated models: a path of the same model with steps = lookback from
**     the stream liq_seed(seed, 0, 3), time-reversed so that it ends at
**     the start price S = path->open[0]: with g_k the generated log
**     returns (k = 1..L, g_1 first) the warm-up's return in bar j is
**     g_{L-j}, so its closes are
**         c'_j = S * exp(-(g_1 + ... + g_{L-1-j})),   j = 0..L-1,
**     that is c'_{L-1} = S and c'_j = S * g_open / g_close_{L-1-j}.  For
**     i.i.d. returns (gbm, jump) the reversed series has the same law as a
**     forward path that ends at S.  Times are negative: bar j opens at
**     path->t_ms[0] - (L - j) * step.
**
** The warm-up path is a plain liq_path (free with liq_path_free()).
*/
int liq_book_warmup(const liq_scenario *sc, const liq_path *path,
                    uint64_t seed, liq_path **out /* OUT */, liq_err *err);

/*
** Read a book from a CSV file, through the CSV layer (csv_int.h: quoting,
** line ends, byte-order mark, blank rows, field cap).  Lines whose first
** non-blank character is '#' are skipped (comments).  The first other
** line is a header naming the columns, in any order, case-insensitive:
**
**   side        long | short | 1 | -1 (+1), case-insensitive
**   qty         base units, > 0          } exactly one of the two
**   notional    entry notional, > 0      }   (qty = notional / entry)
**   entry       entry price, > 0
**   leverage    leverage at open, > 0    } exactly one of the two
**   collateral  quote currency, > 0      }   (leverage = notional / collateral)
**   id          optional, ignored (positions are numbered by row)
**
** Fields may be surrounded by blanks or double quotes.  A leverage above
** liq_margin_max_leverage(mp, notional) is an error (the exchange would
** not have opened the position).  Every error is LIQ_INPUT with the
** CSV's FILE:LINE (an empty file and missing columns: the header's line);
** a file that cannot be read is LIQ_IO.  Whether a position is already
** liquidatable depends on the start price, which the loader does not
** know: liq_book_build() checks it.
*/
int liq_book_load_csv(const char *path, const liq_margin_params *mp,
                      liq_book **out /* OUT */, liq_err *err);

#endif /* LIQ_BOOK_H */
