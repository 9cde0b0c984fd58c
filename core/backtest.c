/*
** backtest.c: margin models run over a price history, bar by bar, and
** the coverage statistics of their exceedances (see liq_backtest.h for
** the timing, the models and the anti-procyclicality tools).
**
** Indexing.  Bars 0..n-1 with closes c_i; r_i = ln(c_i / c_{i-1}) for
** i >= 1, NaN across a gap.  The move of the window starting at bar s is
** M(s) = ln(c_{s+H-1} / c_{s-1}), observed when no r_i in s..s+H-1 is a
** gap.  Bar t's margin may use r_1 .. r_{t-1}: the lookback of L bars is
** r_{t-L} .. r_{t-1}, whose complete windows are s = t-L .. t-H.  Margins
** are computed for t = L+1 .. n-H (t+H-1 must be a bar), the statistics
** on the bars of the --from/--to window among them.
**
** Cost: hs and fhs keep the lookback's window returns in a sorted array
** (one binary-search insert and delete per bar, O(L) memmove); ewma is
** O(1) per bar; garch fits every refit_bars bars (liq_fit_run on L
** returns) and runs the variance recursion in between.
*/
#include "liq_backtest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "liq_fit.h"
#include "liq_stats.h"
#include "liq_time.h"

#define DAY_SECONDS   86400.0
#define YEAR_DAYS     365.0
#define APC_DAYS      30.0     /* buffer low and the procyclicality window */

static const char *const MODEL_NAMES[] = { "hs", "ewma", "fhs", "garch", "file" };
static const char *const APC_NAMES[] = { "none", "buffer", "floor", "stress" };

int liq_bt_model_parse(const char *name) {
  int i;
  if (name == NULL) return -1;
  for (i = 0; i < (int)(sizeof MODEL_NAMES / sizeof MODEL_NAMES[0]); i++)
    if (strcmp(name, MODEL_NAMES[i]) == 0) return i;
  return -1;
}

const char *liq_bt_model_name(int model) {
  if (model < 0 || model > LIQ_BT_FILE) return NULL;
  return MODEL_NAMES[model];
}

int liq_bt_apc_parse(const char *name) {
  int i;
  if (name == NULL) return -1;
  for (i = 0; i < (int)(sizeof APC_NAMES / sizeof APC_NAMES[0]); i++)
    if (strcmp(name, APC_NAMES[i]) == 0) return i;
  return -1;
}

const char *liq_bt_apc_name(int apc) {
  if (apc < 0 || apc > LIQ_APC_STRESS) return NULL;
  return APC_NAMES[apc];
}

void liq_backtest_defaults(liq_backtest_settings *s) {
  memset(s, 0, sizeof *s);
  s->model = LIQ_BT_HS;
  s->confidence = 0.99;
  s->lambda = 0.94;
  s->apc = LIQ_APC_NONE;
}

/* ------------------------------------------------------------------------
** A sorted multiset of doubles (the lookback's window returns)
*/

typedef struct sorted_set {
  double *v;
  size_t n, cap;
} sorted_set;

/* First index with v[i] >= x. */
static size_t lower_bound(const sorted_set *s, double x) {
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->v[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static void set_insert(sorted_set *s, double x) {
  size_t i = lower_bound(s, x);
  memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof *s->v);
  s->v[i] = x;
  s->n++;
}

static void set_remove(sorted_set *s, double x) {
  size_t i = lower_bound(s, x);
  if (i < s->n && s->v[i] == x) {
    memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof *s->v);
    s->n--;
  }
}

/* The lower (1-c) nearest-rank quantile and its mirror, the same order
** statistic counted from the top: with c n integral (n = 1000 at 99 %)
** the c nearest rank would take the 11th largest against the 10th
** smallest, a thinner short tail than the long one. */
static void set_tails(const sorted_set *s, double c, double *lo, double *hi) {
  size_t k = liq_stats_rank(1.0 - c, s->n);
  *lo = s->v[k];
  *hi = s->v[s->n - 1 - k];
}

/* ------------------------------------------------------------------------
** Sliding minimum / maximum over a series indexed by bar (monotone deque)
*/

typedef struct mono {
  size_t *idx;
  size_t head, tail;
  int want_max;
} mono;

/* Add x[t] and drop indices older than t - window; returns the extreme. */
static double mono_push(mono *q, const double *x, size_t t, size_t window) {
  while (q->tail > q->head &&
         (q->want_max ? x[q->idx[q->tail - 1]] <= x[t] : x[q->idx[q->tail - 1]] >= x[t]))
    q->tail--;
  q->idx[q->tail++] = t;
  while (q->idx[q->head] + window < t) q->head++;
  return x[q->idx[q->head]];
}

/* ------------------------------------------------------------------------
** The history: returns, gaps, window moves
*/

