/*
** book.c: books of isolated-margin positions (see liq_book.h).
**
** Three sources fill the same struct of arrays:
**
**   liq_book_generate()          entries spread log-normally around the start;
**   generate_history()           entries on the closes of a warm-up series,
**                                kept only when they survived it;
**   liq_book_load_csv()          a CSV file, every row checked.
**
** Positions are drawn in blocks of LIQ_BOOK_BLOCK ids, in parallel; each
** block's GSL generator, seeded from the book stream's seed and the block
** number, draws its positions in id order, so a generated book depends
** only on (parameters, start price or warm-up, seed), not on threads.  A spread entry that opens at or below
** maintenance redraws its entry only (the leverage mix stays the
** configured one); a rejected history entry is redrawn whole (leverage,
** notional and opening bar), which is what makes the surviving leverage
** mix of history entries thinner at high leverage, as survivorship does.
*/
#define _POSIX_C_SOURCE 200809L   /* strcasecmp */

#include "liq_book.h"
#include "csv_int.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "liq_alloc.h"
#include "liq_margin.h"
#include "liq_par.h"
#include "liq_scenario.h"
#include "liq_seed.h"
#include "liq_time.h"

#define LIQ_BOOK_MAX_REDRAWS   1000
#define LIQ_BOOK_MAX_POSITIONS 100000000u   /* as book.positions (engine ids are 32-bit) */
#define LIQ_BOOK_STREAM_WARMUP 3            /* liq_seed() stream of the warm-up path */
#define LIQ_BOOK_STREAM_BLOCK  4            /* liq_seed() stream of draw blocks 1, 2, ... */
#define LIQ_BOOK_LEV_RTOL      1e-9         /* leverage above the cap by rounding only */
#define FIELD_SHOW 40                       /* characters of a bad field quoted in errors */

liq_book *liq_book_alloc(size_t n) {
  liq_book *b = calloc(1, sizeof *b);
  size_t k = n ? n : 1;
  if (b == NULL) return NULL;
  b->n = n;
  b->side = liq_dense_calloc(k, sizeof *b->side);
  b->qty = liq_dense_calloc(k, sizeof *b->qty);
  b->entry = liq_dense_calloc(k, sizeof *b->entry);
  b->collateral = liq_dense_calloc(k, sizeof *b->collateral);
  b->leverage = liq_dense_calloc(k, sizeof *b->leverage);
  if (!b->side || !b->qty || !b->entry || !b->collateral || !b->leverage) {
    liq_book_free(b);
    return NULL;
  }
  return b;
}

void liq_book_free(liq_book *b) {
  if (b == NULL) return;
  liq_dense_free(b->side);
  liq_dense_free(b->qty);
  liq_dense_free(b->entry);
  liq_dense_free(b->collateral);
  liq_dense_free(b->leverage);
  free(b);
}

/* ------------------------------------------------------------------------
** Generated books
*/

/* Entry notional in quote currency. */
static double draw_notional(const liq_book_params *bp, gsl_rng *r) {
  if (bp->notional_dist == LIQ_NOTIONAL_FIXED) return bp->notional_median;
  return bp->notional_median * exp(bp->notional_sigma * gsl_ran_gaussian_ziggurat(r, 1.0));
}

/* The notional a trader with collateral c opens when the demanded
** notional n needs more leverage than the cap allows (book.cap_response =
** "notional"): the largest x <= n with x / c within the cap of x's own
** bracket (flat rules: c / initial).  Bracket k holds [floor_k,
** floor_k+1), so its best is min(n, c cap_k, just below floor_k+1). */
static double notional_under_cap(const liq_margin_params *mp, double n, double c) {
  double best = 0.0;
  size_t k;
  if (mp->n_tiers == 0) return fmin(n, c * liq_margin_max_leverage(mp, n));
  for (k = 0; k < mp->n_tiers; k++) {
    double lo = mp->tiers[k].floor;
    double hi = k + 1 < mp->n_tiers ? nextafter(mp->tiers[k + 1].floor, 0.0) : HUGE_VAL;
    double x = fmin(fmin(n, hi), c * liq_margin_max_leverage(mp, lo));
    if (x >= lo && x > best) best = x;
  }
  return best;
}

/* Demanded leverage, then entry notional; the leverage is capped by the
** rule for that notional (1/initial, or the bracket's max_leverage), the
** trader keeping the notional (posting more collateral) or the collateral
** (opening less) as book.cap_response says.  The draws are the same
** either way, so replicate k's book differs between caps only by the cap
** (common random numbers). */
static void draw_size(const liq_book_params *bp, const liq_margin_params *mp,
                      const gsl_ran_discrete_t *lev, gsl_rng *r,
                      double *leverage, double *notional) {
  double L = bp->leverage[gsl_ran_discrete(r, lev)];
  double n = draw_notional(bp, r);
  double cap = liq_margin_max_leverage(mp, n);
  *leverage = L > cap ? cap : L;
  *notional = n;
  if (L > cap && bp->cap_response == LIQ_CAP_NOTIONAL) {
    double c = n / L, capn;
    *notional = notional_under_cap(mp, n, c);
    capn = liq_margin_max_leverage(mp, *notional);
    /* at the cap up to rounding: the cap itself, as "collateral" gives */
    *leverage = *notional / c >= capn * (1.0 - 1e-12) ? capn : *notional / c;
  }
}

