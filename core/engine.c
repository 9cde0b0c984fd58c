/*
** engine.c: the step loop and cascade resolution (see liq_engine.h).
**
** Each side of the book keeps its open positions in ladders (liq_ladder.h:
** a sorted array with a cursor for unchanged positions, a small treap for
** changed ones): one keyed by liquidation threshold, one by margin-call
** threshold, and, with top-ups, one of the traders still "armed" (not yet
** called).  A key is stored so that the most fragile position is the
** smallest: stored = -side * threshold + F * g, where F is the side's
** cumulative charge per unit of quantity (funding, socialised loss) and g
** the threshold's slope in it (flat rates: 1/(1 - side * rate); tiered: 0,
** and the side is re-keyed when F moves).  A position is hit at price p
** when stored <= F * g - side * p, so a charge to a whole side moves every
** threshold without touching a key.  Collateral is kept "materialised" as
** of the side's charge f0[i]: the effective collateral is
** c[i] - q[i] * (F - f0[i]).
*/
#include "liq_engine.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liq_funding.h"
#include "liq_impact.h"
#include "liq_margin.h"
#include "liq_stats.h"
#include "stats_int.h"
#include "liq_alloc.h"
#include "liq_ladder.h"
#include "liq_par.h"

/* One side of the book. */
typedef struct side_state {
  int      side;         /* +1 long, -1 short */
  liq_ladder liq, call, arm;
  double   F;            /* cumulative charge per unit of quantity */
  double   g_liq, g_call;/* threshold slopes in F (0 under tiers) */
  double   qty_open;     /* sum of open quantity (Neumaier-compensated: */
  double   qty_comp;     /* closes subtract from a large sum) */
  size_t   n_open;
  double   cushion_scale;/* (1 -/+ m) / (imr - m): flat rates only */
} side_state;

typedef struct topup_entry { uint32_t id; size_t due; } topup_entry;

typedef struct engine {
  const liq_scenario *sc;
  const liq_margin_params *mp;
  const liq_book *book;
  const liq_sink *sink;
  size_t   n;
  /* positions (struct of arrays, by id) */
  /* Zeroed allocations written only for the positions a rule touches, so
  ** an unused array costs address space, not memory. */
  double  *q, *c;         /* written once a position changes (own[id]) */
  uint8_t *own;          /* 1: q[id], c[id] hold it; 0: the book's qty, collateral */
  double  *f0;
  double  *call_rate;    /* under tiers (else flat_call_rate for all) */
  double   flat_call_rate;
  long    *chunked;      /* 1 + step of the last chunk, 0 if none (partial modes) */
  long    *partial_at;   /* cascade of the last partial close, 0 if none (partial modes) */
  long     cascade_no;   /* serial number of the running cascade */
  uint8_t *open, *armed;   /* armed: a topper not yet called */
  liq_ladder_keys liq_k, call_k, arm_k;
  side_state sides[2];   /* [0] long, [1] short */
  /* round scratch */
  uint32_t *hits;        /* ids hit this round, canonical order */
  double   *share;       /* their closed shares */
  /* top-ups */
  topup_entry *queue;
  size_t   q_head, q_tail;
  /* price state */
  liq_impact_state imp;  /* decayed forced flow and permanent impact */
  double   lnJ;          /* its log impact: market = exogenous * exp(lnJ) */
  double   J;            /* exp(lnJ), set with it (impact_moved()) */
  double   daily_vol;
  double   fund;
  double  *funding;      /* per-step funding rates, or NULL */
  double  *waypoints;    /* a step's exogenous trade then mark prices
                         ** (liq_path_waypoints(), liq_path_mark_waypoints()) */
  double   prev_mark;    /* the mark price where the last waypoint left it */
  liq_drawdown dd, dd_exo;
  liq_step_row row;
  liq_summary *sm;
  struct keyed *adl_cand; /* ADL candidates [n], sized in engine_init() (ADL policies only) */
  int      tiered;
  size_t   n_steps;      /* path length */
} engine;

static side_state *side_of(engine *e, int side) {
  return &e->sides[side > 0 ? 0 : 1];
}

/* qty_open += dq, compensated; exactly 0 once the side is empty. */
static void side_add_qty(side_state *s, double dq) {
  double t = s->qty_open + dq;
  if (fabs(s->qty_open) >= fabs(dq)) s->qty_comp += (s->qty_open - t) + dq;
  else s->qty_comp += (dq - t) + s->qty_open;
  s->qty_open = t;
  if (s->n_open == 0) s->qty_open = s->qty_comp = 0.0;
}

static double side_qty(const side_state *s) {
  return s->qty_open + s->qty_comp;
}

/* ---- thresholds and keys --------------------------------------------- */

/* A position's quantity and collateral: the book's until it changes. */
static double qty_of(const engine *e, uint32_t id) {
  return e->own[id] ? e->q[id] : e->book->qty[id];
}

static double coll_of(const engine *e, uint32_t id) {
  return e->own[id] ? e->c[id] : e->book->collateral[id];
}

/* Copy id's quantity and collateral before changing them. */
static void own(engine *e, uint32_t id) {
  if (e->own[id]) return;
  e->q[id] = e->book->qty[id];
  e->c[id] = e->book->collateral[id];
  e->own[id] = 1;
}

static double c_eff(const engine *e, uint32_t id) {
  const side_state *s = &e->sides[e->book->side[id] > 0 ? 0 : 1];
  return coll_of(e, id) - qty_of(e, id) * (s->F - e->f0[id]);
}

/* Fold the side's charges into c[id]. */
static void materialise(engine *e, uint32_t id) {
  side_state *s = side_of(e, e->book->side[id]);
  if (e->f0[id] == s->F) return;   /* nothing to fold: untouched */
  own(e, id);
  e->c[id] = c_eff(e, id);
  e->f0[id] = s->F;
}

static double liq_threshold(const engine *e, uint32_t id) {
  return liq_margin_rule_liq_price(e->mp, e->book->side[id], qty_of(e, id),
                                   e->book->entry[id], c_eff(e, id));
}

static double call_rate_of(const engine *e, uint32_t id) {
  return e->call_rate ? e->call_rate[id] : e->flat_call_rate;
}

static double call_threshold(const engine *e, uint32_t id) {
  return liq_margin_threshold_price(e->book->side[id], qty_of(e, id), e->book->entry[id],
                                    c_eff(e, id), call_rate_of(e, id));
}

/* stored = -side * threshold + F * g */
static double store_key(const side_state *s, double thr, double g) {
  if (isinf(thr)) return -(double)s->side * thr;
  return -(double)s->side * thr + s->F * g;
}

/* Keys at or below the probe are hit at price p. */
static double probe(const side_state *s, double g, double p) {
  return s->F * g - (double)s->side * p;
}

static double threshold_of(const side_state *s, double stored, double g) {
  return (double)s->side * (s->F * g - stored);
}

/* id's keys in the liquidation and call ladders (the armed ladder uses the
** call key), from its thresholds. */
static void position_keys(const engine *e, const side_state *s, uint32_t id,
                          double *liq_key, double *call_key) {
  *liq_key = store_key(s, liq_threshold(e, id), s->g_liq);
  *call_key = store_key(s, call_threshold(e, id), s->g_call);
}