typedef struct history {
  const liq_path *p;
  size_t n, H;
  double *r;          /* r[i], i >= 1; NaN across a gap */
  size_t *gaps;       /* gaps[i]: gaps among r_1..r_i */
  double *sig2;       /* EWMA variance known at bar t (from r_1..r_{t-1}), t <= n */
} history;

/* Is the window starting at s (bars s..s+H-1) complete and gap-free? */
static int move_ok(const history *h, size_t s) {
  if (s < 1 || s + h->H - 1 >= h->n) return 0;
  return h->gaps[s + h->H - 1] == h->gaps[s - 1];
}

static double move_at(const history *h, size_t s) {
  return log(h->p->close[s + h->H - 1] / h->p->close[s - 1]);
}

static int history_init(history *h, const liq_path *p, size_t H, double spacing,
                        double lambda) {
  size_t i;
  int64_t med = (int64_t)llround(spacing * 1000.0), limit = med + med / 2;
  int seeded = 0;
  /* lambda is RiskMetrics' daily decay: per bar, the same memory in days */
  lambda = pow(lambda, spacing / 86400.0);
  h->p = p;
  h->n = p->n;
  h->H = H;
  h->r = calloc(p->n + 1, sizeof *h->r);
  h->gaps = calloc(p->n + 1, sizeof *h->gaps);
  h->sig2 = calloc(p->n + 2, sizeof *h->sig2);
  if (h->r == NULL || h->gaps == NULL || h->sig2 == NULL) return LIQ_NOMEM;
  h->r[0] = NAN;
  for (i = 1; i < p->n; i++) {
    int gap = p->t_ms[i] - p->t_ms[i - 1] > limit;
    h->r[i] = gap ? (double)NAN : log(p->close[i] / p->close[i - 1]);
    h->gaps[i] = h->gaps[i - 1] + (size_t)gap;
  }
  /* RiskMetrics recursion, zero mean, started at the first return squared;
  ** sig2[t] uses r_1 .. r_{t-1} only. */
  h->sig2[0] = h->sig2[1] = NAN;
  for (i = 1; i < p->n; i++) {
    double prev = h->sig2[i];
    if (isnan(h->r[i])) h->sig2[i + 1] = prev;
    else if (!seeded) { h->sig2[i + 1] = h->r[i] * h->r[i]; seeded = 1; }
    else h->sig2[i + 1] = lambda * prev + (1.0 - lambda) * h->r[i] * h->r[i];
  }
  return LIQ_OK;
}

static void history_free(history *h) {
  free(h->r);
  free(h->gaps);
  free(h->sig2);
}

/* ------------------------------------------------------------------------
** Result
*/

void liq_backtest_result_free(liq_backtest_result *r) {
  if (r == NULL) return;
  free(r->t_ms);
  free(r->price);
  free(r->margin_long);
  free(r->margin_short);
  free(r->model_long);
  free(r->model_short);
  free(r->move);
  free(r->exceed_long);
  free(r->exceed_short);
  free(r->sampled);
  free(r->zone_long);
  free(r->zone_short);
  free(r);
}

static liq_backtest_result *result_alloc(size_t n) {
  liq_backtest_result *r = calloc(1, sizeof *r);
  size_t m = n ? n : 1;
  if (r == NULL) return NULL;
  r->n = n;
  r->t_ms = malloc(m * sizeof *r->t_ms);
  r->price = malloc(m * sizeof *r->price);
  r->margin_long = malloc(m * sizeof *r->margin_long);
  r->margin_short = malloc(m * sizeof *r->margin_short);
  r->model_long = malloc(m * sizeof *r->model_long);
  r->model_short = malloc(m * sizeof *r->model_short);
  r->move = malloc(m * sizeof *r->move);
  r->exceed_long = calloc(m, 1);
  r->exceed_short = calloc(m, 1);
  r->sampled = calloc(m, 1);
  r->zone_long = malloc(m);
  r->zone_short = malloc(m);
  if (!r->t_ms || !r->price || !r->margin_long || !r->margin_short ||
      !r->model_long || !r->model_short || !r->move || !r->exceed_long ||
      !r->exceed_short || !r->sampled || !r->zone_long || !r->zone_short) {
    liq_backtest_result_free(r);
    return NULL;
  }
  return r;
}

/* ------------------------------------------------------------------------
** The models: log-return thresholds (q_long, q_short) for bar t
*/

/* The window values of s = t-L .. t-H (s >= 1), sorted: hs moves, or
** (fhs) moves over the EWMA volatility at their start, per sqrt(H). */
typedef struct lookback {
  sorted_set set;
  size_t L;            /* bars; windows start at max(1, t - L) */
  int fhs;
  size_t t;            /* the bar the set is for, 0: not built */
} lookback;

static double window_value(const history *h, size_t s, int fhs) {
  double sig;
  if (!move_ok(h, s)) return NAN;
  if (!fhs) return move_at(h, s);
  sig = sqrt(h->sig2[s]);
  if (!(sig > 0.0)) return NAN;
  return move_at(h, s) / (sig * sqrt((double)h->H));
}