static void set_position(liq_book *b, size_t i, int side, double notional,
                         double entry, double leverage) {
  b->side[i] = (int8_t)side;
  b->qty[i] = notional / entry;
  b->entry[i] = entry;
  b->collateral[i] = notional / leverage;
  b->leverage[i] = leverage;
}

/* 1 when position i's equity at 'price' is above its maintenance margin. */
static int above_mm(const liq_book *b, size_t i, const liq_margin_params *mp,
                    double price) {
  return liq_margin_equity(b->side[i], b->qty[i], b->entry[i], b->collateral[i], price) >
         liq_margin_mm(mp, b->qty[i] * price);
}

/* The warm-up as history entries see it: closes to enter at, and for each
** bar j the lowest low and highest high of the bars after it. */
typedef struct warm {
  size_t        n;
  const double *close;
  double       *min_after;   /* min low over bars j+1..n-1; +inf for the last */
  double       *max_after;   /* max high over bars j+1..n-1; -inf for the last */
} warm;

/* Draw position i; return 1 when it may stay in the book, 0 when it is to
** be redrawn whole (history entries), -1 when no entry of spread entries
** opens above maintenance in LIQ_BOOK_MAX_REDRAWS draws.  Spread entries
** redraw only the entry of a draw at or below maintenance, so that the
** stored leverage mix is the configured one (redrawing whole thinned the
** high-leverage classes: 100x held 3.1 % of positions instead of 5 %). */
static int draw_position(liq_book *b, size_t i, int side,
                         const liq_book_params *bp, const liq_margin_params *mp,
                         const gsl_ran_discrete_t *lev, const warm *w,
                         double start, gsl_rng *r) {
  double L, notional, entry = start, p_liq;
  size_t j;
  draw_size(bp, mp, lev, r, &L, &notional);
  if (w == NULL) {    /* only the entry is redrawn: the leverage mix stays */
    int tries;
    for (tries = 0; tries < LIQ_BOOK_MAX_REDRAWS; tries++) {
      if (bp->entry_spread > 0.0)
        entry = start * exp(bp->entry_spread * gsl_ran_gaussian_ziggurat(r, 1.0));
      set_position(b, i, side, notional, entry, L);
      if (above_mm(b, i, mp, start)) return 1;
    }
    return -1;
  }
  j = (size_t)gsl_rng_uniform_int(r, (unsigned long)w->n);
  set_position(b, i, side, notional, w->close[j], L);
  p_liq = liq_margin_rule_liq_price(mp, side, b->qty[i], b->entry[i], b->collateral[i]);
  if (side > 0 ? !(w->min_after[j] > p_liq) : !(w->max_after[j] < p_liq)) return 0;
  return above_mm(b, i, mp, start);
}

/*
** Every draw of position 'side' failed 'tries' times in a row: say why,
** at the scenario's book.entry (its spread or lookback_steps), with the
** numbers behind it: how far entries sit from the start against the
** move a position at the lowest leverage survives (about 1/L minus the
** maintenance rate).
*/
static int draw_failure(const liq_scenario *sc, const liq_book_params *bp,
                        const liq_margin_params *mp, double start, const warm *w,
                        int side, int tries, liq_err *err) {
  const char *what = side > 0 ? "long" : "short";
  double lmin = HUGE_VAL, cushion, lo = HUGE_VAL, hi = -HUGE_VAL;
  char gap[96] = "";
  size_t k;
  for (k = 0; k < bp->n_leverage; k++)
    if (bp->weights[k] > 0.0 && bp->leverage[k] < lmin) lmin = bp->leverage[k];
  cushion = 100.0 * fmax(0.0, 1.0 / lmin - mp->maintenance);
  if (w == NULL)
    return liq_scenario_errf(sc, sc->where.book_entry, err,
                             "book: %d draws in a row of a %s opened below maintenance "
                             "at the start price %.10g: book.entry.spread %g scatters "
                             "entries by about %.3g %%, but a position at the lowest "
                             "leverage of book.leverage.values (%g) survives a move of "
                             "only about %.3g %%; lower book.entry.spread or the leverage",
                             tries, what, start, bp->entry_spread,
                             100.0 * bp->entry_spread, lmin, cushion);
  for (k = 0; k < w->n; k++) {
    lo = fmin(lo, w->close[k]);
    hi = fmax(hi, w->close[k]);
  }
  if (side > 0 && start < lo)
    snprintf(gap, sizeof gap, "; the start is %.3g %% below the lowest",
             100.0 * (1.0 - start / lo));
  else if (side < 0 && start > hi)
    snprintf(gap, sizeof gap, "; the start is %.3g %% above the highest",
             100.0 * (start / hi - 1.0));
  return liq_scenario_errf(sc, sc->where.book_entry, err,
                           "book: %d draws in a row of a %s were liquidated during the "
                           "%zu-bar warm-up or are below maintenance at the start price "
                           "%.10g: entries are drawn from the warm-up closes, %.10g to "
                           "%.10g%s, and a %s at the lowest leverage of "
                           "book.leverage.values (%g) survives a %s of only about %.3g "
                           "%%; lower the leverage, shorten book.entry.lookback_steps or "
                           "start the window elsewhere",
                           tries, what, w->n, start, lo, hi, gap, what, lmin,
                           side > 0 ? "fall" : "rise", cushion);
}