/* The call key id was added with, from its state: a position that changes
** leaves the ladders first, and it was keyed right after its charges were
** folded in (c_eff was c, the side's F was f0[id]).  So the call and armed
** ladders store no keys for their array members. */
static double call_key_as_added(const void *ctx, uint32_t id) {
  const engine *e = ctx;
  const side_state *s = &e->sides[e->book->side[id] > 0 ? 0 : 1];
  double thr = liq_margin_threshold_price(s->side, qty_of(e, id), e->book->entry[id],
                                          coll_of(e, id), call_rate_of(e, id));
  if (isinf(thr)) return -(double)s->side * thr;
  return -(double)s->side * thr + e->f0[id] * s->g_call;
}

/* Books above this size compute their call keys (8 bytes a position
** less); smaller ones store them (a margin-call count reads a dozen keys a
** step).  The keys, and so every result, are the same either way; the
** tests run the engine both ways (environment LIQ_CALL_KEYS_COMPUTED_ABOVE,
** a testing knob). */
#define LIQ_CALL_KEYS_COMPUTED_ABOVE ((size_t)1 << 21)

static int call_keys_init(engine *e, liq_ladder_keys *k, size_t n, int dynamic) {
  const char *knob = getenv("LIQ_CALL_KEYS_COMPUTED_ABOVE");
  size_t above = knob && *knob ? (size_t)strtoull(knob, NULL, 10) : LIQ_CALL_KEYS_COMPUTED_ABOVE;
  if (n > above)
    return liq_ladder_keys_init_computed(k, n, dynamic, call_key_as_added, e);
  return liq_ladder_keys_init(k, n, dynamic);
}

/* Put id (in no ladder) into every ladder it belongs to. */
static void insert_position(engine *e, uint32_t id) {
  side_state *s = side_of(e, e->book->side[id]);
  double kl, kc;
  position_keys(e, s, id, &kl, &kc);
  liq_ladder_insert(&s->liq, id, kl);
  liq_ladder_insert(&s->call, id, kc);
  if (e->armed[id]) liq_ladder_insert(&s->arm, id, kc);
}

/* Take id out of the call and armed ladders (it is already out of liq). */
static void remove_calls(engine *e, uint32_t id) {
  side_state *s = side_of(e, e->book->side[id]);
  liq_ladder_erase(&s->call, id);
  if (e->armed[id]) liq_ladder_erase(&s->arm, id);
}

/* Re-key one open position after its q or c changed (it is in no tree). */
static void reinsert(engine *e, uint32_t id) {
  materialise(e, id);
  insert_position(e, id);
}

/* Re-key every open position of a side (tiered rates after a charge). */
static int side_rekey(engine *e, side_state *s);

/* ---- set-up ------------------------------------------------------------ */

typedef struct keyed { double key; uint32_t id; } keyed;

/* Are ids[0..m) in (key, id) order, with id's key key[id - lo]?  Each
** slice checks its pairs (i - 1, i). */
typedef struct ascending_check {
  const double   *key;
  size_t          lo;
  const uint32_t *ids;
  int             ok[LIQ_PAR_MAX_THREADS];
} ascending_check;

static void ascending_slice(void *ctx, size_t from, size_t to, int rank) {
  ascending_check *c = ctx;
  size_t i;
  int ok = 1;
  for (i = from > 0 ? from : 1; i < to && ok; i++) {
    double a = c->key[c->ids[i - 1] - c->lo], b = c->key[c->ids[i] - c->lo];
    ok = !(a > b || (a == b && c->ids[i - 1] > c->ids[i]));
  }
  c->ok[rank] = ok;
}

static int keys_ascending(const double *key, size_t lo, const uint32_t *ids, size_t m) {
  ascending_check c;
  int t, slices, ok = 1;
  c.key = key;
  c.lo = lo;
  c.ids = ids;
  slices = liq_par_slices(m, ascending_slice, &c);
  for (t = 0; t < slices; t++) ok = ok && c.ok[t];
  return ok;
}

/* Is ids[0..m) in (key, id) order under k's keys?  O(m) key computations. */
static int in_order_slow(const liq_ladder_keys *k, const uint32_t *ids, size_t m) {
  size_t i;
  for (i = 1; i < m; i++) {
    double a = liq_ladder_keys_key0(k, ids[i - 1]), b = liq_ladder_keys_key0(k, ids[i]);
    if (a > b || (a == b && ids[i - 1] > ids[i])) return 0;
  }
  return 1;
}

/* The keys of the member ids among lo + [from, to), computed. */
typedef struct computed_keys {
  const liq_ladder_keys *k;
  const uint8_t *member;
  double *key;
  size_t lo;
} computed_keys;

static void computed_keys_slice(void *ctx, size_t from, size_t to, int rank) {
  const computed_keys *c = ctx;
  size_t i;
  (void)rank;
  for (i = from; i < to; i++)
    if (c->member[i]) c->key[i] = liq_ladder_keys_key0(c->k, (uint32_t)(c->lo + i));
}

/* Is ids[0..m) in (key, id) order under k's keys?  Stored keys are read
** where they are; computed keys are computed first for the id range, in
** id order (sequential reads of the positions), so that the check in
** ladder order reads one array at random, not every position array. */
static int in_order(const liq_ladder_keys *k, const uint32_t *ids, size_t m) {
  size_t i, lo, hi;
  double *key;
  uint8_t *member;
  computed_keys c;
  int ok;
  if (m < 2) return 1;
  if (k->key0) return keys_ascending(k->key0, 0, ids, m);
  lo = hi = ids[0];
  for (i = 1; i < m; i++) {
    if (ids[i] < lo) lo = ids[i];
    if (ids[i] > hi) hi = ids[i];
  }
  key = liq_dense_alloc(hi - lo + 1, sizeof *key);
  member = liq_dense_calloc(hi - lo + 1, 1);
  if (key == NULL || member == NULL) {
    liq_dense_free(key);
    liq_dense_free(member);
    return in_order_slow(k, ids, m);
  }
  for (i = 0; i < m; i++) member[ids[i] - lo] = 1;
  c.k = k;
  c.member = member;
  c.key = key;
  c.lo = lo;
  liq_par_slices(hi - lo + 1, computed_keys_slice, &c);
  liq_dense_free(member);
  ok = keys_ascending(key, lo, ids, m);
  liq_dense_free(key);
  return ok;
}

/* ids[0..m) (a subsequence of an id-ordered list) as ladder l's content,
** sorted by (key0, id) unless 'sorted'.  Takes ownership of ids. */
static int ladder_from(liq_ladder *l, uint32_t *ids, size_t m, int sorted) {
  if (!sorted && liq_ladder_sort_ids(l->k, ids, m) != 0) {
    liq_dense_free(ids);
    return LIQ_NOMEM;
  }
  liq_ladder_build(l, ids, m);
  return LIQ_OK;
}