static size_t first_start(const lookback *w, size_t t) {
  return t > w->L ? t - w->L : 1;
}

/* Bring the set to bar t (t > H). */
static void lookback_advance(lookback *w, const history *h, size_t t) {
  size_t H = h->H, s;
  if (w->t == 0 || t != w->t + 1) {
    w->set.n = 0;
    for (s = first_start(w, t); s + H <= t; s++) {
      double v = window_value(h, s, w->fhs);
      if (!isnan(v)) set_insert(&w->set, v);
    }
  } else {
    size_t gone = first_start(w, t - 1);
    double in = window_value(h, t - H, w->fhs);
    if (first_start(w, t) > gone) {
      double out = window_value(h, gone, w->fhs);
      if (!isnan(out)) set_remove(&w->set, out);
    }
    if (!isnan(in)) set_insert(&w->set, in);
  }
  w->t = t;
}

typedef struct model_state {
  const liq_backtest_settings *s;
  const history *h;
  const char *name;            /* price file, for messages */
  lookback win;                /* hs, fhs */
  /* garch */
  liq_fit_result fit;
  int have_fit;
  double h_var;                /* conditional variance of bar t's return */
  size_t tried_at, fits, fit_failures;   /* tried_at: bar of the last refit, failed or not */
  /* file */
  const liq_margin_series *file;
  size_t file_j;
  int file_started;
} model_state;

static int model_window(model_state *ms, size_t t, double *ql, double *qs,
                        liq_err *err) {
  double lo, hi, scale = 1.0;
  lookback_advance(&ms->win, ms->h, t);
  if (ms->win.set.n == 0)
    return liq_errf(err, LIQ_INPUT, ms->name, 0,
                    "no %zu-bar return without a gap in the %zu bars before bar %zu",
                    ms->h->H, ms->s->lookback_bars, t);
  set_tails(&ms->win.set, ms->s->confidence, &lo, &hi);
  if (ms->s->model == LIQ_BT_FHS) scale = sqrt(ms->h->sig2[t] * (double)ms->h->H);
  *ql = -lo * scale;
  *qs = hi * scale;
  return LIQ_OK;
}

static void model_ewma(const model_state *ms, size_t t, double *ql, double *qs) {
  double z = gsl_cdf_ugaussian_Pinv(ms->s->confidence);
  *ql = *qs = z * sqrt(ms->h->sig2[t] * (double)ms->h->H);
}

/* Fit GARCH(1,1)-t on the L returns before t (bars t-L-1 .. t-1). */
static int garch_refit(model_state *ms, size_t t, liq_err *err) {
  const liq_path *p = ms->h->p;
  size_t L = ms->s->lookback_bars, a = t - L - 1;
  liq_path view = *p;
  liq_fit_result fit;
  liq_err e2;
  int rc;
  view.n = L + 1;
  view.t_ms = p->t_ms + a;
  view.open = p->open + a;
  view.high = p->high + a;
  view.low = p->low + a;
  view.close = p->close + a;
  liq_err_clear(&e2);
  rc = liq_fit_run(&view, LIQ_FIT_GARCH, &fit, &e2);
  ms->fits++;
  ms->tried_at = t;
  if (rc != LIQ_OK) {
    ms->fit_failures++;
    /* Keep the previous parameters until the next scheduled refit (not the
    ** next bar: a window without variance would refit every bar). */
    if (ms->have_fit) return LIQ_OK;
    *err = e2;
    if (err->file[0] == '\0') snprintf(err->file, sizeof err->file, "%s", ms->name);
    return rc;
  }
  ms->fit = fit;
  ms->have_fit = 1;
  ms->h_var = fit.garch_variance_next;
  return LIQ_OK;
}

/* sum_{k=0}^{H-1} E[h_{t+k}] by the forecast recursion h_{k+1} = omega +
** ph h_k.  The closed form H vbar + (h_t - vbar)(1 - ph^H)/(1 - ph), vbar =
** omega/(1 - ph), cancels catastrophically when ph is 1 to 12 digits (the
** hourly BTC fits are), and is 0/0 at ph = 1. */
double liq_garch_horizon_variance(double omega, double persistence, double h_next,
                                  size_t horizon) {
  double sum = 0.0, h = h_next;
  size_t k;
  for (k = 0; k < horizon; k++) {
    sum += h;
    h = omega + persistence * h;
  }
  return sum;
}

/* The standardised quantile of an H-bar sum of unit-variance t shocks:
** the t's own for H = 1; for H > 1 the sum lies between the t and the
** normal, so the larger of the two (the t's at 99 %, the normal's at
** 97.5 % and below for nu near 3, where the unit-variance t is peaked). */
double liq_garch_horizon_quantile(double confidence, double nu, size_t horizon) {
  double t = gsl_cdf_tdist_Pinv(confidence, nu) * sqrt((nu - 2.0) / nu);
  if (horizon <= 1) return t;
  return fmax(t, gsl_cdf_ugaussian_Pinv(confidence));
}