/*
** book.open_interest: one factor k on every qty and collateral so that
** sum(qty) * start == target (entries and sides stay; under a flat rate
** leverage and liquidation prices stay too).  Tiered brackets depend on
** the notional: a scaled position keeps its leverage up to its new
** bracket's cap (posting more collateral above it), and must still be above
** maintenance at the start.
*/
static int scale_to_open_interest(liq_book *b, const liq_book_params *bp,
                                  const liq_margin_params *mp, double start,
                                  liq_err *err) {
  double sum = 0.0, k;
  size_t i;
  for (i = 0; i < b->n; i++) sum += b->qty[i];
  k = bp->open_interest / (sum * start);
  if (!(k > 0.0) || !isfinite(k))
    return liq_errf(err, LIQ_INPUT, NULL, 0, "book.open_interest %g cannot be reached "
                    "from a book of open interest %g", bp->open_interest, sum * start);
  for (i = 0; i < b->n; i++) {
    b->qty[i] *= k;
    if (mp->n_tiers > 0) {   /* a bigger size may fall in a bracket with a lower cap */
      double cap = liq_margin_max_leverage(mp, b->qty[i] * b->entry[i]);
      if (b->leverage[i] > cap) b->leverage[i] = cap;
    }
    b->collateral[i] = b->qty[i] * b->entry[i] / b->leverage[i];
    if (mp->n_tiers > 0 && !above_mm(b, i, mp, start))
      return liq_errf(err, LIQ_INPUT, NULL, 0,
                      "book.open_interest %g scales position %zu to a notional of "
                      "%g, at or below its margin.tiers bracket's maintenance at the "
                      "start price: raise book.notional.median or book.positions so "
                      "that the scale factor (%g) is nearer 1", bp->open_interest, i,
                      b->qty[i] * b->entry[i], k);
  }
  return LIQ_OK;
}

/* Both generators: spread entries when w is NULL, history entries else;
** 'sc' (may be NULL) locates a failure to draw. */
static int generate_drawn(const liq_book_params *bp, const liq_margin_params *mp,
                          double start_price, const warm *w, uint64_t seed,
                          const liq_scenario *sc, liq_book **out, liq_err *err);

/*
** book.open_interest: draw at the configured median, then again with the
** median times the factor that reaches the target (same seed: the same
** leverage and size draws, so entries and the maintenance check see the
** sizes they will have), then scale exactly (a factor near 1).
*/
static int generate(const liq_book_params *bp, const liq_margin_params *mp,
                    double start_price, const warm *w, uint64_t seed,
                    const liq_scenario *sc, liq_book **out, liq_err *err) {
  liq_book_params at = *bp;
  liq_book *b = NULL;
  double sum = 0.0;
  size_t i;
  int rc, it;
  if (!(bp->open_interest > 0.0))
    return generate_drawn(bp, mp, start_price, w, seed, sc, out, err);
  at.open_interest = 0.0;
  /* A few fixed-point steps: with book.cap_response = "notional" the open
  ** interest is not proportional to the median (capped notionals stop at
  ** bracket floors), so one step can leave the final factor far from 1. */
  for (it = 0; it < 4; it++) {
    sum = 0.0;
    rc = generate_drawn(&at, mp, start_price, w, seed, sc, &b, err);
    if (rc != LIQ_OK) return rc;
    for (i = 0; i < b->n; i++) sum += b->qty[i] * start_price;
    liq_book_free(b);
    b = NULL;
    if (!(sum > 0.0) || !isfinite(bp->open_interest / sum)) break;
    if (it > 0 && fabs(bp->open_interest / sum - 1.0) < 1e-6) break;
    at.notional_median *= bp->open_interest / sum;
  }
  at.open_interest = bp->open_interest;
  return generate_drawn(&at, mp, start_price, w, seed, sc, out, err);
}

/* A draw block's outcome: every position drawn, or the first that could
** not be (its side, and the draws it failed). */
typedef struct block_result {
  int failed, side, tries;
} block_result;

/* What every draw block shares (read-only but for its own rows of 'b' and
** its own result). */
typedef struct draw_job {
  liq_book *b;
  size_t    n_long, n_blocks;
  const liq_book_params   *bp;
  const liq_margin_params *mp;
  const gsl_ran_discrete_t *lev;
  const warm *w;
  double    start;
  uint64_t  seed;
  gsl_rng **r;              /* one generator per thread */
  block_result *res;        /* per block */
} draw_job;

/* MT19937 takes a 32-bit seed: the 64-bit stream seed folded (odd). */
static unsigned long mt_seed(uint64_t seed) {
  return (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffUL) | 1UL;
}

