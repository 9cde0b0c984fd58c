/*
** engine.c: the step loop and cascade resolution (see liq_engine.h).
**
** Each side keeps its open positions in one array sorted by liquidation
** price, most fragile first (longs: descending p_liq; shorts: ascending),
** ties by id.  Because nothing in this engine changes a position after it
** opens, the liquidated positions of a side are always a prefix of that
** array: a cascade round walks the cursor forward past the thresholds the
** price crossed and never looks at the rest of the book.
**
** Per step the engine also answers two questions about the open positions
** without scanning them:
**   - margin calls: positions with p_liq < p < p_call (long); a Fenwick tree
**     over the ranks of p_call counts the open ones beyond the price;
**   - cushion quantiles: the normalised cushion of an open long is
**     (1-m)/(imr-m) * (1 - p_liq/p), ascending along the array, and of a
**     short (1+m)/(imr-m) * (p_liq/p - 1), also ascending; a quantile of
**     both sides is the k-th value of two sorted sequences: O(log N).
*/
#include "liq_engine.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "liq_impact.h"
#include "liq_margin.h"
#include "liq_stats.h"

/* One side of the book, in liquidation order. */
typedef struct side_book {
  int       side;        /* +1 long, -1 short */
  size_t    n;           /* positions on this side */
  size_t    cursor;      /* [0, cursor) are closed */
  uint32_t *id;          /* position id, in liquidation order */
  double   *p_liq;       /* liquidation price, in liquidation order */
  double   *qty_suffix;  /* qty_suffix[i] = sum of qty over [i, n) */
  double   *p_call;      /* call thresholds sorted, most fragile first */
  uint32_t *call_rank;   /* call_rank[i]: rank in p_call of position order i */
  int32_t  *fenwick;     /* open counts over call ranks (1-based tree) */
} side_book;

typedef struct keyed { double key; uint32_t id; } keyed;

static int cmp_asc(const void *pa, const void *pb) {
  const keyed *a = pa, *b = pb;
  if (a->key < b->key) return -1;
  if (a->key > b->key) return 1;
  return (a->id > b->id) - (a->id < b->id);
}

static int cmp_desc(const void *pa, const void *pb) {
  const keyed *a = pa, *b = pb;
  if (a->key > b->key) return -1;
  if (a->key < b->key) return 1;
  return (a->id > b->id) - (a->id < b->id);
}

static void side_free(side_book *s) {
  free(s->id);
  free(s->p_liq);
  free(s->qty_suffix);
  free(s->p_call);
  free(s->call_rank);
  free(s->fenwick);
  memset(s, 0, sizeof *s);
}

static void fenwick_add(int32_t *t, size_t n, size_t rank, int32_t v) {
  size_t i;
  for (i = rank + 1; i <= n; i += i & (~i + 1)) t[i] += v;
}

/* Sum over ranks [0, r). */
static size_t fenwick_prefix(const int32_t *t, size_t r) {
  long s = 0;
  size_t i;
  for (i = r; i > 0; i -= i & (~i + 1)) s += t[i];
  return (size_t)s;
}