/* The keys of side s's open positions.  Each depends on its own position
** alone (materialise() writes only its own q, c, own and f0), so slices
** of ids run in parallel. */
typedef struct side_keys_job { engine *e; side_state *s; } side_keys_job;

static void side_keys_slice(void *ctx, size_t from, size_t to, int rank) {
  const side_keys_job *job = ctx;
  engine *e = job->e;
  side_state *s = job->s;
  size_t i;
  (void)rank;
  for (i = from; i < to; i++) {
    uint32_t id = (uint32_t)i;
    if (!e->open[i] || e->book->side[i] != s->side) continue;
    materialise(e, id);
    e->liq_k.key0[id] = store_key(s, liq_threshold(e, id), s->g_liq);
    if (e->call_k.key0) e->call_k.key0[id] = call_key_as_added(e, id);
    if (e->arm_k.key0 && e->armed[id]) e->arm_k.key0[id] = call_key_as_added(e, id);
  }
}

static void side_keys(engine *e, side_state *s) {
  side_keys_job job;
  job.e = e;
  job.s = s;
  liq_par_slices(e->n, side_keys_slice, &job);
}

/*
** Build the side's ladders.  Under flat rates every threshold of a position
** is the same increasing function of one number (e - c/q for a long), so
** the liquidation order is also the call order: one sort serves all three
** (checked, since rounding could in principle tie two keys in one order
** and not the other; a failed check sorts again).
*/
static int side_build(engine *e, side_state *s) {
  size_t i, m = 0, k = e->n ? e->n : 1, n_arm = 0;
  uint32_t *ids = liq_dense_alloc(k, sizeof *ids), *call = NULL, *arm = NULL;
  int rc, sorted;
  if (!ids) return LIQ_NOMEM;
  side_keys(e, s);
  for (i = 0; i < e->n; i++)
    if (e->open[i] && e->book->side[i] == s->side) ids[m++] = (uint32_t)i;
  if (liq_ladder_sort_ids(&e->liq_k, ids, m) != 0) {
    liq_dense_free(ids);
    return LIQ_NOMEM;
  }
  call = liq_dense_alloc(m ? m : 1, sizeof *call);
  if (e->arm_k.n) {
    arm = liq_dense_alloc(m ? m : 1, sizeof *arm);
    for (i = 0; arm && i < m; i++)
      if (e->armed[ids[i]]) arm[n_arm++] = ids[i];
  }
  if (!call || (e->arm_k.n && !arm)) {
    liq_dense_free(ids);
    liq_dense_free(call);
    liq_dense_free(arm);
    return LIQ_NOMEM;
  }
  memcpy(call, ids, m * sizeof *call);
  liq_ladder_build(&s->liq, ids, m);
  /* The call and armed ladders: in the liquidation order when it is theirs,
  ** else sorted again (from id order, which the radix sort needs). */
  sorted = in_order(&e->call_k, call, m);
  if (!sorted) {
    size_t j = 0;
    for (i = 0; i < e->n; i++)
      if (e->open[i] && e->book->side[i] == s->side) call[j++] = (uint32_t)i;
  }
  rc = ladder_from(&s->call, call, m, sorted);
  if (rc == LIQ_OK && arm) {
    sorted = in_order(&e->arm_k, arm, n_arm);
    if (!sorted) {
      size_t j = 0;
      for (i = 0; i < e->n; i++)
        if (e->open[i] && e->book->side[i] == s->side && e->armed[i]) arm[j++] = (uint32_t)i;
    }
    rc = ladder_from(&s->arm, arm, n_arm, sorted);
  } else {
    liq_dense_free(arm);
  }
  return rc;
}

static int side_rekey(engine *e, side_state *s) {
  return side_build(e, s);
}

static void side_init(engine *e, side_state *s, int side) {
  const liq_margin_params *mp = e->mp;
  double sd = (double)side, rate_call = mp->call_level * mp->initial;
  memset(s, 0, sizeof *s);
  s->side = side;
  liq_ladder_init(&s->liq, &e->liq_k);
  liq_ladder_init(&s->call, &e->call_k);
  liq_ladder_init(&s->arm, &e->arm_k);
  if (!e->tiered) {
    s->g_liq = 1.0 / (1.0 - sd * mp->maintenance);
    s->g_call = 1.0 - sd * rate_call > 0.0 ? 1.0 / (1.0 - sd * rate_call) : 0.0;
    s->cushion_scale = (1.0 - sd * mp->maintenance) / (mp->initial - mp->maintenance);
  }
}

static void engine_free(engine *e) {
  free(e->q);
  free(e->c);
  free(e->own);
  free(e->f0);
  liq_dense_free(e->call_rate);
  free(e->chunked);
  free(e->partial_at);
  liq_dense_free(e->open);
  free(e->armed);
  free(e->hits);
  free(e->share);
  free(e->queue);
  free(e->funding);
  free(e->waypoints);
  free(e->adl_cand);
  {
    int k;
    for (k = 0; k < 2; k++) {
      liq_ladder_free(&e->sides[k].liq);
      liq_ladder_free(&e->sides[k].call);
      liq_ladder_free(&e->sides[k].arm);
    }
  }
  liq_ladder_keys_free(&e->liq_k);
  liq_ladder_keys_free(&e->call_k);
  liq_ladder_keys_free(&e->arm_k);
}

static int engine_init(engine *e, const liq_scenario *sc, const liq_path *path,
                       const liq_book *b, liq_err *err) {
  size_t i, n = b->n, k = n ? n : 1;
  int rc, topups = sc->margin.topup_share > 0.0;
  int adl = sc->insurance.policy == LIQ_POLICY_ADL_RANKED ||
            sc->insurance.policy == LIQ_POLICY_ADL_PRORATA;
  /* Can a position change (and be re-inserted)?  Else no ladder needs a
  ** treap part. */
  int partial = sc->margin.partial_mode != LIQ_PARTIAL_NONE;
  int dynamic = topups || adl || partial;
  e->n = n;
  e->mp = &sc->margin;
  e->tiered = sc->margin.n_tiers > 0;
  e->waypoints = malloc(2 * LIQ_PATH_WAYPOINTS_OF(path) * sizeof *e->waypoints);
  e->prev_mark = path->mark_open ? path->mark_open[0] : path->open[0];
  if (e->waypoints == NULL)
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory for the waypoints");
  e->q = calloc(k, sizeof *e->q);
  e->c = calloc(k, sizeof *e->c);
  e->own = calloc(k, 1);
  e->f0 = calloc(k, sizeof *e->f0);
  e->call_rate = e->tiered ? liq_dense_alloc(k, sizeof *e->call_rate) : NULL;
  e->flat_call_rate = sc->margin.call_level * sc->margin.initial;
  e->chunked = partial ? calloc(k, sizeof *e->chunked) : NULL;
  e->partial_at = partial ? calloc(k, sizeof *e->partial_at) : NULL;
  e->open = liq_dense_alloc(k, 1);
  e->armed = calloc(k, 1);
  e->hits = malloc(k * sizeof *e->hits);
  e->share = malloc(k * sizeof *e->share);
  e->queue = topups ? malloc((n + 1) * sizeof *e->queue) : NULL;
  e->adl_cand = adl ? malloc(k * sizeof *e->adl_cand) : NULL;
  if (!e->q || !e->c || !e->own || !e->f0 || (e->tiered && !e->call_rate) || (partial && (!e->chunked || !e->partial_at)) || !e->open ||
      !e->armed || !e->hits || !e->share || (topups && !e->queue) || (adl && !e->adl_cand) ||
      liq_ladder_keys_init(&e->liq_k, n, dynamic) ||
      call_keys_init(e, &e->call_k, n, dynamic) ||
      (topups && call_keys_init(e, &e->arm_k, n, dynamic)))
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory for %zu positions", n);
  for (i = 0; i < n; i++) {
    if (e->call_rate)
      e->call_rate[i] = sc->margin.call_level *
                        liq_margin_im_rate(&sc->margin, b->qty[i] * b->entry[i]);
    e->open[i] = 1;
    if (topups && liq_engine_is_topper(sc->seed, i, sc->margin.topup_share))
      e->armed[i] = 1;
  }
  side_init(e, &e->sides[0], 1);
  side_init(e, &e->sides[1], -1);
  for (i = 0; i < n; i++) {
    side_state *s = side_of(e, b->side[i]);
    s->n_open++;
    side_add_qty(s, b->qty[i]);
  }
  rc = side_build(e, &e->sides[0]);
  if (rc == LIQ_OK) rc = side_build(e, &e->sides[1]);
  if (rc != LIQ_OK) return liq_errf(err, rc, NULL, 0, "out of memory sorting positions");
  return liq_funding_schedule(&sc->funding, path, &e->funding, err);
}