/* Draw the positions of block k, [k B, (k + 1) B) with B = LIQ_BOOK_BLOCK,
** from generator r seeded for it: block 0 from the book stream's seed
** itself (so a book of one block draws exactly as before books had
** blocks), block k >= 1 from liq_seed(seed, k, LIQ_BOOK_STREAM_BLOCK).
** Stop at the first position whose draws all fail. */
static void draw_block(const draw_job *j, size_t k, gsl_rng *r) {
  size_t lo = k * LIQ_BOOK_BLOCK, hi = j->bp->positions, i;
  block_result *res = &j->res[k];
  if (hi - lo > LIQ_BOOK_BLOCK) hi = lo + LIQ_BOOK_BLOCK;
  gsl_rng_set(r, mt_seed(k == 0 ? j->seed : liq_seed(j->seed, k, LIQ_BOOK_STREAM_BLOCK)));
  for (i = lo; i < hi; i++) {
    int side = i < j->n_long ? 1 : -1;
    int tries = 0;
    int got;
    while ((got = draw_position(j->b, i, side, j->bp, j->mp, j->lev, j->w, j->start, r)) != 1) {
      if (got == 0 && ++tries < LIQ_BOOK_MAX_REDRAWS) continue;
      res->failed = 1;
      res->side = side;
      res->tries = got < 0 ? LIQ_BOOK_MAX_REDRAWS : tries;
      return;
    }
  }
}

/* Block claims: the next block to draw, and the lowest that failed. */
typedef struct block_queue {
  pthread_mutex_t mu;
  size_t next, first_fail;
} block_queue;

/* The next block to draw, or n_blocks when none is left: once a block
** has failed, the blocks after it are skipped (the lowest failing block
** is the book's error, and it always runs, whatever the thread count). */
static size_t claim_block(const draw_job *j, block_queue *q, size_t done, int failed) {
  size_t k;
  pthread_mutex_lock(&q->mu);
  if (failed && done < q->first_fail) q->first_fail = done;
  k = q->next < q->first_fail ? q->next++ : j->n_blocks;
  pthread_mutex_unlock(&q->mu);
  return k;
}

typedef struct draw_team {
  const draw_job *j;
  block_queue q;
} draw_team;

static void draw_member(void *ctx, liq_par_team *tm) {
  draw_team *d = ctx;
  gsl_rng *r = d->j->r[liq_par_rank(tm)];
  size_t k = claim_block(d->j, &d->q, 0, 0);
  while (k < d->j->n_blocks) {
    draw_block(d->j, k, r);
    k = claim_block(d->j, &d->q, k, d->j->res[k].failed);
  }
}

/* Every block, on up to 'threads' threads (blocks write disjoint rows). */
static void draw_blocks(const draw_job *j, int threads) {
  draw_team d;
  d.j = j;
  d.q.next = 0;
  d.q.first_fail = j->n_blocks;
  if (threads > 1 && pthread_mutex_init(&d.q.mu, NULL) == 0) {
    liq_par_run(threads, draw_member, &d);
    pthread_mutex_destroy(&d.q.mu);
    return;
  }
  {
    size_t k;
    for (k = 0; k < j->n_blocks; k++) {
      draw_block(j, k, j->r[0]);
      if (j->res[k].failed) break;
    }
  }
}

/* The error of a position whose draws all failed, as liq_book_build()
** (with a scenario) or liq_book_generate() (without) reports it. */
static int draw_error(const liq_book_params *bp, const liq_margin_params *mp,
                      double start_price, const warm *w, const liq_scenario *sc,
                      const block_result *res, liq_err *err) {
  int side = res->side, tries = res->tries;
  if (sc != NULL) return draw_failure(sc, bp, mp, start_price, w, side, tries, err);
  if (w == NULL)
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "book: %d draws in a row opened below maintenance at the start "
                    "price (book.entry.spread %g too wide for the leverage mix)",
                    tries, bp->entry_spread);
  return liq_errf(err, LIQ_INPUT, NULL, 0,
                  "book: %d draws in a row of a %s were liquidated during the "
                  "%zu-bar warm-up or are below maintenance at the start price "
                  "(book.entry.lookback_steps too long for the leverage mix)",
                  tries, side > 0 ? "long" : "short", w->n);
}

static int generate_drawn(const liq_book_params *bp, const liq_margin_params *mp,
                          double start_price, const warm *w, uint64_t seed,
                          const liq_scenario *sc, liq_book **out, liq_err *err) {
  draw_job j;
  liq_book *b = NULL;
  gsl_ran_discrete_t *lev = NULL;
  size_t k;
  int rc = LIQ_OK, threads = liq_par_threads(), t, ok;

  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "book: 'out' is NULL");
  *out = NULL;
  if (!(start_price > 0.0) || !isfinite(start_price))
    return liq_errf(err, LIQ_INPUT, NULL, 0,
                    "book start price must be positive and finite, got %g",
                    start_price);
  memset(&j, 0, sizeof j);
  j.n_blocks = (bp->positions + LIQ_BOOK_BLOCK - 1) / LIQ_BOOK_BLOCK;
  if (threads < 1) threads = 1;
  if ((size_t)threads > j.n_blocks) threads = j.n_blocks ? (int)j.n_blocks : 1;
  b = liq_book_alloc(bp->positions);
  lev = gsl_ran_discrete_preproc(bp->n_leverage, bp->weights);
  j.r = calloc((size_t)threads, sizeof *j.r);
  j.res = calloc(j.n_blocks ? j.n_blocks : 1, sizeof *j.res);
  ok = b != NULL && lev != NULL && j.r != NULL && j.res != NULL;
  for (t = 0; ok && t < threads; t++) ok = (j.r[t] = gsl_rng_alloc(gsl_rng_mt19937)) != NULL;
  if (!ok) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory for a book of %zu positions",
                  bp->positions);
    goto out;
  }
  j.b = b;
  j.n_long = (size_t)llround((double)bp->positions * bp->long_share);
  j.bp = bp;
  j.mp = mp;
  j.lev = lev;
  j.w = w;
  j.start = start_price;
  j.seed = seed;
  draw_blocks(&j, threads);
  for (k = 0; k < j.n_blocks; k++)
    if (j.res[k].failed) {
      rc = draw_error(bp, mp, start_price, w, sc, &j.res[k], err);
      goto out;
    }
  if (bp->open_interest > 0.0) {
    rc = scale_to_open_interest(b, bp, mp, start_price, err);
    if (rc != LIQ_OK) goto out;
  }
  *out = b;
  b = NULL;
