/*
** liq_engine.h: the step loop and cascade resolution.
**
** Step t replays bar t of the path:
**
**   1. the forced flow behind the transient impact decays: Q_eff *=
**      2^(-step_seconds / half_life) (no decay when the half-life is inf),
**      and ln J = f(Q_eff) + permanent (liq_impact.h);
**   2. the engine visits the bar's prices in order (close-only: C; OHLC:
**      O->L->H->C when close >= open, else O->H->L->C; a waypoint whose
**      market price equals the last one visited is skipped, so with
**      transient impact a flat bar is still checked).  At each visited exogenous price X the
**      market price is p = X * J and the cascade runs, round after round
**      (at most impact.max_rounds per waypoint):
**        - every open long with p <= p_liq and short with p >= p_liq is hit;
**          a hit closes the position whole, or with margin.partial a share
**          of it (restore: just enough, at p, to hold (1 + buffer) * MM;
**          chunk: a fixed share, the whole position inside its cooldown;
**          a position with no equity left, or already partially closed in
**          this cascade, is closed whole);
**        - p_pre = p; the round's net forced buying (at p_pre) moves the
**          impact state: Q_eff and the permanent part by it, ln J to
**          f(Q_eff) + permanent, p_post = X * J;
**        - every closed part fills at the mean market price along the
**          impact curve between p_pre and p_post, p_pre *
**          liq_impact_fill_ratio() (not at the midpoint: a concave curve
**          would make the cost depend on how a cascade splits into rounds);
**        - the fund takes the round's fees, then pays its bad debt; what it
**          cannot pay goes to insurance.policy (ADL ranked or pro rata,
**          socialised loss) or stays uncovered;
**   3. funding due in the bar is paid at the step's end price;
**   4. margin calls: open positions with MM < equity < call_level * IM are
**      counted; traders chosen for top-ups (a hash of the id against
**      margin.topup.share) who enter the call zone add collateral back to
**      IM, or to the call line when call_level > 1 (a hair above it, 1e-9
**      relative, so that they leave the zone), delay_steps later (at the
**      end of that step), if still open.
**
** Settlement of a closed part (share s of the position) at fill F: equity
** E = c + side*q*(F-e) (c after funding and haircuts); fee = min(fee_rate *
** s*q*F, max(s*E, 0)) to the fund.  A whole close returns max(E - fee, 0)
** to the trader and books bad debt max(-E, 0); a partial close keeps the
** realised PnL and pays the fee from the position's collateral.  Sums over
** a round run in the canonical order: longs by descending p_liq then id,
** then shorts by ascending p_liq then id.
**
** ADL (when the fund is exhausted): profitable open positions of the
** opposite side are closed against the bankrupt positions at their
** bankruptcy price P_bk (the quantity-weighted mean over the round's
** bankrupt closes of that side), as exchanges do: a closed unit gives up
** |P_bk - F| (F the round's fill), so the ADL'd quantity equals the
** bankrupt quantity the fund left uncovered; never more than its equity
** at F (funding may have eaten its collateral: it then closes at its own
** bankruptcy price).  adl.price stores the close price.  adl-ranked
** closes them most-ranked first (PnL ratio x effective leverage, as major
** venues rank); adl-prorata closes the same share of each, enough to cover
** the loss.  Ranking scores are per unit of quantity and rounded to 10
** significant digits, so equal positions tie and go by id.  ADL closes
** trade with the insurance engine, not the market: no impact.  socialize
** charges every open opposite position the same amount per unit of
** quantity, one adl row per charged position (qty 0; one row for the
** side above LIQ_SOCIALISE_ROWS_MAX positions).  Ranking and pro-rata ADL cost O(N) per ADL round (only
** when the fund is exhausted); everything else is O(log N) per change.
**
** Cost: positions live in ladders (liq_ladder.h) keyed by liquidation and
** call thresholds: unchanged positions in a sorted array with a cursor
** (a liquidation is a cursor move, an order statistic an index), changed
** ones in a small treap merged on the fly.  Uniform changes (funding,
** socialised loss) under flat rates shift a side's thresholds without
** touching them; any change to one position re-inserts it (O(log N));
** under tiered rates a uniform change re-keys the side (O(N), radix sort,
** only at funding events).  Per step: O(Q log N) for quantiles and
** O(log N) for call counts while no position has changed (a log factor
** more with changed ones); per liquidation O(1).  No step scans the book.
*/
#ifndef LIQ_ENGINE_H
#define LIQ_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "liq_book.h"
#include "liq_err.h"
#include "liq_path.h"
#include "liq_scenario.h"