/* Sort one side of 'b' into 's'.  Returns LIQ_OK or LIQ_NOMEM. */
static int side_init(side_book *s, int side, const liq_book *b,
                     const liq_margin_params *mp) {
  size_t i, k, n = 0;
  double call_rate = mp->call_level * mp->initial;
  keyed *tmp = NULL;
  int (*cmp)(const void *, const void *) = side > 0 ? cmp_desc : cmp_asc;

  memset(s, 0, sizeof *s);
  s->side = side;
  for (i = 0; i < b->n; i++) n += b->side[i] == side;
  s->n = n;
  k = n ? n : 1;
  tmp = malloc(k * sizeof *tmp);
  s->id = malloc(k * sizeof *s->id);
  s->p_liq = malloc(k * sizeof *s->p_liq);
  s->qty_suffix = malloc((k + 1) * sizeof *s->qty_suffix);
  s->p_call = malloc(k * sizeof *s->p_call);
  s->call_rank = malloc(k * sizeof *s->call_rank);
  s->fenwick = malloc((k + 1) * sizeof *s->fenwick);
  if (!tmp || !s->id || !s->p_liq || !s->qty_suffix || !s->p_call ||
      !s->call_rank || !s->fenwick) {
    free(tmp);
    side_free(s);
    return LIQ_NOMEM;
  }
  /* Liquidation order. */
  for (i = 0, k = 0; i < b->n; i++) {
    if (b->side[i] != side) continue;
    tmp[k].key = liq_margin_liq_price(side, b->qty[i], b->entry[i],
                                      b->collateral[i], mp->maintenance);
    tmp[k].id = (uint32_t)i;
    k++;
  }
  qsort(tmp, n, sizeof *tmp, cmp);
  for (k = 0; k < n; k++) {
    s->id[k] = tmp[k].id;
    s->p_liq[k] = tmp[k].key;
  }
  s->qty_suffix[n] = 0.0;
  for (k = n; k-- > 0;) s->qty_suffix[k] = s->qty_suffix[k + 1] + b->qty[s->id[k]];
  /* Call thresholds: sort (p_call, order index) and remember each rank. */
  for (k = 0; k < n; k++) {
    uint32_t id = s->id[k];
    tmp[k].key = liq_margin_threshold_price(side, b->qty[id], b->entry[id],
                                            b->collateral[id], call_rate);
    tmp[k].id = (uint32_t)k;
  }
  qsort(tmp, n, sizeof *tmp, cmp);
  for (k = 0; k < n; k++) {
    s->p_call[k] = tmp[k].key;
    s->call_rank[tmp[k].id] = (uint32_t)k;
  }
  /* Every position open: tree node i covers (i - lowbit(i), i]. */
  s->fenwick[0] = 0;
  for (k = 1; k <= n; k++) s->fenwick[k] = (int32_t)(k & (~k + 1));
  free(tmp);
  return LIQ_OK;
}

/* Is order index i of side s liquidatable at price p? */
static int side_crossed(const side_book *s, size_t i, double p) {
  return s->side > 0 ? p <= s->p_liq[i] : p >= s->p_liq[i];
}

/* Open positions of s in margin call at price p (p_liq < p < p_call). */
static size_t side_margin_calls(const side_book *s, double p) {
  size_t lo = 0, hi = s->n, pending, beyond;
  /* beyond: all positions whose call threshold is crossed (first rank not crossed). */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int crossed = s->side > 0 ? s->p_call[mid] > p : s->p_call[mid] < p;
    if (crossed) lo = mid + 1; else hi = mid;
  }
  beyond = fenwick_prefix(s->fenwick, lo);
  /* pending: open but at or beyond p_liq (a cascade cut by max_rounds). */
  lo = s->cursor;
  hi = s->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (side_crossed(s, mid, p)) lo = mid + 1; else hi = mid;
  }
  pending = lo - s->cursor;
  return beyond - pending;
}

/* The normalised cushion of the i-th open position, ascending in i. */
typedef struct cushion_ctx {
  const side_book *s;
  double scale;  /* (1 -/+ m) / (imr - m) */
  double price;
} cushion_ctx;

static double cushion_at(const void *ctx, size_t i) {
  const cushion_ctx *c = ctx;
  double ratio = c->s->p_liq[c->s->cursor + i] / c->price;
  return c->s->side > 0 ? c->scale * (1.0 - ratio) : c->scale * (ratio - 1.0);
}

/* Run state beyond the two sides. */
typedef struct engine {
  const liq_scenario *sc;
  const liq_book *book;
  const liq_sink *sink;
  side_book lng, sht;
  double    J;            /* accumulated impact factor: market = exogenous * J */
  double    daily_vol;
  double    fund;
  liq_drawdown dd, dd_exo;
  liq_step_row row;       /* the step being built */
  liq_summary *sm;
} engine;