out:
  if (lev) gsl_ran_discrete_free(lev);
  for (t = 0; j.r && t < threads; t++)
    if (j.r[t]) gsl_rng_free(j.r[t]);
  free(j.r);
  free(j.res);
  liq_book_free(b);
  return rc;
}

int liq_book_generate(const liq_book_params *bp, const liq_margin_params *mp,
                      double start_price, uint64_t seed,
                      liq_book **out /* OUT */, liq_err *err) {
  return generate(bp, mp, start_price, NULL, seed, NULL, out, err);
}

/*
** Positions opened over 'warmup' (from liq_book_warmup()) and still open
** at 'start_price': sides and sizes as in liq_book_generate(); each
** position then draws its opening bar j uniformly from the warm-up and
** enters at that bar's close (no entry spread).  It must have survived
** every later warm-up bar (long: every low after j above its liquidation
** price under the rule, liq_margin_rule_liq_price(); short: every high
** below it) and be above maintenance at start_price; otherwise it is
** redrawn whole, with the same 1000-draw limit as liq_book_generate().
** Survivorship thins high leverage among old entries, as in a real book.
*/
static int generate_history(const liq_book_params *bp, const liq_margin_params *mp,
                            const liq_path *warmup, double start_price,
                            uint64_t seed, const liq_scenario *sc,
                            liq_book **out, liq_err *err) {
  warm w;
  size_t j;
  int rc;
  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "book: 'out' is NULL");
  *out = NULL;
  if (warmup == NULL || warmup->n == 0)
    return liq_errf(err, LIQ_INPUT, NULL, 0, "book: history entries need a warm-up of >= 1 bar");
  if (warmup->n > 0xffffffffUL)
    return liq_errf(err, LIQ_INPUT, NULL, 0, "book: a warm-up of %zu bars is too long",
                    warmup->n);
  w.n = warmup->n;
  w.close = warmup->close;
  w.min_after = malloc(w.n * sizeof *w.min_after);
  w.max_after = malloc(w.n * sizeof *w.max_after);
  if (w.min_after == NULL || w.max_after == NULL) {
    free(w.min_after);
    free(w.max_after);
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory for a %zu-bar warm-up", w.n);
  }
  /* Suffix extremes: one O(1) survival check per draw. */
  w.min_after[w.n - 1] = INFINITY;
  w.max_after[w.n - 1] = -INFINITY;
  for (j = w.n - 1; j-- > 0;) {
    w.min_after[j] = fmin(w.min_after[j + 1], warmup->low[j + 1]);
    w.max_after[j] = fmax(w.max_after[j + 1], warmup->high[j + 1]);
  }
  rc = generate(bp, mp, start_price, &w, seed, sc, out, err);
  free(w.min_after);
  free(w.max_after);
  return rc;
}

/* ------------------------------------------------------------------------
** Warm-up series for history entries
*/

/* The last L bars of the replay file before bar 0 of 'path'. */
static int warmup_replay(const liq_scenario *sc, const liq_path *path, size_t L,
                         liq_path **out, liq_err *err) {
  liq_path *all = NULL, *w = NULL;
  int64_t t0 = path->t_ms[0];
  size_t nb, off, j;
  int rc;
  /* Read up to and including t0, so the read never comes back empty
  ** (bar 0 is in the file); then count the bars strictly before it. */
  rc = liq_path_replay(sc->price.file, 0, 0, 1, t0, 0, &all, err);
  if (rc != LIQ_OK) return rc;
  nb = all->n;
  while (nb > 0 && all->t_ms[nb - 1] >= t0) nb--;
  if (nb < L) {
    char a[32];
    liq_time_format(t0, a, sizeof a);
    if (nb == 0)
      rc = liq_scenario_errf(sc, sc->where.book_entry, err,
                    "book.entry.from = \"history\" needs %zu bars before the replay "
                    "window, but the window starts at the first bar of %s (%s): set "
                    "price.from at least %zu bars later, or lower "
                    "book.entry.lookback_steps", L, sc->price.file, a, L);
    else
      rc = liq_scenario_errf(sc, sc->where.book_entry, err,
                    "book.entry.lookback_steps = %zu but %s has only %zu bars before "
                    "the replay window start %s: set price.from at least %zu bars "
                    "later, or lower book.entry.lookback_steps", L, sc->price.file,
                    nb, a, L - nb);
    liq_path_free(all);
    return rc;
  }
  off = nb - L;
  rc = liq_path_from_arrays(L, all->open + off, all->has_ohlc ? all->high + off : NULL,
                            all->has_ohlc ? all->low + off : NULL, all->close + off,
                            all->step_seconds, &w, err);
  if (rc == LIQ_OK) {
    for (j = 0; j < L; j++) w->t_ms[j] = all->t_ms[off + j];
    *out = w;
  }
  liq_path_free(all);
  return rc;
}