typedef struct liq_step_row {
  size_t  step;                /* 0-based bar index */
  int64_t t_ms;                /* bar open time */
  double  price;               /* market price at the end of the step (with impact) */
  double  price_exogenous;     /* exogenous close */
  double  price_low, price_high; /* extremes of the market price inside the step */
  size_t  liquidations;        /* positions closed in the step */
  size_t  liquidations_long, liquidations_short;
  double  liquidated_notional; /* sum of qty * fill price */
  int     cascade_rounds;      /* max over the step's waypoints of rounds that liquidated */
  size_t  margin_calls;        /* open positions in call (MM < equity < call_level*IM) at the end */
  double  insurance_fund;      /* fund balance at the end of the step */
  double  fees;                /* fees paid into the fund in the step */
  double  bad_debt;            /* bad debt arising in the step */
  double  uncovered_loss;      /* part of it the fund could not pay */
  double  open_interest_long;  /* open long notional at 'price' */
  double  open_interest_short;
  size_t  open_long, open_short; /* open position counts */
  size_t  partial_liquidations; /* hits that closed only a share */
  double  funding;             /* paid by longs this step (received by shorts: funding_short) */
  double  funding_short;       /* paid by shorts this step (negative: received) */
  double  funding_external;    /* funding + funding_short: each side pays on its
                               ** own open interest, so an unbalanced book pays
                               ** this to the rest of the market (negative:
                               ** receives it) */
  size_t  topups;              /* top-ups made */
  double  topup_collateral;    /* collateral they added */
  size_t  adl_count;           /* ADL closes (whole or part) */
  double  adl_notional;        /* notional closed by ADL */
  double  haircut;             /* profit taken by ADL or socialised loss */
  size_t  n_quantiles;
  double  cushion[LIQ_MAX_QUANTILES]; /* normalised-cushion quantiles of open
                                      ** positions (NaN when none is open or
                                      ** under tiered rates: not an order
                                      ** statistic of the thresholds there) */
  double  distance[LIQ_MAX_QUANTILES]; /* quantiles of the log distance to
                                      ** liquidation, ln(p/p_liq) long,
                                      ** ln(p_liq/p) short (NaN when none).
                                      ** Both are computed only for the
                                      ** steps stats stores (stats.steps,
                                      ** every stats.every-th, the last);
                                      ** NaN in the other rows. */
} liq_step_row;

typedef struct liq_liquidation_row {
  size_t  step;
  int     round;               /* 1-based round within the waypoint's cascade */
  size_t  position_id;
  int     side;                /* +1 long, -1 short */
  double  qty;
  double  price;               /* fill price */
  double  trigger_price;       /* market price that triggered it (round's p_pre) */
  double  liquidation_price;
  double  bankruptcy_price;
  double  equity;              /* equity at the fill, before the fee */
  double  fee;                 /* paid to the fund */
  double  loss;                /* bad debt, >= 0 */
  double  returned;            /* equity returned to the trader (0 for a partial close) */
  double  share;               /* share of the position closed, (0, 1] */
} liq_liquidation_row;

/* One ADL close, or one position's socialised charge (qty 0, share 0).  In
** books above LIQ_SOCIALISE_ROWS_MAX positions a socialised charge is one
** row for the whole side (position_id (size_t)-1, side the charged side). */
#define LIQ_SOCIALISE_ROWS_MAX 1000000
typedef struct liq_adl_row {
  size_t  step;
  int     round;
  size_t  position_id;
  int     side;
  double  qty;                 /* closed quantity */
  double  price;               /* ADL: the close price (the bankrupt positions'
                               ** bankruptcy price); socialised: the round's fill */
  double  share;               /* share of the position closed */
  double  haircut;             /* profit given up */
  double  rank_score;          /* adl-ranked: the ranking score; else NaN */
} liq_adl_row;