static int model_garch(model_state *ms, size_t t, double *ql, double *qs,
                       liq_err *err) {
  const liq_fit_result *f = &ms->fit;
  double vh, sd, tq, H = (double)ms->h->H;
  size_t refit = ms->s->refit_bars;
  int rc;
  if (!ms->have_fit || t - ms->tried_at >= refit) {
    rc = garch_refit(ms, t, err);
    if (rc != LIQ_OK) return rc;
  }
  vh = liq_garch_horizon_variance(f->garch_omega, f->garch_alpha + f->garch_beta,
                                  ms->h_var, ms->h->H);
  sd = sqrt(fmax(vh, 0.0));
  tq = liq_garch_horizon_quantile(ms->s->confidence, f->garch_nu, ms->h->H);
  *ql = -H * f->garch_mu + tq * sd;
  *qs = H * f->garch_mu + tq * sd;
  return LIQ_OK;
}

/* After bar t's margin: run the GARCH recursion on r_t. */
static void garch_step(model_state *ms, size_t t) {
  double r = ms->h->r[t], e;
  if (!ms->have_fit || isnan(r)) return;
  e = r - ms->fit.garch_mu;
  ms->h_var = ms->fit.garch_omega + ms->fit.garch_alpha * e * e +
              ms->fit.garch_beta * ms->h_var;
}

/* "2020-03-12 10:00" (UTC) for messages. */
static void fmt_bar_time(int64_t ms, char *buf, size_t size) {
  char full[48];
  size_t n;
  liq_time_format(ms, full, sizeof full);
  n = strlen(full);
  snprintf(buf, size, "%.*s", (int)(n > 3 ? n - 3 : n), full);   /* no seconds */
}

/* The file's rates at bar t: one row per evaluated bar, in order; rows
** before the first evaluated bar are skipped, a row between two evaluated
** bars that is at no bar's open time is an error at its line. */
static int model_file(model_state *ms, size_t t, double *ql, double *qs,
                      liq_err *err) {
  const liq_margin_series *f = ms->file;
  int64_t bt = ms->h->p->t_ms[t];
  char when[48];
  while (ms->file_j < f->n && f->t_ms[ms->file_j] < bt) {
    if (ms->file_started) {
      fmt_bar_time(f->t_ms[ms->file_j], when, sizeof when);
      return liq_errf(err, LIQ_INPUT, f->file, (int)f->line[ms->file_j],
                      "margin row at %s UTC (open_time_ms %lld) is at no bar's "
                      "open time of %s", when, (long long)f->t_ms[ms->file_j],
                      ms->name);
    }
    ms->file_j++;
  }
  if (ms->file_j >= f->n || f->t_ms[ms->file_j] != bt) {
    long line = ms->file_j < f->n ? f->line[ms->file_j]
                                  : (f->n ? f->line[f->n - 1] + 1 : 1);
    fmt_bar_time(bt, when, sizeof when);
    return liq_errf(err, LIQ_INPUT, f->file, (int)line,
                    "no margin row for the bar at %s UTC (open_time_ms %lld)%s",
                    when, (long long)bt,
                    ms->file_j < f->n ? "; this row is for a later bar" : " (end of file)");
  }
  *ql = -log1p(-f->m_long[ms->file_j]);
  *qs = log1p(f->m_short[ms->file_j]);
  ms->file_j++;
  ms->file_started = 1;
  return LIQ_OK;
}

/* Bar t's model thresholds, clamped at 0. */
static int model_thresholds(model_state *ms, size_t t, double *ql, double *qs,
                            liq_err *err) {
  int rc = LIQ_OK;
  switch (ms->s->model) {
    case LIQ_BT_HS:
    case LIQ_BT_FHS:   rc = model_window(ms, t, ql, qs, err); break;
    case LIQ_BT_EWMA:  model_ewma(ms, t, ql, qs); break;
    case LIQ_BT_GARCH: rc = model_garch(ms, t, ql, qs, err); break;
    default:           rc = model_file(ms, t, ql, qs, err); break;
  }
  if (rc != LIQ_OK) return rc;
  if (!(isfinite(*ql) && isfinite(*qs)))
    return liq_errf(err, LIQ_NUMERIC, ms->name, 0,
                    "%s margin at bar %zu is not finite", liq_bt_model_name(ms->s->model), t);
  *ql = fmax(*ql, 0.0);
  *qs = fmax(*qs, 0.0);
  return LIQ_OK;
}

/* ------------------------------------------------------------------------
** Settings and the data they need
*/