static void visit_price(engine *e, double p) {
  liq_summary *sm = e->sm;
  if (p < sm->min_price) sm->min_price = p;
  if (p > sm->max_price) sm->max_price = p;
  if (p < e->row.price_low) e->row.price_low = p;
  if (p > e->row.price_high) e->row.price_high = p;
  liq_drawdown_add(&e->dd, p);
}

/* Close order indices [from, to) of side s at fill F; sums into *fees,
** *losses; emit rows.  Returns a status. */
static int settle_range(engine *e, side_book *s, size_t from, size_t to,
                        double fill, double trigger, int round, double *fees,
                        double *losses, liq_err *err) {
  const liq_book *b = e->book;
  double fee_rate = e->sc->margin.liquidation_fee;
  size_t i;
  for (i = from; i < to; i++) {
    uint32_t id = s->id[i];
    double q = b->qty[id], c = b->collateral[id];
    double pnl = (double)s->side * q * (fill - b->entry[id]);
    double equity = c + pnl;
    double fee = fee_rate * q * fill;
    double returned, loss;
    if (fee > fmax(equity, 0.0)) fee = fmax(equity, 0.0);
    returned = fmax(equity - fee, 0.0);
    loss = fmax(-equity, 0.0);
    *fees += fee;
    *losses += loss;
    e->sm->pnl_closed += pnl;
    e->sm->returned += returned;
    e->row.liquidated_notional += q * fill;
    fenwick_add(s->fenwick, s->n, s->call_rank[i], -1);
    if (e->sink && e->sink->liquidation) {
      liq_liq_row lr;
      int rc;
      lr.step = e->row.step;
      lr.round = round;
      lr.position_id = id;
      lr.side = s->side;
      lr.qty = q;
      lr.price = fill;
      lr.trigger_price = trigger;
      lr.liquidation_price = s->p_liq[i];
      lr.bankruptcy_price = liq_margin_bankruptcy_price(s->side, q, b->entry[id], c);
      lr.equity = equity;
      lr.fee = fee;
      lr.loss = loss;
      lr.returned = returned;
      rc = e->sink->liquidation(e->sink->ud, &lr, err);
      if (rc != LIQ_OK) return rc;
    }
  }
  return LIQ_OK;
}

/* First order index at or after s->cursor that p has not crossed. */
static size_t side_advance(const side_book *s, double p) {
  size_t i = s->cursor;
  while (i < s->n && side_crossed(s, i, p)) i++;
  return i;
}

/* Quantity of order indices [from, to), summed in liquidation order (the
** canonical order, so that any engine gets the same bits). */
static double side_qty(const side_book *s, const liq_book *b, size_t from,
                       size_t to) {
  double sum = 0.0;
  size_t i;
  for (i = from; i < to; i++) sum += b->qty[s->id[i]];
  return sum;
}

/* Resolve the cascade at exogenous price x.  Returns a status. */
static int cascade(engine *e, double x, liq_err *err) {
  int round, rounds = 0, rc;
  double flow = 0.0;  /* the cascade's cumulative net forced buying */
  for (round = 1; round <= e->sc->impact.max_rounds; round++) {
    double p_pre = x * e->J, p_post, fill;
    size_t l_end = side_advance(&e->lng, p_pre);
    size_t s_end = side_advance(&e->sht, p_pre);
    size_t nl = l_end - e->lng.cursor, ns = s_end - e->sht.cursor;
    double sold, bought, fees = 0.0, losses = 0.0, covered;
    if (nl == 0 && ns == 0) break;
    rounds = round;
    sold = p_pre * side_qty(&e->lng, e->book, e->lng.cursor, l_end);
    bought = p_pre * side_qty(&e->sht, e->book, e->sht.cursor, s_end);
    e->J *= exp(liq_impact_log_move(&e->sc->impact, e->daily_vol, flow, bought - sold));
    flow += bought - sold;
    p_post = x * e->J;
    fill = 0.5 * (p_pre + p_post);
    rc = settle_range(e, &e->lng, e->lng.cursor, l_end, fill, p_pre, round, &fees, &losses, err);
    if (rc != LIQ_OK) return rc;
    rc = settle_range(e, &e->sht, e->sht.cursor, s_end, fill, p_pre, round, &fees, &losses, err);
    if (rc != LIQ_OK) return rc;
    e->lng.cursor = l_end;
    e->sht.cursor = s_end;
    e->row.liquidations_long += nl;
    e->row.liquidations_short += ns;
    /* The fund takes the round's fees, then pays its bad debt. */
    e->fund += fees;
    covered = fmin(losses, e->fund);
    e->fund -= covered;
    e->row.fees += fees;
    e->row.bad_debt += losses;
    e->row.uncovered_loss += losses - covered;
    if (e->fund < e->sm->insurance_fund_min) e->sm->insurance_fund_min = e->fund;
    visit_price(e, p_post);
  }
  if (rounds > e->row.cascade_rounds) e->row.cascade_rounds = rounds;
  return LIQ_OK;
}