typedef struct liq_summary {
  size_t positions;
  size_t liquidated, liquidated_long, liquidated_short;
  double liquidated_notional;
  size_t margin_calls;         /* peak number of positions in call at a step end */
  double bad_debt;             /* total */
  double uncovered_loss;       /* bad debt the fund could not pay */
  double fees;
  double insurance_fund_start, insurance_fund_end, insurance_fund_min;
  int    max_cascade_rounds;
  double start_price;
  double min_price, max_price;                     /* market, every visited price */
  double min_price_exogenous, max_price_exogenous; /* exogenous waypoints */
  double drawdown, drawdown_exogenous;  /* max peak-to-trough fall, fraction */
  /* What the forced trades did to the extremes (log, market vs exogenous):
  ** impact_at_low = ln(min_price / min_price_exogenous), impact_at_high =
  ** ln(max_price / max_price_exogenous); forced_share_of_fall =
  ** impact_at_low / ln(min_price / start_price), NaN when the market never
  ** fell below the start; forced_share_of_rise the mirror, NaN when it never
  ** rose above it. */
  double impact_at_low, impact_at_high;
  double forced_share_of_fall, forced_share_of_rise;
  /* stats.counterfactual: the same path and book run without impact
  ** (counterfactual = 1; else 0 and these are 0). */
  int    counterfactual;
  size_t liquidated_without_impact;
  double liquidated_notional_without_impact;
  double bad_debt_without_impact;
  size_t steps;
  /* accounting (quote currency); conservation:
  **   collateral + pnl_closed + pnl_open
  **     == returned + fees + open_equity - bad_debt                      */
  double collateral;           /* all posted collateral */
  double pnl_closed;           /* PnL of closed positions at their fills */
  double pnl_open;             /* PnL of open positions at the final price */
  double returned;             /* equity returned to closed traders */
  double open_equity;          /* equity of open positions at the final price */
  double topup_collateral;     /* collateral added by top-ups */
  double funding_long;         /* paid by longs in all (negative: received) */
  double funding_short;        /* paid by shorts in all */
  double funding_external;     /* funding_long + funding_short: paid by the book
                               ** to the rest of the market (negative: received) */
  double haircut;              /* profit taken by ADL and socialised loss */
  size_t partial_liquidations;
  size_t topups;
  size_t adl_count;
  double adl_notional;
  long   first_adl_step;       /* -1 when no ADL happened */
  /* conservation, all rules:
  **   collateral + topup_collateral + pnl_closed + pnl_open
  **     - funding_long - funding_short - haircut
  **     == returned + fees + open_equity - bad_debt
  ** fund: insurance_fund_end == start + fees - (bad_debt - haircut - uncovered_loss) */
} liq_summary;

/* Where rows go.  Any callback may be NULL; a non-LIQ_OK return stops
** the run with that status. */
typedef struct liq_sink {
  int (*step)(void *ud, const liq_step_row *row, liq_err *err);
  int (*liquidation)(void *ud, const liq_liquidation_row *row, liq_err *err);
  void *ud;
  int (*adl)(void *ud, const liq_adl_row *row, liq_err *err);
} liq_sink;

/* Run the scenario's margin, impact, insurance and stats rules over 'path'
** and 'book' (both borrowed).  'sink' may be NULL.  Fills *summary; with
** stats.counterfactual, also runs them without impact (no rows) and fills
** the summary's *_without_impact.
** Inputs that cannot run (liq_engine_check_inputs(), a bad funding file)
** are LIQ_INPUT. */
int liq_engine_run(const liq_scenario *sc, const liq_path *path,
                   const liq_book *book, const liq_sink *sink,
                   liq_summary *summary /* OUT */, liq_err *err);

/* The daily volatility the sqrt impact model uses: the scenario's when
** set, else the path's. */
double liq_engine_daily_volatility(const liq_scenario *sc, const liq_path *path);

/* What liq_engine_run() refuses before it starts, so that `liqsim check`
** can refuse it too: a sqrt impact whose daily volatility (the path's,
** without impact.daily_volatility) is 0, which would silently be no impact
** at all.  LIQ_INPUT located at the scenario's impact.model. */
int liq_engine_check_inputs(const liq_scenario *sc, const liq_path *path,
                            liq_err *err);

/* Fill impact_at_low/high and forced_share_of_fall/rise from the
** summary's start, minimum and maximum prices. */
void liq_engine_summary_extremes(liq_summary *sm);

/* Does the trader of position 'id' top up when called?  A hash of (seed,
** id) against 'share': deterministic, independent of everything else. */
int liq_engine_is_topper(uint64_t seed, size_t id, double share);

/* ADL ranking score of a profitable position at price p (0 when it is not
** profitable): PnL ratio (pnl / collateral) x effective leverage
** (notional / equity). */
double liq_engine_adl_score(int side, double qty, double entry,
                            double collateral, double price);

#endif /* LIQ_ENGINE_H */