static int check_settings(const liq_backtest_settings *s, const liq_margin_series *file,
                          liq_err *err) {
  if (liq_bt_model_name(s->model) == NULL)
    return liq_errf(err, LIQ_USAGE, NULL, 0, "backtest: unknown model %d", s->model);
  if (!(s->confidence > 0.0 && s->confidence < 1.0))
    return liq_errf(err, LIQ_USAGE, NULL, 0,
                    "backtest: confidence must be in (0, 1), got %g", s->confidence);
  if (!(s->lambda > 0.0 && s->lambda < 1.0))
    return liq_errf(err, LIQ_USAGE, NULL, 0,
                    "backtest: lambda must be in (0, 1), got %g", s->lambda);
  if (liq_bt_apc_name(s->apc) == NULL)
    return liq_errf(err, LIQ_USAGE, NULL, 0, "backtest: unknown apc %d", s->apc);
  if ((s->model == LIQ_BT_FILE) != (file != NULL))
    return liq_errf(err, LIQ_USAGE, NULL, 0,
                    "backtest: a margin file goes with model 'file' and only with it");
  return LIQ_OK;
}

static size_t bars_of(double seconds, double spacing) {
  double b = floor(seconds / spacing + 0.5);
  return b < 1.0 ? 1 : (size_t)b;
}

/* The range of bars with a margin, [*t_first, *t_last], and the
** evaluation window inside it, [*e_first, *e_last]. */
static int plan_bars(const liq_path *p, const char *name, liq_backtest_settings *s,
                     size_t *t_first, size_t *t_last, size_t *e_first,
                     size_t *e_last, liq_err *err) {
  size_t n = p->n, H = s->horizon_bars, L = s->lookback_bars, t;
  if (H >= n)
    return liq_errf(err, LIQ_INPUT, name, 0,
                    "the horizon of %zu bars is longer than the data: %s has %zu "
                    "bar%s (a move needs horizon + 1 closes)",
                    H, name, n, n == 1 ? "" : "s");
  if (s->model != LIQ_BT_FILE && L < H)
    return liq_errf(err, LIQ_INPUT, name, 0,
                    "the lookback of %zu bars is shorter than the horizon of %zu bars",
                    L, H);
  if (s->model == LIQ_BT_GARCH && L < LIQ_FIT_MIN_RETURNS)
    return liq_errf(err, LIQ_INPUT, name, 0,
                    "garch needs a lookback of at least %d bars, got %zu",
                    LIQ_FIT_MIN_RETURNS, L);
  *t_first = s->model == LIQ_BT_FILE ? 1 : L + 1;
  *t_last = n - H;
  if (*t_first > *t_last)
    return liq_errf(err, LIQ_INPUT, name, 0,
                    "a lookback of %zu bars and a horizon of %zu bars need more than "
                    "the %zu bars of the data; shorten --lookback-bars", L, H, n);
  *e_first = *t_first;
  while (*e_first <= *t_last && s->has_from && p->t_ms[*e_first] < s->from_ms)
    (*e_first)++;
  *e_last = *t_last;
  while (*e_last >= *e_first && s->has_to && p->t_ms[*e_last] > s->to_ms) {
    if (*e_last == 0) break;
    (*e_last)--;
  }
  t = *e_first;
  if (t > *t_last || t > *e_last || (s->has_to && p->t_ms[t] > s->to_ms))
    return liq_errf(err, LIQ_INPUT, name, 0,
                    "no bar to backtest: the window (after %zu bars of lookback and "
                    "before the last %zu-bar horizon) is empty", L, H);
  return LIQ_OK;
}

/* ------------------------------------------------------------------------
** Anti-procyclicality on one side's rate series (indexed by bar)
*/

typedef struct apc_state {
  int kind;
  size_t w30, w10y;
  mono low30, high10;          /* buffer: 30-day low; stress: 10-year high */
  lookback floor;              /* floor: HS over up to ten years */
} apc_state;

static double apc_apply(apc_state *a, const history *h, const double *m, size_t t,
                        double confidence, int is_long) {
  double lo, hi, q;
  switch (a->kind) {
    case LIQ_APC_BUFFER:
      return fmax(m[t], (1.0 + LIQ_BT_APC_BUFFER) * mono_push(&a->low30, m, t, a->w30));
    case LIQ_APC_STRESS:
      return (1.0 - LIQ_BT_APC_STRESS) * m[t] +
             LIQ_BT_APC_STRESS * mono_push(&a->high10, m, t, a->w10y);
    case LIQ_APC_FLOOR:
      lookback_advance(&a->floor, h, t);
      if (a->floor.set.n == 0) return m[t];
      set_tails(&a->floor.set, confidence, &lo, &hi);
      q = is_long ? fmax(-lo, 0.0) : fmax(hi, 0.0);
      return fmax(m[t], is_long ? -expm1(-q) : expm1(q));
    default:
      return m[t];
  }
}

/* ------------------------------------------------------------------------
** Statistics of one side
*/