/* ---- the cascade -------------------------------------------------------- */

/* The impact state changed: its log impact and exp of it (a step reads
** it a few times per waypoint, and exp is no cheaper the second time). */
static void impact_moved(engine *e) {
  e->lnJ = liq_impact_state_log(&e->imp, &e->sc->impact, e->daily_vol);
  e->J = exp(e->lnJ);
}

static void visit_price(engine *e, double p) {
  liq_summary *sm = e->sm;
  if (p < sm->min_price) sm->min_price = p;
  if (p > sm->max_price) sm->max_price = p;
  if (p < e->row.price_low) e->row.price_low = p;
  if (p > e->row.price_high) e->row.price_high = p;
  liq_drawdown_add(&e->dd, p);
}

/* Pop every position of side s hit at p into e->hits[*n...]. */
static void collect_hits(engine *e, side_state *s, double p, size_t *n) {
  double x = probe(s, s->g_liq, p);
  uint32_t id;
  while (liq_ladder_pop_upto(&s->liq, x, 1, &id)) e->hits[(*n)++] = id;
}

/* Share of hit position id to close at the trigger price.  A position is
** partially closed at most once per cascade: hit again in the same cascade
** (its rest still at or below maintenance after the price moved on), it is
** closed whole, so no cascade chops a position into dust. */
static double hit_share(const engine *e, uint32_t id, double p) {
  const liq_margin_params *mp = e->mp;
  double s = 1.0;
  if (e->partial_at == NULL || e->partial_at[id] == e->cascade_no) return 1.0;
  switch (mp->partial_mode) {
    case LIQ_PARTIAL_RESTORE:
      s = liq_margin_restore_share(mp, e->book->side[id], qty_of(e, id), e->book->entry[id],
                                   c_eff(e, id), p, mp->partial_buffer,
                                   mp->liquidation_fee);
      break;
    case LIQ_PARTIAL_CHUNK:   /* a bankrupt position goes whole */
      if (liq_margin_equity(e->book->side[id], qty_of(e, id), e->book->entry[id],
                            c_eff(e, id), p) <= 0.0)
        break;
      if (e->chunked[id] == 0 ||
          (long)e->row.step >= e->chunked[id] - 1 + (long)mp->partial_cooldown)
        s = mp->partial_share;
      break;
    default:
      break;
  }
  return s > 0.0 && s < 1.0 ? s : 1.0;
}

typedef struct round_sums {
  double fees, losses, losses_long;
  double bk_qty[2], bk_value[2]; /* bankrupt closes per side ([0] long): quantity,
                                 ** and quantity x bankruptcy price */
} round_sums;

/* Settle hit id (share s) at fill F. */
static int settle(engine *e, uint32_t id, double s, double fill, double trigger,
                  int round, round_sums *rs, liq_err *err) {
  const liq_book *b = e->book;
  side_state *ss = side_of(e, b->side[id]);
  int side = b->side[id];
  double q = qty_of(e, id), c = c_eff(e, id);
  double pnl_all = (double)side * q * (fill - b->entry[id]);
  double equity = s * (c + pnl_all);
  double pnl = s * pnl_all;
  double fee = e->sc->margin.liquidation_fee * s * q * fill;
  double returned = 0.0, loss = 0.0, p_liq = liq_threshold(e, id);
  if (fee > fmax(equity, 0.0)) fee = fmax(equity, 0.0);
  e->sm->pnl_closed += pnl;
  e->row.liquidated_notional += s * q * fill;
  remove_calls(e, id);
  if (s >= 1.0) {
    returned = fmax(equity - fee, 0.0);
    loss = fmax(-equity, 0.0);
    e->open[id] = 0;
    ss->n_open--;
    side_add_qty(ss, -q);
    e->sm->returned += returned;
    if (side > 0) e->row.liquidations_long++; else e->row.liquidations_short++;
  } else {
    side_add_qty(ss, -s * q);
    materialise(e, id);
    own(e, id);
    e->c[id] += pnl - fee;
    e->q[id] = (1.0 - s) * q;
    e->chunked[id] = (long)e->row.step + 1;
    e->partial_at[id] = e->cascade_no;
    insert_position(e, id);
    e->row.partial_liquidations++;
  }
  rs->fees += fee;
  rs->losses += loss;
  if (side > 0) rs->losses_long += loss;
  if (loss > 0.0) {
    int k = side > 0 ? 0 : 1;
    rs->bk_qty[k] += q;
    rs->bk_value[k] += q * liq_margin_bankruptcy_price(side, q, b->entry[id], c);
  }
  if (e->sink && e->sink->liquidation) {
    liq_liquidation_row lr;
    lr.step = e->row.step;
    lr.round = round;
    lr.position_id = id;
    lr.side = side;
    lr.qty = s * q;
    lr.price = fill;
    lr.trigger_price = trigger;
    lr.liquidation_price = p_liq;
    lr.bankruptcy_price = liq_margin_bankruptcy_price(side, q, b->entry[id], c);
    lr.equity = equity;
    lr.fee = fee;
    lr.loss = loss;
    lr.returned = returned;
    lr.share = s;
    return e->sink->liquidation(e->sink->ud, &lr, err);
  }
  return LIQ_OK;
}

/* ---- ADL and socialised loss ------------------------------------------- */

/* Book an ADL close or a socialised charge in the step's sums. */
static void adl_account(engine *e, double qty, double price, double haircut) {
  e->row.haircut += haircut;
  if (qty > 0.0) {
    e->row.adl_count++;
    e->row.adl_notional += qty * price;
  }
  if (e->sm->first_adl_step < 0) e->sm->first_adl_step = (long)e->row.step;
}