/* A generated path of L steps of the scenario's model, time-reversed to
** end at the start price (see liq_book.h). */
static int warmup_generated(const liq_scenario *sc, const liq_path *path,
                            size_t L, uint64_t seed, liq_path **out,
                            liq_err *err) {
  liq_path *g = NULL, *w = NULL;
  double *open = NULL, *close = NULL;
  double S = path->open[0], step_ms;
  size_t j;
  int rc;

  open = malloc(L * sizeof *open);
  close = malloc(L * sizeof *close);
  if (open == NULL || close == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory for a %zu-bar warm-up", L);
    goto out;
  }
  rc = liq_path_build(&sc->price, L, sc->step_seconds,
                      liq_seed(seed, 0, LIQ_BOOK_STREAM_WARMUP), &g, err);
  rc = liq_scenario_locate(sc, sc->where.price, rc, err);
  if (rc != LIQ_OK) goto out;
  if (g->n < L) {
    rc = liq_errf(err, LIQ_NUMERIC, NULL, 0,
                  "book: the warm-up path has %zu bars, expected %zu", g->n, L);
    goto out;
  }
  /* c'_j = S * exp(-(g_1 + ... + g_{L-1-j})) = S * g_open / g_close[L-2-j]. */
  for (j = 0; j + 1 < L; j++) close[j] = S * (g->open[0] / g->close[L - 2 - j]);
  close[L - 1] = S;
  open[0] = S * (g->open[0] / g->close[L - 1]);
  for (j = 1; j < L; j++) open[j] = close[j - 1];
  rc = liq_path_from_arrays(L, open, NULL, NULL, close, g->step_seconds, &w, err);
  if (rc != LIQ_OK) goto out;
  step_ms = g->step_seconds * 1000.0;
  for (j = 0; j < L; j++)
    w->t_ms[j] = path->t_ms[0] - (int64_t)llround((double)(L - j) * step_ms);
  *out = w;
out:
  liq_path_free(g);
  free(open);
  free(close);
  return rc;
}

int liq_book_warmup(const liq_scenario *sc, const liq_path *path,
                    uint64_t seed, liq_path **out /* OUT */, liq_err *err) {
  size_t L;
  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "book: 'out' is NULL");
  *out = NULL;
  if (sc == NULL || path == NULL || path->n == 0)
    return liq_errf(err, LIQ_USAGE, NULL, 0,
                    "book: the warm-up needs a scenario and a price path of >= 1 bar");
  L = sc->book.entry_lookback;
  if (L == 0)
    return liq_scenario_errf(sc, sc->where.book_entry, err,
                             "book.entry.lookback_steps must be >= 1 for history "
                             "entries");
  if (sc->price.model == LIQ_PRICE_REPLAY) return warmup_replay(sc, path, L, out, err);
  return warmup_generated(sc, path, L, seed, out, err);
}

/* ------------------------------------------------------------------------
** CSV import
*/

enum { BC_SIDE, BC_QTY, BC_NOTIONAL, BC_ENTRY, BC_LEVERAGE, BC_COLLATERAL, BC_ID, BC_N };
static const char *const bc_name[BC_N] = {
  "side", "qty", "notional", "entry", "leverage", "collateral", "id"
};

typedef struct loader {
  const char *path;
  liq_err    *err;
  const liq_margin_params *mp;
  double      start;        /* NaN: no maintenance check at the start price */
  long        line;         /* line being parsed */
  long        header_line;
  size_t      ncol;         /* header columns */
  int         col[BC_N];    /* field index of each known column, -1 when absent */
  const char *const *fld;  /* the current row's fields (the CSV layer's) */
  int         have_header;
  liq_book   *b;            /* rows so far: b->n of capacity cap */
  size_t      cap;
} loader;