static void coverage(const unsigned char *hit, const unsigned char *after_gap, size_t n,
                     double p, liq_bt_coverage *c) {
  size_t i;
  c->n_obs = n;
  c->exceedances = 0;
  for (i = 0; i < n; i++) c->exceedances += hit[i] != 0;
  c->rate = n ? (double)c->exceedances / (double)n : (double)NAN;
  liq_kupiec_pof(n, c->exceedances, p, &c->kupiec_lr, &c->kupiec_p);
  liq_christoffersen_test(hit, after_gap, n, p, &c->chr);
}

/* hits: the side's exceedances at observed points; 'idx' their point
** indices; zones written at the sampled points. */
static void side_stats(liq_backtest_result *r, int side, unsigned char *hits,
                       unsigned char *after_gap, size_t *idx) {
  const unsigned char *ex = side == 0 ? r->exceed_long : r->exceed_short;
  signed char *zone = side == 0 ? r->zone_long : r->zone_short;
  const double *m = side == 0 ? r->margin_long : r->margin_short;
  liq_bt_side *sd = &r->side[side];
  double p = 1.0 - r->set.confidence, c = r->set.confidence;
  size_t i, k = 0, W = LIQ_BT_BASEL_WINDOW, inwin = 0;
  unsigned char gap = 0;

  /* A point without a move (a gap) breaks the chain of transitions. */
  for (i = 0; i < r->n; i++) {
    if (isnan(r->move[i])) {
      gap = 1;
      continue;
    }
    after_gap[k] = gap;
    hits[k++] = ex[i];
    gap = 0;
  }
  coverage(hits, after_gap, k, p, &sd->all);

  k = 0;
  gap = 0;
  for (i = 0; i < r->n; i++) {
    zone[i] = -1;
    if (!r->sampled[i]) continue;
    if (isnan(r->move[i])) {
      gap = 1;
      continue;
    }
    idx[k] = i;
    after_gap[k] = gap;
    hits[k++] = ex[i];
    gap = 0;
  }
  coverage(hits, after_gap, k, p, &sd->nonoverlap);

  /* traffic light on every window of W non-overlapping observations */
  memset(sd->windows, 0, sizeof sd->windows);
  for (i = 0; i < k; i++) {
    inwin += hits[i];
    if (i >= W) inwin -= hits[i - W];
    if (i + 1 >= W) {
      int z = liq_traffic_light_zone(inwin, W, c);
      sd->windows[z]++;
      zone[idx[i]] = (signed char)z;
    }
  }
  /* Fewer than W observations: no zone.  (Basel's rule applied to a
  ** short window is meaningless: at 99 % and 3 observations even 0
  ** exceedances have P(X <= 0) = 97 % >= 95 %, "yellow".) */
  if (k >= W) {
    sd->zone_n = W;
    sd->zone_exceedances = inwin;
    sd->zone = liq_traffic_light_zone(sd->zone_exceedances, sd->zone_n, c);
  } else {
    sd->zone_n = k;
    sd->zone_exceedances = sd->nonoverlap.exceedances;
    sd->zone = -1;
  }
  liq_procyclicality(m, r->n, bars_of(APC_DAYS * DAY_SECONDS, r->step_seconds),
                     &sd->peak_to_trough, &sd->max_increase_30d);
}

static int compute_stats(liq_backtest_result *r, liq_err *err) {
  size_t n = r->n ? r->n : 1;
  unsigned char *hits = malloc(n), *after_gap = malloc(n);
  size_t *idx = malloc(n * sizeof *idx);
  int rc = LIQ_OK;
  if (hits == NULL || after_gap == NULL || idx == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, NULL, 0, "backtest: out of memory");
  } else {
    side_stats(r, 0, hits, after_gap, idx);
    side_stats(r, 1, hits, after_gap, idx);
  }
  free(hits);
  free(after_gap);
  free(idx);
  return rc;
}

/* ------------------------------------------------------------------------
** The run
*/

typedef struct run_buffers {
  history h;
  model_state ms;
  apc_state apc[2];
  double *ml, *msh;            /* model rates by bar */
} run_buffers;

static void run_buffers_free(run_buffers *b) {
  int k;
  history_free(&b->h);
  free(b->ms.win.set.v);
  for (k = 0; k < 2; k++) {
    free(b->apc[k].low30.idx);
    free(b->apc[k].high10.idx);
    free(b->apc[k].floor.set.v);
  }
  free(b->ml);
  free(b->msh);
}