/* Send one ADL row to the sink (id UINT32_MAX, side o: a charge to the
** whole side o). */
static int adl_row(engine *e, uint32_t id, int o, int round, double qty, double price,
                   double share, double haircut, double score, liq_err *err) {
  liq_adl_row ar;
  if (!e->sink || !e->sink->adl) return LIQ_OK;
  ar.step = e->row.step;
  ar.round = round;
  ar.position_id = id == UINT32_MAX ? (size_t)-1 : id;
  ar.side = id == UINT32_MAX ? o : e->book->side[id];
  ar.qty = qty;
  ar.price = price;
  ar.share = share;
  ar.haircut = haircut;
  ar.rank_score = score;
  return e->sink->adl(e->sink->ud, &ar, err);
}

/*
** What position id can give up when closed at 'd' per unit worse than the
** market price p (d: the distance from p to the bankruptcy price of the
** liquidated positions): q * d, but no more than its equity at p (funding
** may have eaten its collateral: it then closes at its own bankruptcy
** price).  0 when it is not profitable at p (not a candidate).
*/
static double adl_available(const engine *e, uint32_t id, double p, double d) {
  double profit = (double)e->book->side[id] * qty_of(e, id) * (p - e->book->entry[id]);
  double equity = c_eff(e, id) + profit;
  if (!(profit > 0.0)) return 0.0;
  return fmin(qty_of(e, id) * d, fmax(equity, 0.0));
}

/* Close share s of profitable position id against the bankrupt positions
** at their bankruptcy price p_bk (d = |p_bk - p| from the market price p):
** it realises its PnL at p and gives up s * adl_available() of it. */
static int adl_close(engine *e, uint32_t id, double s, double p, double p_bk,
                     double d, int round, double score, liq_err *err) {
  side_state *ss = side_of(e, e->book->side[id]);
  int side = e->book->side[id];
  double q = qty_of(e, id), c = c_eff(e, id);
  double profit = s * (double)side * q * (p - e->book->entry[id]);
  double avail = adl_available(e, id, p, d), haircut = s * avail;
  double price = avail < q * d ? e->book->entry[id] - (double)side * c / q : p_bk;
  e->sm->pnl_closed += profit;
  e->sm->returned += s * c + profit - haircut;
  liq_ladder_erase(&ss->liq, id);
  remove_calls(e, id);
  if (s >= 1.0) {
    e->open[id] = 0;
    ss->n_open--;
    side_add_qty(ss, -q);
  } else {
    side_add_qty(ss, -s * q);
    materialise(e, id);
    own(e, id);
    e->c[id] = (1.0 - s) * c;
    e->q[id] = (1.0 - s) * q;
    insert_position(e, id);
  }
  adl_account(e, s * q, price, haircut);
  return adl_row(e, id, side, round, s * q, price, s, haircut, score, err);
}

static int cmp_score(const void *pa, const void *pb) {
  const keyed *a = pa, *b = pb;
  if (a->key > b->key) return -1;
  if (a->key < b->key) return 1;
  return (a->id > b->id) - (a->id < b->id);
}

/* Cover 'need' from the profitable open positions of side o, closed at
** the bankruptcy price p_bk of the other side's bankrupt positions (market
** price p).  Returns the part left uncovered in *left. */
static int adl_side(engine *e, side_state *o, double need, double p, double p_bk,
                    double *left, int round, liq_err *err) {
  keyed *cand = e->adl_cand;           /* sized in engine_init() */
  size_t i, m = 0;
  double total = 0.0, d = fabs(p_bk - p);
  int rc = LIQ_OK, ranked = e->sc->insurance.policy == LIQ_POLICY_ADL_RANKED;
  for (i = 0; i < e->n; i++) {
    double avail;
    if (!e->open[i] || e->book->side[i] != o->side) continue;
    avail = adl_available(e, (uint32_t)i, p, d);
    if (!(avail > 0.0)) continue;
    cand[m].id = (uint32_t)i;
    cand[m].key = ranked ? liq_engine_adl_score(o->side, qty_of(e, (uint32_t)i), e->book->entry[i],
                                                c_eff(e, (uint32_t)i), p) : avail;
    total += avail;
    m++;
  }
  if (ranked) qsort(cand, m, sizeof *cand, cmp_score);
  if (!ranked && total > need) {
    double s = need / total;
    for (i = 0; i < m && rc == LIQ_OK; i++)
      rc = adl_close(e, cand[i].id, s, p, p_bk, d, round, nan(""), err);
    need = 0.0;
  } else {
    for (i = 0; i < m && need > 0.0 && rc == LIQ_OK; i++) {
      uint32_t id = cand[i].id;
      double avail = adl_available(e, id, p, d);
      double s = avail <= need ? 1.0 : need / avail;
      rc = adl_close(e, id, s, p, p_bk, d, round, ranked ? cand[i].key : nan(""), err);
      need -= s >= 1.0 ? avail : need;
    }
  }
  *left = need > 0.0 ? need : 0.0;
  return rc;
}

/* Charge side o 'need' in all, the same per unit of quantity; with a
** sink, one row per charged position (id order), or one for the whole
** side in books above LIQ_SOCIALISE_ROWS_MAX positions. */
static int socialise(engine *e, side_state *o, double need, double p, int round,
                     double *left, liq_err *err) {
  int rc = LIQ_OK;
  double per_unit;
  size_t i;
  *left = need;
  if (!(side_qty(o) > 0.0)) return LIQ_OK;
  per_unit = need / side_qty(o);
  o->F += per_unit;
  *left = 0.0;
  if (e->tiered) {
    rc = side_rekey(e, o);
    if (rc != LIQ_OK) return liq_errf(err, rc, NULL, 0, "out of memory re-keying");
  }
  adl_account(e, 0.0, p, need);
  if (e->n > LIQ_SOCIALISE_ROWS_MAX)
    return adl_row(e, UINT32_MAX, o->side, round, 0.0, p, 0.0, need, nan(""), err);
  for (i = 0; i < e->n && e->sink && e->sink->adl && rc == LIQ_OK; i++)
    if (e->open[i] && e->book->side[i] == o->side)
      rc = adl_row(e, (uint32_t)i, o->side, round, 0.0, p, 0.0, qty_of(e, (uint32_t)i) * per_unit,
                   nan(""), err);
  return rc;
}

