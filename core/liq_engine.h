/*
** liq_engine.h: the step loop and cascade resolution.
**
** Step t replays bar t of the path:
**
**   1. transient impact decays: ln J *= 2^(-step_seconds / half_life);
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
**        - p_pre = p; p_post = p_pre * exp(liq_impact_log_move(flow, net))
**          (flow: the cascade's earlier net forced buying, net: this
**          round's, at p_pre; see liq_impact.h); ln J moves by the same;
**        - every closed part fills at (p_pre + p_post) / 2;
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
** ADL (when the fund is exhausted): the profitable open positions of the
** opposite side give up profit to cover the uncovered loss.  adl-ranked
** closes them most-ranked first (PnL ratio x effective leverage, as major
** venues rank); adl-prorata closes the same share of each (a share of
** every profitable position, enough to cover the loss); a closed part
** gives up its unrealised profit, but never more than its equity (it
** closes at its entry price, or at its bankruptcy price when funding has
** eaten its collateral).  Ranking scores are per unit of quantity and
** rounded to 10 significant digits, so equal positions tie and go by id.  ADL
** closes trade with the insurance engine, not the market: no impact.
** socialize charges every open opposite position the same amount per unit
** of quantity.  Ranking and pro-rata ADL cost O(N) per ADL round (only
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

typedef struct liq_liq_row {
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
} liq_liq_row;

/* One ADL close (or socialised charge: qty 0, share 0). */
typedef struct liq_adl_row {
  size_t  step;
  int     round;
  size_t  position_id;
  int     side;
  double  qty;                 /* closed quantity */
  double  price;               /* market price of the round (fill) */
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
  double amplification;        /* drawdown / drawdown_exogenous; NaN if the latter is 0 */
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
  int (*liquidation)(void *ud, const liq_liq_row *row, liq_err *err);
  void *ud;
  int (*adl)(void *ud, const liq_adl_row *row, liq_err *err);
} liq_sink;

/* Run the scenario's margin, impact, insurance and stats rules over 'path'
** and 'book' (both borrowed).  'sink' may be NULL.  Fills *summary.
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

/* Does the trader of position 'id' top up when called?  A hash of (seed,
** id) against 'share': deterministic, independent of everything else. */
int liq_engine_is_topper(uint64_t seed, size_t id, double share);

/* ADL ranking score of a profitable position at price p (0 when it is not
** profitable): PnL ratio (pnl / collateral) x effective leverage
** (notional / equity). */
double liq_engine_adl_score(int side, double qty, double entry,
                            double collateral, double price);

#endif /* LIQ_ENGINE_H */