static int run_buffers_init(run_buffers *b, const liq_path *p,
                            const liq_backtest_settings *s, double spacing) {
  size_t n = p->n, k;
  if (history_init(&b->h, p, s->horizon_bars, spacing, s->lambda) != LIQ_OK)
    return LIQ_NOMEM;
  b->ml = calloc(n + 1, sizeof *b->ml);
  b->msh = calloc(n + 1, sizeof *b->msh);
  b->ms.win.L = s->lookback_bars;
  b->ms.win.fhs = s->model == LIQ_BT_FHS;
  b->ms.win.set.v = malloc((n + 1) * sizeof(double));
  if (b->ml == NULL || b->msh == NULL || b->ms.win.set.v == NULL) return LIQ_NOMEM;
  for (k = 0; k < 2; k++) {
    apc_state *a = &b->apc[k];
    a->kind = s->apc;
    a->w30 = bars_of(APC_DAYS * DAY_SECONDS, spacing);
    a->w10y = bars_of(LIQ_BT_APC_YEARS * YEAR_DAYS * DAY_SECONDS, spacing);
    a->high10.want_max = 1;
    a->floor.L = a->w10y;
    if (s->apc == LIQ_APC_NONE) continue;
    a->low30.idx = malloc((n + 1) * sizeof *a->low30.idx);
    a->high10.idx = malloc((n + 1) * sizeof *a->high10.idx);
    a->floor.set.v = malloc((n + 1) * sizeof(double));
    if (!a->low30.idx || !a->high10.idx || !a->floor.set.v) return LIQ_NOMEM;
  }
  return LIQ_OK;
}

/* Fill point k from bar t. */
static void put_point(liq_backtest_result *r, const history *h, size_t k, size_t t,
                      double ml, double msh, double pl, double psh) {
  double mv = move_ok(h, t) ? move_at(h, t) : (double)NAN;
  r->t_ms[k] = h->p->t_ms[t];
  r->price[k] = h->p->close[t - 1];
  r->model_long[k] = ml;
  r->model_short[k] = msh;
  r->margin_long[k] = pl;
  r->margin_short[k] = psh;
  r->move[k] = mv;
  /* long: a fall beyond ln(1 - m); short: a rise beyond ln(1 + m) */
  r->exceed_long[k] = !isnan(mv) && mv < log1p(-pl);
  r->exceed_short[k] = !isnan(mv) && mv > log1p(psh);
  r->sampled[k] = k % h->H == 0;
}

/* The bar spacing of 'p' and the defaults that depend on it. */
static int resolve_settings(const liq_path *p, const char *name, liq_backtest_settings *s,
                            double *spacing, liq_err *err) {
  double *tmp;
  size_t used = 0;
  int rc;
  if (p->n < 2)
    return liq_errf(err, LIQ_INPUT, name, 0, "backtest: %s has %zu bar%s; need a "
                    "history", name, p->n, p->n == 1 ? "" : "s");
  tmp = malloc((p->n - 1) * sizeof *tmp);
  if (tmp == NULL) return liq_errf(err, LIQ_NOMEM, name, 0, "backtest: out of memory");
  rc = liq_path_returns(p, tmp, &used, spacing, err);
  free(tmp);
  if (rc != LIQ_OK) {
    if (err && err->file[0] == '\0') snprintf(err->file, sizeof err->file, "%s", name);
    return rc;
  }
  if (s->horizon_bars == 0) s->horizon_bars = bars_of(DAY_SECONDS, *spacing);
  if (s->lookback_bars == 0 && s->model != LIQ_BT_FILE)
    s->lookback_bars = bars_of(YEAR_DAYS * DAY_SECONDS, *spacing);
  if (s->refit_bars == 0) s->refit_bars = bars_of(APC_DAYS * DAY_SECONDS, *spacing);
  return LIQ_OK;
}

int liq_backtest_run(const liq_path *p, const char *name,
                     const liq_backtest_settings *settings,
                     const liq_margin_series *file, liq_backtest_result **out,
                     liq_err *err) {
  liq_backtest_settings s;
  liq_backtest_result *r = NULL;
  run_buffers b;
  double spacing = 0.0;
  size_t t_first = 0, t_last = 0, e_first = 0, e_last = 0, t, t_begin;
  int rc;

  *out = NULL;
  memset(&b, 0, sizeof b);
  if (p == NULL || settings == NULL)
    return liq_errf(err, LIQ_USAGE, NULL, 0, "backtest: NULL argument");
  s = *settings;
  if ((rc = check_settings(&s, file, err)) != LIQ_OK) return rc;
  if ((rc = resolve_settings(p, name, &s, &spacing, err)) != LIQ_OK) return rc;
  rc = plan_bars(p, name, &s, &t_first, &t_last, &e_first, &e_last, err);
  if (rc != LIQ_OK) return rc;
  /* The APC state needs the model's history; a file has none before the window. */
  t_begin = s.apc != LIQ_APC_NONE && s.model != LIQ_BT_FILE ? t_first : e_first;

  if (run_buffers_init(&b, p, &s, spacing) != LIQ_OK ||
      (r = result_alloc(e_last - e_first + 1)) == NULL) {
    rc = liq_errf(err, LIQ_NOMEM, name, 0, "backtest: out of memory for %zu bars", p->n);
    goto fail;
  }
  r->set = s;
  r->step_seconds = spacing;
  b.ms.s = &r->set;
  b.ms.h = &b.h;
  b.ms.name = name;
  b.ms.file = file;

  for (t = t_begin; t <= e_last; t++) {
    double ql = 0.0, qs = 0.0, pl, psh;
    size_t done = t - t_begin, total = e_last - t_begin + 1;
    if (s.progress && done % (total / 100 + 1) == 0) s.progress(s.progress_ud, done, total);
    rc = model_thresholds(&b.ms, t, &ql, &qs, err);
    if (rc != LIQ_OK) goto fail;
    b.ml[t] = -expm1(-ql);
    b.msh[t] = expm1(qs);
    pl = apc_apply(&b.apc[0], &b.h, b.ml, t, s.confidence, 1);
    psh = apc_apply(&b.apc[1], &b.h, b.msh, t, s.confidence, 0);
    if (t >= e_first) put_point(r, &b.h, t - e_first, t, b.ml[t], b.msh[t], pl, psh);
    if (s.model == LIQ_BT_GARCH) garch_step(&b.ms, t);
  }
  if (s.progress) s.progress(s.progress_ud, e_last - t_begin + 1, e_last - t_begin + 1);
  r->garch_fits = b.ms.fits;
  r->garch_fit_failures = b.ms.fit_failures;
  rc = compute_stats(r, err);
  if (rc != LIQ_OK) goto fail;
  run_buffers_free(&b);
  *out = r;
  return LIQ_OK;

fail:
  run_buffers_free(&b);
  liq_backtest_result_free(r);
  return rc;
}