/* Apply the insurance policy to the round's uncovered loss. */
static int cover_uncovered(engine *e, const round_sums *rs, double uncovered,
                           double p, int round, liq_err *err) {
  int policy = e->sc->insurance.policy, k, rc = LIQ_OK;
  double part[2], left_total = 0.0;
  if (policy == LIQ_POLICY_NONE || !(uncovered > 0.0)) {
    e->row.uncovered_loss += uncovered;
    return LIQ_OK;
  }
  part[0] = uncovered * (rs->losses_long / rs->losses);  /* longs' bad debt: shorts pay */
  part[1] = uncovered - part[0];
  for (k = 0; k < 2 && rc == LIQ_OK; k++) {
    side_state *o = &e->sides[1 - k];
    double left = 0.0;
    if (!(part[k] > 0.0)) continue;
    if (policy == LIQ_POLICY_SOCIALIZE) rc = socialise(e, o, part[k], p, round, &left, err);
    else if (rs->bk_qty[k] > 0.0)
      rc = adl_side(e, o, part[k], p, rs->bk_value[k] / rs->bk_qty[k], &left, round, err);
    else
      left = part[k];   /* not reached: a side's loss comes from its bankrupt closes */
    left_total += left;
  }
  e->row.uncovered_loss += left_total;
  return rc;
}

/* Resolve the cascade at exogenous price x.  Each round's net forced flow
** moves the impact state; the round fills at the mean price along the
** impact curve (liq_impact.h). */
static int cascade(engine *e, double x, double m, liq_err *err) {
  int round, rounds = 0, rc;
  e->cascade_no++;
  for (round = 1; round <= e->sc->impact.max_rounds; round++) {
    /* triggers and shares at the mark m_pre, fills and impact at the trade p_pre */
    double p_pre = x * e->J, m_pre = m * e->J, p_post, fill, ratio;
    double sold = 0.0, bought = 0.0, covered;
    size_t nh = 0, nl, i;
    round_sums rs = { 0.0, 0.0, 0.0, { 0.0, 0.0 }, { 0.0, 0.0 } };
    collect_hits(e, &e->sides[0], m_pre, &nh);
    nl = nh;
    collect_hits(e, &e->sides[1], m_pre, &nh);
    if (nh == 0) break;
    rounds = round;
    for (i = 0; i < nh; i++) {
      e->share[i] = hit_share(e, e->hits[i], m_pre);
      if (i < nl) sold += e->share[i] * qty_of(e, e->hits[i]);
      else bought += e->share[i] * qty_of(e, e->hits[i]);
    }
    sold *= p_pre;
    bought *= p_pre;
    ratio = liq_impact_state_trade(&e->imp, &e->sc->impact, e->daily_vol, bought - sold);
    impact_moved(e);
    p_post = x * e->J;
    fill = p_pre * ratio;
    if (!isfinite(p_post) || !(p_post > 0.0) || !isfinite(fill) || !(fill > 0.0))
      return liq_errf(err, LIQ_NUMERIC, NULL, 0,
                      "step %zu: the market price left the floating-point range "
                      "(%g) under the impact of forced trades; the impact model "
                      "is too strong for this book", e->row.step, p_post);
    for (i = 0; i < nh; i++) {
      rc = settle(e, e->hits[i], e->share[i], fill, m_pre, round, &rs, err);
      if (rc != LIQ_OK) return rc;
    }
    /* The fund takes the round's fees, then pays its bad debt. */
    e->fund += rs.fees;
    covered = fmin(rs.losses, e->fund);
    e->fund -= covered;
    e->row.fees += rs.fees;
    e->row.bad_debt += rs.losses;
    if (e->fund < e->sm->insurance_fund_min) e->sm->insurance_fund_min = e->fund;
    rc = cover_uncovered(e, &rs, rs.losses - covered, fill, round, err);
    if (rc != LIQ_OK) return rc;
    visit_price(e, p_post);
  }
  if (rounds > e->row.cascade_rounds) e->row.cascade_rounds = rounds;
  return LIQ_OK;
}

/* ---- funding and top-ups ------------------------------------------------ */

static int pay_funding(engine *e, double rate, double p, liq_err *err) {
  side_state *l = &e->sides[0], *s = &e->sides[1];
  double per_unit = rate * p;
  e->row.funding += per_unit * side_qty(l);
  e->row.funding_short -= per_unit * side_qty(s);
  l->F += per_unit;
  s->F -= per_unit;
  if (e->tiered && (side_rekey(e, l) != LIQ_OK || side_rekey(e, s) != LIQ_OK))
    return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory re-keying after funding");
  return LIQ_OK;
}

/* Called traders who top up: arm -> queue at the end of the step. */
static void detect_calls(engine *e, double p) {
  int k;
  if (e->queue == NULL) return;
  for (k = 0; k < 2; k++) {
    side_state *s = &e->sides[k];
    double x = probe(s, s->g_call, p);
    uint32_t id;
    while (liq_ladder_pop_upto(&s->arm, x, 0, &id)) {
      e->armed[id] = 0;
      e->queue[e->q_tail].id = id;
      e->queue[e->q_tail].due = e->row.step + (size_t)e->sc->margin.topup_delay;
      e->q_tail = (e->q_tail + 1) % (e->n + 1);
    }
  }
}

/* The margin rate a top-up restores: IM, or the call line when that is
** higher (call_level > 1), a hair above it so that the trader leaves the
** call zone and is called again only if the price keeps going. */
static double topup_target(const engine *e, uint32_t id) {
  double im = liq_margin_im_rate(e->mp, qty_of(e, id) * e->book->entry[id]);
  return fmax(im, call_rate_of(e, id)) * (1.0 + 1e-9);
}

static void serve_topups(engine *e, double p) {
  if (e->queue == NULL) return;
  while (e->q_head != e->q_tail && e->queue[e->q_head].due <= e->row.step) {
    uint32_t id = e->queue[e->q_head].id;
    e->q_head = (e->q_head + 1) % (e->n + 1);
    if (!e->open[id]) continue;
    {
      side_state *s = side_of(e, e->book->side[id]);
      double notional = qty_of(e, id) * p;
      double equity = liq_margin_equity(e->book->side[id], qty_of(e, id), e->book->entry[id],
                                        c_eff(e, id), p);
      double add = topup_target(e, id) * notional - equity;
      liq_ladder_erase(&s->liq, id);
      liq_ladder_erase(&s->call, id);
      if (add > 0.0) {
        materialise(e, id);
        own(e, id);
        e->c[id] += add;
        e->row.topups++;
        e->row.topup_collateral += add;
      }
      e->armed[id] = 1;
      reinsert(e, id);
    }
  }
}

/* ---- per-step statistics ------------------------------------------------ */

/* Open positions past their call threshold but not their liquidation
** threshold.  Under tiers a short whose notional grew into a dearer
** bracket can be past maintenance without being past its (entry-bracket)
** call line, so the pending positions are checked one by one. */
static size_t side_margin_calls(side_state *s, double p) {
  double xc = probe(s, s->g_call, p);
  size_t beyond = liq_ladder_count_below(&s->call, xc);
  size_t pending = liq_ladder_count_at_most(&s->liq, probe(s, s->g_liq, p));
  size_t i, both = 0;
  /* The pending positions (left by a max_rounds cut-off: few) that are
  ** also beyond their call line. */
  for (i = 0; i < pending; i++)
    both += liq_ladder_key(&s->call, liq_ladder_kth(&s->liq, i)) < xc;
  return beyond - both;
}

typedef struct seq_ctx {
  const engine *e;
  const side_state *s;
  double p;
  int distance;          /* 1: log distance, 0: normalised cushion */
} seq_ctx;