/* The exogenous prices step t visits, in order; returns their count. */
static int waypoints(const liq_path *path, size_t t, double w[4]) {
  int n = 0;
  w[n++] = path->open[t];
  if (path->has_ohlc) {
    int up = path->close[t] >= path->open[t];
    w[n++] = up ? path->low[t] : path->high[t];
    w[n++] = up ? path->high[t] : path->low[t];
  }
  w[n++] = path->close[t];
  return n;
}

static void step_quantiles(engine *e, double p) {
  const liq_margin_params *mp = &e->sc->margin;
  double span = mp->initial - mp->maintenance;
  cushion_ctx cl = { &e->lng, (1.0 - mp->maintenance) / span, p };
  cushion_ctx cs = { &e->sht, (1.0 + mp->maintenance) / span, p };
  liq_sorted_seq a = { e->lng.n - e->lng.cursor, cushion_at, &cl };
  liq_sorted_seq b = { e->sht.n - e->sht.cursor, cushion_at, &cs };
  size_t q, open = a.n + b.n;
  e->row.n_quantiles = e->sc->stats.n_quantiles;
  for (q = 0; q < e->row.n_quantiles; q++) {
    e->row.cushion[q] = open == 0 ? nan("") :
        liq_stats_kth_of_two(&a, &b, liq_stats_rank(e->sc->stats.quantiles[q], open));
  }
}

/* Finish the step row: end price, open interest, calls, quantiles. */
static void step_close(engine *e, double x_close) {
  liq_step_row *r = &e->row;
  double p = x_close * e->J;
  r->price = p;
  r->price_exogenous = x_close;
  r->liquidations = r->liquidations_long + r->liquidations_short;
  r->insurance_fund = e->fund;
  r->open_long = e->lng.n - e->lng.cursor;
  r->open_short = e->sht.n - e->sht.cursor;
  r->open_interest_long = p * e->lng.qty_suffix[e->lng.cursor];
  r->open_interest_short = p * e->sht.qty_suffix[e->sht.cursor];
  r->margin_calls = side_margin_calls(&e->lng, p) + side_margin_calls(&e->sht, p);
  step_quantiles(e, p);
}

static int run_step(engine *e, const liq_path *path, size_t t, double *prev_x,
                    liq_err *err) {
  double w[4];
  int k, n = waypoints(path, t, w), rc;
  memset(&e->row, 0, sizeof e->row);
  e->row.step = t;
  e->row.t_ms = path->t_ms[t];
  e->row.price_low = INFINITY;
  e->row.price_high = -INFINITY;
  for (k = 0; k < n; k++) {
    double x = w[k];
    if (x == *prev_x && !(t == 0 && k == 0)) continue;
    *prev_x = x;
    if (x < e->sm->min_price_exogenous) e->sm->min_price_exogenous = x;
    if (x > e->sm->max_price_exogenous) e->sm->max_price_exogenous = x;
    liq_drawdown_add(&e->dd_exo, x);
    visit_price(e, x * e->J);
    rc = cascade(e, x, err);
    if (rc != LIQ_OK) return rc;
  }
  step_close(e, path->close[t]);
  return LIQ_OK;
}