static int ld_fail(loader *ld, long line, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

static int ld_fail(loader *ld, long line, const char *fmt, ...) {
  va_list ap;
  int rc;
  va_start(ap, fmt);
  rc = liq_verrf(ld->err, LIQ_INPUT, ld->path, (int)line, fmt, ap);
  va_end(ap);
  return rc;
}

/* The field's text shortened for a message. */
static const char *show(const char *s, char *buf, size_t size) {
  size_t len = strlen(s);
  if (len < size) return s;
  snprintf(buf, size, "%.*s...", (int)(size - 4), s);
  return buf;
}

static int header(loader *ld, size_t nf) {
  size_t k;
  int c;
  char sb[FIELD_SHOW];
  for (c = 0; c < BC_N; c++) ld->col[c] = -1;
  for (k = 0; k < nf; k++) {
    const char *name = ld->fld[k];
    if (*name == '\0')
      return ld_fail(ld, ld->line, "column %zu of the header has no name", k + 1);
    for (c = 0; c < BC_N; c++)
      if (strcasecmp(name, bc_name[c]) == 0) break;
    if (c == BC_N) {
      char *end;
      (void)strtod(name, &end);
      if (strcasecmp(name, "long") == 0 || strcasecmp(name, "short") == 0 ||
          (*name && *end == '\0'))
        return ld_fail(ld, ld->line,
                       "book file needs a header line first (e.g. "
                       "side,qty,entry,leverage), got '%s' in column %zu",
                       show(name, sb, sizeof sb), k + 1);
      return ld_fail(ld, ld->line,
                     "unknown column '%s' (expected side, qty or notional, entry, "
                     "leverage or collateral, and optionally id)",
                     show(name, sb, sizeof sb));
    }
    if (ld->col[c] >= 0)
      return ld_fail(ld, ld->line, "column '%s' appears twice (columns %d and %zu)",
                     bc_name[c], ld->col[c] + 1, k + 1);
    ld->col[c] = (int)k;
  }
  if (ld->col[BC_SIDE] < 0)
    return ld_fail(ld, ld->line, "missing column side (long/short or 1/-1)");
  if (ld->col[BC_QTY] >= 0 && ld->col[BC_NOTIONAL] >= 0)
    return ld_fail(ld, ld->line, "has both qty and notional columns; give one of them");
  if (ld->col[BC_QTY] < 0 && ld->col[BC_NOTIONAL] < 0)
    return ld_fail(ld, ld->line, "missing column qty or notional");
  if (ld->col[BC_ENTRY] < 0)
    return ld_fail(ld, ld->line, "missing column entry (entry price)");
  if (ld->col[BC_LEVERAGE] >= 0 && ld->col[BC_COLLATERAL] >= 0)
    return ld_fail(ld, ld->line,
                   "has both leverage and collateral columns; give one of them");
  if (ld->col[BC_LEVERAGE] < 0 && ld->col[BC_COLLATERAL] < 0)
    return ld_fail(ld, ld->line, "missing column leverage or collateral");
  ld->ncol = nf;
  ld->header_line = ld->line;
  return LIQ_OK;
}

/* Column c of the current row as a positive finite number. */
static int number(loader *ld, int c, double *v) {
  const char *s = ld->fld[ld->col[c]];
  char *end;
  char sb[FIELD_SHOW];
  if (*s == '\0') return ld_fail(ld, ld->line, "%s is empty", bc_name[c]);
  *v = strtod(s, &end);
  if (*end != '\0')
    return ld_fail(ld, ld->line, "%s is not a number '%s'", bc_name[c],
                   show(s, sb, sizeof sb));
  if (!isfinite(*v) || !(*v > 0.0))
    return ld_fail(ld, ld->line, "%s must be a positive finite number, got '%s'",
                   bc_name[c], show(s, sb, sizeof sb));
  return LIQ_OK;
}

static int reserve(loader *ld) {
  liq_book *b = ld->b;
  size_t nc;
  void *p;
  if (b->n < ld->cap) return LIQ_OK;
  nc = ld->cap ? 2 * ld->cap : 1024;
  if ((p = liq_dense_realloc(b->side, nc, sizeof *b->side)) == NULL) return LIQ_NOMEM;
  b->side = p;
  if ((p = liq_dense_realloc(b->qty, nc, sizeof *b->qty)) == NULL) return LIQ_NOMEM;
  b->qty = p;
  if ((p = liq_dense_realloc(b->entry, nc, sizeof *b->entry)) == NULL) return LIQ_NOMEM;
  b->entry = p;
  if ((p = liq_dense_realloc(b->collateral, nc, sizeof *b->collateral)) == NULL) return LIQ_NOMEM;
  b->collateral = p;
  if ((p = liq_dense_realloc(b->leverage, nc, sizeof *b->leverage)) == NULL) return LIQ_NOMEM;
  b->leverage = p;
  ld->cap = nc;
  return LIQ_OK;
}

static int row(loader *ld, size_t nf) {
  const char *s;
  char sb[FIELD_SHOW];
  double q, entry, notional, L, c, cap;
  int side;
  size_t i;
  const liq_margin_params *mp = ld->mp;

  if (nf != ld->ncol)
    return ld_fail(ld, ld->line, "row has %zu field%s but the header (line %ld) has %zu",
                   nf, nf == 1 ? "" : "s", ld->header_line, ld->ncol);
  s = ld->fld[ld->col[BC_SIDE]];
  if (strcasecmp(s, "long") == 0 || strcmp(s, "1") == 0 || strcmp(s, "+1") == 0)
    side = 1;
  else if (strcasecmp(s, "short") == 0 || strcmp(s, "-1") == 0)
    side = -1;
  else
    return ld_fail(ld, ld->line, "unknown side '%s' (expected long, short, 1 or -1)",
                   show(s, sb, sizeof sb));
  if (number(ld, BC_ENTRY, &entry) != LIQ_OK) return LIQ_INPUT;
  if (ld->col[BC_QTY] >= 0) {
    if (number(ld, BC_QTY, &q) != LIQ_OK) return LIQ_INPUT;
    notional = q * entry;
  } else {
    if (number(ld, BC_NOTIONAL, &notional) != LIQ_OK) return LIQ_INPUT;
    q = notional / entry;
  }
  if (!(isfinite(notional) && notional > 0.0 && q > 0.0 && isfinite(q)))
    return ld_fail(ld, ld->line, "qty * entry is not a positive finite notional");
  if (ld->col[BC_LEVERAGE] >= 0) {
    if (number(ld, BC_LEVERAGE, &L) != LIQ_OK) return LIQ_INPUT;
    c = notional / L;
  } else {
    if (number(ld, BC_COLLATERAL, &c) != LIQ_OK) return LIQ_INPUT;
    L = notional / c;
  }
  if (!(isfinite(L) && L > 0.0 && isfinite(c) && c > 0.0))
    return ld_fail(ld, ld->line, "leverage notional/collateral is not a positive finite number");
  cap = liq_margin_max_leverage(mp, notional);
  if (L > cap * (1.0 + LIQ_BOOK_LEV_RTOL))
    return ld_fail(ld, ld->line,
                   "leverage %.6g%s is above the maximum %.6g for a notional of %.10g (%s)",
                   L, ld->col[BC_LEVERAGE] >= 0 ? "" : " (notional / collateral)", cap,
                   notional,
                   mp->n_tiers ? "the lower of 1/margin.initial and the tier's max_leverage"
                               : "1/margin.initial");
  if (ld->b->n >= LIQ_BOOK_MAX_POSITIONS)
    return ld_fail(ld, ld->line, "more than %u positions", LIQ_BOOK_MAX_POSITIONS);
  if (reserve(ld) != LIQ_OK)
    return liq_errf(ld->err, LIQ_NOMEM, ld->path, 0, "out of memory reading the book file");
  i = ld->b->n++;
  ld->b->side[i] = (int8_t)side;
  ld->b->qty[i] = q;
  ld->b->entry[i] = entry;
  ld->b->collateral[i] = c;
  ld->b->leverage[i] = L;
  if (isfinite(ld->start) && !above_mm(ld->b, i, mp, ld->start))
    return ld_fail(ld, ld->line,
                   "position is already at or below maintenance at the start price "
                   "%.10g (liquidation price %.10g); a book must fit the price it starts from",
                   ld->start, liq_margin_rule_liq_price(mp, side, q, entry, c));
  return LIQ_OK;
}

/* One row of the book file (see csv_int.h): the header, then positions. */
static int on_book_row(void *ctx, const liq_csv_row *r, liq_err *err) {
  loader *ld = ctx;
  (void)err;
  ld->line = r->line;
  ld->fld = r->field;
  if (!ld->have_header) {
    int rc = header(ld, r->n);
    ld->have_header = rc == LIQ_OK;
    return rc;
  }
  return row(ld, r->n);
}

/* The loader; 'start' NaN skips the maintenance check at the start price. */
static int load_csv(const char *path, const liq_margin_params *mp, double start,
                    liq_book **out, liq_err *err) {
  loader ld;
  FILE *f = NULL;
  int rc = LIQ_OK;

  if (out == NULL) return liq_errf(err, LIQ_USAGE, path, 0, "book: 'out' is NULL");
  *out = NULL;
  if (path == NULL || path[0] == '\0')
    return liq_errf(err, LIQ_INPUT, NULL, 0, "book: no book file given");
  memset(&ld, 0, sizeof ld);
  ld.path = path;
  ld.err = err;
  ld.mp = mp;
  ld.start = start;
  ld.b = calloc(1, sizeof *ld.b);
  if (ld.b == NULL) return liq_errf(err, LIQ_NOMEM, path, 0, "out of memory");
  f = fopen(path, "rb");
  if (f == NULL) {
    rc = liq_errf(err, LIQ_IO, path, 0, "cannot open book file: %s", strerror(errno));
    goto out;
  }
  rc = liq_csv_read(f, path, "book file", LIQ_CSV_COMMENTS, on_book_row, &ld, err);
  if (rc != LIQ_OK) goto out;
  if (!ld.have_header) {
    rc = ld_fail(&ld, 1, "empty book file: expected a header line such as "
                 "side,qty,entry,leverage and one row per position");
    goto out;
  }
  if (ld.b->n == 0) {
    rc = ld_fail(&ld, ld.header_line, "book file has a header but no positions");
    goto out;
  }
  *out = ld.b;
  ld.b = NULL;
out:
  if (f) fclose(f);
  liq_book_free(ld.b);
  return rc;
}

int liq_book_load_csv(const char *path, const liq_margin_params *mp,
                      liq_book **out /* OUT */, liq_err *err) {
  return load_csv(path, mp, nan(""), out, err);
}

/* ------------------------------------------------------------------------
** Scenario dispatch
*/

int liq_book_build(const liq_scenario *sc, const liq_path *path, uint64_t seed,
                   liq_book **out /* OUT */, liq_err *err) {
  liq_path *w = NULL;
  int rc;
  if (out == NULL) return liq_errf(err, LIQ_USAGE, NULL, 0, "book: 'out' is NULL");
  *out = NULL;
  if (sc == NULL || path == NULL || path->n == 0)
    return liq_errf(err, LIQ_USAGE, NULL, 0,
                    "book: needs a scenario and a price path of >= 1 bar (the start "
                    "price is the path's first open)");
  if (sc->book.file[0] != '\0')
    return load_csv(sc->book.file, &sc->margin, path->open[0], out, err);
  if (sc->book.entry_mode != LIQ_ENTRY_HISTORY)
    return generate(&sc->book, &sc->margin, path->open[0], NULL, seed, sc, out, err);
  rc = liq_book_warmup(sc, path, seed, &w, err);
  if (rc != LIQ_OK) return rc;
  rc = generate_history(&sc->book, &sc->margin, w, path->open[0], seed, sc, out, err);
  liq_path_free(w);
  return rc;
}