static double seq_at(const void *ctx, size_t i) {
  const seq_ctx *c = ctx;
  uint32_t id = liq_ladder_kth(&c->s->liq, i);
  double thr = threshold_of(c->s, liq_ladder_key(&c->s->liq, id), c->s->g_liq);
  if (c->distance) {  /* a long with p_liq <= 0 cannot be liquidated; a */
    if (c->s->side > 0) return thr > 0.0 ? log(c->p / thr) : HUGE_VAL;
    return thr > 0.0 ? log(thr / c->p) : -HUGE_VAL;  /* short so is bankrupt */
  }
  return c->s->side > 0 ? c->s->cushion_scale * (1.0 - thr / c->p)
                        : c->s->cushion_scale * (thr / c->p - 1.0);
}

/* Step t's quantiles are computed only for the step rows that are stored
** (liq_stats_step_stored()): they are the costliest per-step statistic,
** and a sweep that stores no steps skips them. */
static void step_quantiles(engine *e, double p) {
  seq_ctx cl = { e, &e->sides[0], p, 0 }, cs = { e, &e->sides[1], p, 0 };
  seq_ctx dl = { e, &e->sides[0], p, 1 }, ds = { e, &e->sides[1], p, 1 };
  size_t n_long = liq_ladder_size(&e->sides[0].liq);
  size_t n_short = liq_ladder_size(&e->sides[1].liq);
  liq_sorted_seq cushion[2] = { { n_long, seq_at, &cl }, { n_short, seq_at, &cs } };
  liq_sorted_seq distance[2] = { { n_long, seq_at, &dl }, { n_short, seq_at, &ds } };
  e->row.n_quantiles = e->sc->stats.n_quantiles;
  liq_stats_step_quantiles(&e->sc->stats,
                           liq_stats_step_stored(&e->sc->stats, e->row.step, e->n_steps),
                           cushion, distance, !e->tiered, e->row.cushion,
                           e->row.distance);
}

static void step_close(engine *e, double p, double pm, double x_close) {
  liq_step_row *r = &e->row;
  r->price = p;
  r->price_exogenous = x_close;
  r->liquidations = r->liquidations_long + r->liquidations_short;
  r->funding_external = r->funding + r->funding_short;
  r->insurance_fund = e->fund;
  r->open_long = e->sides[0].n_open;
  r->open_short = e->sides[1].n_open;
  r->open_interest_long = r->open_long ? p * side_qty(&e->sides[0]) : 0.0;
  r->open_interest_short = r->open_short ? p * side_qty(&e->sides[1]) : 0.0;
  r->margin_calls = side_margin_calls(&e->sides[0], pm) +
                    side_margin_calls(&e->sides[1], pm);
  step_quantiles(e, pm);
}

/* Seconds from bar t-1's open to bar t's, over which the forced flow
** decays: a replay's gap (a missing bar or more: over 1.5 steps apart)
** lasts as long as it lasts; otherwise one step (a generated path's times
** are rounded to the millisecond). */
static double bar_gap_seconds(const liq_path *path, size_t t) {
  double dt = (double)(path->t_ms[t] - path->t_ms[t - 1]) / 1000.0;
  return dt > 1.5 * path->step_seconds ? dt : path->step_seconds;
}

/*
** A waypoint whose market and mark prices equal the last ones visited is
** skipped (nothing can have crossed); with transient impact a flat bar
** still moves the market price, so it is visited.  Margin checks (hits,
** calls, top-ups, cushions) use the mark price with the impact applied to
** it; fills, impact and the price columns use the trade price.
*/
static int run_step(engine *e, const liq_path *path, size_t t, double *prev_p,
                    liq_err *err) {
  double *w = e->waypoints, *wm = e->waypoints + LIQ_PATH_WAYPOINTS_OF(path), p, pm;
  int k, n = liq_path_waypoints(path, t, w), rc;
  liq_path_mark_waypoints(path, t, wm);
  memset(&e->row, 0, sizeof e->row);
  e->row.step = t;
  e->row.t_ms = path->t_ms[t];
  e->row.price_low = INFINITY;
  e->row.price_high = -INFINITY;
  /* With sub-steps the bar's time passes between its waypoints (the flow
  ** decays over each), and bar t-1's close and bar t's open are one instant
  ** apart from a gap; K = 1 decays the whole bar at its start, as before. */
  double dt_in = path->substeps > 1 && n > 1 ? path->step_seconds / (double)(n - 1) : 0.0;
  if (t > 0) {
    liq_impact_state_decay(&e->imp, &e->sc->impact,
                           bar_gap_seconds(path, t) - (dt_in > 0.0 ? path->step_seconds : 0.0));
    impact_moved(e);
  }
  for (k = 0; k < n; k++) {
    double x = w[k], px, mx;
    if (k > 0 && dt_in > 0.0) {
      liq_impact_state_decay(&e->imp, &e->sc->impact, dt_in);
      impact_moved(e);
    }
    px = x * e->J;
    mx = wm[k] * e->J;
    if (x < e->sm->min_price_exogenous) e->sm->min_price_exogenous = x;
    if (x > e->sm->max_price_exogenous) e->sm->max_price_exogenous = x;
    liq_drawdown_add(&e->dd_exo, x);
    if (px == *prev_p && mx == e->prev_mark && !(t == 0 && k == 0)) continue;
    visit_price(e, px);
    rc = cascade(e, x, wm[k], err);
    if (rc != LIQ_OK) return rc;
    *prev_p = x * e->J;          /* where the cascade left the market */
    e->prev_mark = wm[k] * e->J;
  }
  if (e->funding && e->funding[t] != 0.0) {
    /* on the mark, as exchanges charge it (notional at the mark x rate) */
    rc = pay_funding(e, e->funding[t], wm[n - 1] * e->J, err);
    if (rc == LIQ_OK) rc = cascade(e, path->close[t], wm[n - 1], err);
    if (rc != LIQ_OK) return rc;
  }
  p = path->close[t] * e->J;
  pm = wm[n - 1] * e->J;
  *prev_p = p;
  e->prev_mark = pm;
  visit_price(e, p);          /* a flat bar still has a low and a high */
  detect_calls(e, pm);
  serve_topups(e, pm);
  step_close(e, p, pm, path->close[t]);
  return LIQ_OK;
}

/* ---- summary ------------------------------------------------------------ */

static void summary_add_step(liq_summary *sm, const liq_step_row *r) {
  sm->liquidated_long += r->liquidations_long;
  sm->liquidated_short += r->liquidations_short;
  sm->liquidated_notional += r->liquidated_notional;
  sm->bad_debt += r->bad_debt;
  sm->uncovered_loss += r->uncovered_loss;
  sm->fees += r->fees;
  sm->partial_liquidations += r->partial_liquidations;
  sm->topups += r->topups;
  sm->topup_collateral += r->topup_collateral;
  sm->funding_long += r->funding;
  sm->funding_short += r->funding_short;
  sm->funding_external += r->funding_external;
  sm->adl_count += r->adl_count;
  sm->adl_notional += r->adl_notional;
  sm->haircut += r->haircut;
  if (r->margin_calls > sm->margin_calls) sm->margin_calls = r->margin_calls;
  if (r->cascade_rounds > sm->max_cascade_rounds) sm->max_cascade_rounds = r->cascade_rounds;
}