/* Fold a finished step into the summary. */
static void summary_add_step(liq_summary *sm, const liq_step_row *r) {
  sm->liquidated_long += r->liquidations_long;
  sm->liquidated_short += r->liquidations_short;
  sm->liquidated_notional += r->liquidated_notional;
  sm->bad_debt += r->bad_debt;
  sm->uncovered_loss += r->uncovered_loss;
  sm->fees += r->fees;
  if (r->margin_calls > sm->margin_calls) sm->margin_calls = r->margin_calls;
  if (r->cascade_rounds > sm->max_cascade_rounds) sm->max_cascade_rounds = r->cascade_rounds;
}

/* Accounting of the positions still open at the final price p. */
static void summary_close(engine *e, double p) {
  const liq_book *b = e->book;
  liq_summary *sm = e->sm;
  const side_book *sides[2] = { &e->lng, &e->sht };
  int k;
  size_t i;
  for (i = 0; i < b->n; i++) sm->collateral += b->collateral[i];
  for (k = 0; k < 2; k++) {
    const side_book *s = sides[k];
    for (i = s->cursor; i < s->n; i++) {
      uint32_t id = s->id[i];
      double pnl = (double)s->side * b->qty[id] * (p - b->entry[id]);
      sm->pnl_open += pnl;
      sm->open_equity += b->collateral[id] + pnl;
    }
  }
  sm->liquidated = sm->liquidated_long + sm->liquidated_short;
  sm->insurance_fund_end = e->fund;
  sm->drawdown = e->dd.max_dd;
  sm->drawdown_exogenous = e->dd_exo.max_dd;
  sm->amplification = sm->drawdown_exogenous > 0.0 ?
      sm->drawdown / sm->drawdown_exogenous : nan("");
}

double liq_engine_daily_volatility(const liq_scenario *sc, const liq_path *path) {
  return isnan(sc->impact.daily_volatility) ? path->daily_volatility
                                            : sc->impact.daily_volatility;
}

int liq_engine_run(const liq_scenario *sc, const liq_path *path,
                   const liq_book *book, const liq_sink *sink,
                   liq_summary *summary /* OUT */, liq_err *err) {
  engine e;
  size_t t;
  double prev_x;
  int rc = LIQ_OK;

  memset(summary, 0, sizeof *summary);
  memset(&e, 0, sizeof e);
  if (path->n == 0)
    return liq_errf(err, LIQ_INPUT, NULL, 0, "the price path has no steps");
  if (book->n > UINT32_MAX)
    return liq_errf(err, LIQ_INPUT, NULL, 0, "at most %u positions", UINT32_MAX);
  e.sc = sc;
  e.book = book;
  e.sink = sink;
  e.J = 1.0;
  e.daily_vol = liq_engine_daily_volatility(sc, path);
  e.fund = sc->insurance.fund;
  e.sm = summary;
  if (side_init(&e.lng, 1, book, &sc->margin) != LIQ_OK ||
      side_init(&e.sht, -1, book, &sc->margin) != LIQ_OK) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory sorting %zu positions", book->n);
    goto out;
  }
  summary->positions = book->n;
  summary->steps = path->n;
  summary->start_price = path->open[0];
  summary->insurance_fund_start = summary->insurance_fund_min = e.fund;
  summary->min_price = summary->min_price_exogenous = INFINITY;
  summary->max_price = summary->max_price_exogenous = -INFINITY;
  prev_x = path->open[0];
  for (t = 0; t < path->n; t++) {
    rc = run_step(&e, path, t, &prev_x, err);
    if (rc != LIQ_OK) goto out;
    summary_add_step(summary, &e.row);
    if (sink && sink->step) {
      rc = sink->step(sink->ud, &e.row, err);
      if (rc != LIQ_OK) goto out;
    }
  }
  summary_close(&e, path->close[path->n - 1] * e.J);
out:
  side_free(&e.lng);
  side_free(&e.sht);
  return rc;
}