int liq_backtest_margin_at(const liq_path *p, const char *name,
                           const liq_backtest_settings *settings, int64_t at_ms,
                           double *m_long, double *m_short, liq_err *err) {
  liq_backtest_settings s;
  liq_path view;
  run_buffers b;
  double spacing = 0.0, ql = 0.0, qs = 0.0;
  size_t n = 0, t;
  int rc;

  *m_long = *m_short = NAN;
  if (p == NULL || settings == NULL)
    return liq_errf(err, LIQ_USAGE, NULL, 0, "backtest: NULL argument");
  s = *settings;
  s.apc = LIQ_APC_NONE;
  if ((rc = check_settings(&s, NULL, err)) != LIQ_OK) return rc;
  if (s.model == LIQ_BT_FILE)
    return liq_errf(err, LIQ_USAGE, name, 0,
                    "a margin at a time needs a model (hs, ewma, fhs or garch), not a file");
  /* The bars that closed by at_ms: open time + the bar spacing <= at_ms
  ** (a bar that opened before at_ms but closes after it is the future). */
  if ((rc = resolve_settings(p, name, &s, &spacing, err)) != LIQ_OK) return rc;
  {
    int64_t bar_ms = (int64_t)llround(spacing * 1000.0);
    while (n < p->n && (at_ms == INT64_MAX || p->t_ms[n] <= at_ms - bar_ms)) n++;
  }
  view = *p;
  view.n = n;
  s = *settings;
  s.apc = LIQ_APC_NONE;
  if ((rc = resolve_settings(&view, name, &s, &spacing, err)) != LIQ_OK) return rc;
  if (s.lookback_bars < s.horizon_bars || s.lookback_bars + 1 > n ||
      (s.model == LIQ_BT_GARCH && s.lookback_bars < LIQ_FIT_MIN_RETURNS))
    return liq_errf(err, LIQ_INPUT, name, 0,
                    "the %zu bars of history before the start cannot hold a lookback "
                    "of %zu bars (set lookback_bars: at least the horizon, %zu bars%s, "
                    "and fewer than the history)", n, s.lookback_bars,
                    s.horizon_bars, s.model == LIQ_BT_GARCH ? ", and 100 for garch" : "");
  memset(&b, 0, sizeof b);
  if (run_buffers_init(&b, &view, &s, spacing) != LIQ_OK) {
    run_buffers_free(&b);
    return liq_errf(err, LIQ_NOMEM, name, 0, "backtest: out of memory for %zu bars", n);
  }
  b.ms.s = &s;
  b.ms.h = &b.h;
  b.ms.name = name;
  t = n;                        /* the bar after the history: needs bars < n only */
  rc = model_thresholds(&b.ms, t, &ql, &qs, err);
  run_buffers_free(&b);
  if (rc != LIQ_OK) return rc;
  *m_long = -expm1(-ql);
  *m_short = expm1(qs);
  return LIQ_OK;
}

int liq_backtest_margin_from_file(const char *csv, const liq_backtest_settings *s,
                                  int64_t at_ms, double *m_long, double *m_short,
                                  liq_err *err) {
  liq_path *p = NULL;
  int rc, has_to;
  *m_long = *m_short = NAN;
  has_to = at_ms != INT64_MAX;
  rc = liq_path_replay(csv, 0, 0, has_to, has_to ? at_ms - 1 : 0, 0, &p, err);
  if (rc != LIQ_OK) return rc;
  rc = liq_backtest_margin_at(p, csv, s, at_ms, m_long, m_short, err);
  liq_path_free(p);
  return rc;
}