/* Accounting of the positions still open at the final price p. */
static void summary_close(engine *e, double p) {
  const liq_book *b = e->book;
  liq_summary *sm = e->sm;
  size_t i;
  for (i = 0; i < b->n; i++) {
    double pnl;
    sm->collateral += b->collateral[i];
    if (!e->open[i]) continue;
    pnl = (double)b->side[i] * qty_of(e, (uint32_t)i) * (p - b->entry[i]);
    sm->pnl_open += pnl;
    sm->open_equity += c_eff(e, (uint32_t)i) + pnl;
  }
  sm->liquidated = sm->liquidated_long + sm->liquidated_short;
  sm->insurance_fund_end = e->fund;
  sm->drawdown = e->dd.max_dd;
  sm->drawdown_exogenous = e->dd_exo.max_dd;
  liq_engine_summary_extremes(sm);
}

/* ---- public ------------------------------------------------------------- */

void liq_engine_summary_extremes(liq_summary *sm) {
  double fall = log(sm->min_price / sm->start_price);
  double rise = log(sm->max_price / sm->start_price);
  sm->impact_at_low = log(sm->min_price / sm->min_price_exogenous);
  sm->impact_at_high = log(sm->max_price / sm->max_price_exogenous);
  sm->forced_share_of_fall = fall < 0.0 ? sm->impact_at_low / fall : nan("");
  sm->forced_share_of_rise = rise > 0.0 ? sm->impact_at_high / rise : nan("");
}

/* stats.counterfactual: run the same path and book without impact and
** store what it liquidates. */
static int run_counterfactual(const liq_scenario *sc, const liq_path *path,
                              const liq_book *book, liq_summary *summary,
                              liq_err *err) {
  liq_scenario *plain = malloc(sizeof *plain);
  liq_summary sm;
  int rc;
  if (plain == NULL) return liq_errf(err, LIQ_NOMEM, NULL, 0, "out of memory");
  *plain = *sc;
  plain->impact.model = LIQ_IMPACT_NONE;
  plain->impact.permanent = 0.0;
  plain->stats.counterfactual = 0;
  plain->stats.steps = 0;            /* no step rows: skip their quantiles */
  rc = liq_engine_run(plain, path, book, NULL, &sm, err);
  free(plain);
  if (rc != LIQ_OK) return rc;
  summary->counterfactual = 1;
  summary->liquidated_without_impact = sm.liquidated;
  summary->liquidated_notional_without_impact = sm.liquidated_notional;
  summary->bad_debt_without_impact = sm.bad_debt;
  return LIQ_OK;
}

double liq_engine_daily_volatility(const liq_scenario *sc, const liq_path *path) {
  return isnan(sc->impact.daily_volatility) ? path->daily_volatility
                                            : sc->impact.daily_volatility;
}

int liq_engine_check_inputs(const liq_scenario *sc, const liq_path *path,
                            liq_err *err) {
  char why[64];
  if (sc->impact.model != LIQ_IMPACT_SQRT || liq_engine_daily_volatility(sc, path) > 0.0)
    return LIQ_OK;
  if (path->n < 3)
    snprintf(why, sizeof why, "%zu bar%s: too few returns to estimate it", path->n,
             path->n == 1 ? "" : "s");
  else
    snprintf(why, sizeof why, "its returns do not vary");
  return liq_scenario_errf(sc, sc->where.impact, err,
                           "sqrt impact needs impact.daily_volatility: the price path "
                           "gives none (%s); set it, e.g. impact.daily_volatility = 0.04",
                           why);
}

int liq_engine_is_topper(uint64_t seed, size_t id, double share) {
  uint64_t x = seed ^ (0x9e3779b97f4a7c15ULL * ((uint64_t)id + 1));
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27; x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return (double)(x >> 11) * 0x1.0p-53 < share;
}

double liq_engine_adl_score(int side, double qty, double entry,
                            double collateral, double price) {
  /* Per unit of quantity, so positions that differ only in size score the
  ** same; rounded to 10 significant digits, so that ties are ties in every
  ** engine (and go by id) rather than decided by the last bit. */
  double pnl = (double)side * (price - entry), c = collateral / qty;
  double equity = c + pnl, score, scale;
  if (!(pnl > 0.0) || !(c > 0.0) || !(equity > 0.0)) return 0.0;
  score = (pnl / c) * (price / equity);
  scale = pow(10.0, 9.0 - floor(log10(score)));
  return nearbyint(score * scale) / scale;
}

int liq_engine_run(const liq_scenario *sc, const liq_path *path,
                   const liq_book *book, const liq_sink *sink,
                   liq_summary *summary /* OUT */, liq_err *err) {
  engine e;
  size_t t;
  double prev_p;
  int rc = LIQ_OK;

  memset(summary, 0, sizeof *summary);
  memset(&e, 0, sizeof e);
  if (path->n == 0)
    return liq_errf(err, LIQ_INPUT, NULL, 0, "the price path has no steps");
  if (book->n >= 0x7fffffffu)    /* ladders and treaps flag bit 31 */
    return liq_errf(err, LIQ_INPUT, NULL, 0, "at most %u positions", 0x7fffffffu - 1u);
  rc = liq_engine_check_inputs(sc, path, err);
  if (rc != LIQ_OK) return rc;
  e.sc = sc;
  e.book = book;
  e.sink = sink;
  e.daily_vol = liq_engine_daily_volatility(sc, path);
  e.fund = sc->insurance.fund;
  e.J = 1.0;                                /* exp(lnJ = 0): no impact yet */
  e.sm = summary;
  e.n_steps = path->n;
  summary->first_adl_step = -1;
  rc = engine_init(&e, sc, path, book, err);
  if (rc != LIQ_OK) goto out;
  summary->positions = book->n;
  summary->steps = path->n;
  summary->start_price = path->open[0];
  summary->insurance_fund_start = summary->insurance_fund_min = e.fund;
  summary->min_price = summary->min_price_exogenous = INFINITY;
  summary->max_price = summary->max_price_exogenous = -INFINITY;
  prev_p = path->open[0];
  for (t = 0; t < path->n; t++) {
    rc = run_step(&e, path, t, &prev_p, err);
    if (rc != LIQ_OK) goto out;
    summary_add_step(summary, &e.row);
    rc = liq_stats_check_step(&e.row, err);   /* Inf/NaN money: fail */
    if (rc != LIQ_OK) goto out;
    if (sink && sink->step) {
      rc = sink->step(sink->ud, &e.row, err);
      if (rc != LIQ_OK) goto out;
    }
  }
  summary_close(&e, path->close[path->n - 1] * e.J);
  rc = liq_stats_check_summary(summary, err);
out:
  engine_free(&e);
  if (rc == LIQ_OK && sc->stats.counterfactual)
    rc = run_counterfactual(sc, path, book, summary, err);
  return rc;
}
