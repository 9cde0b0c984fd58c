/*
** liq_engine.h: the step loop and cascade resolution.
**
** Step t replays bar t of the path.  The engine visits the bar's prices in
** order (close-only: C; OHLC: O->L->H->C when close >= open, else
** O->H->L->C; a waypoint equal to the previous one is skipped).  At each
** visited exogenous price X the market price is p = X * J, J the
** accumulated (permanent) impact factor, and the cascade runs:
**
**   round r: liquidate every open long with p <= p_liq and every open short
**   with p >= p_liq (at most impact.max_rounds rounds per waypoint);
**   p_pre = p;  p_post = p_pre * exp(liq_impact_log_move(flow, net));
**   (flow: the net forced buying of the cascade's earlier rounds, see
**   liq_impact.h; net: this round's, at p_pre);
**   every position closed in round r fills at (p_pre + p_post) / 2;
**   J *= p_post / p_pre;  repeat while the round liquidated something.
**
** Settlement of a closed position at fill F: equity E = c + side*q*(F-e);
** fee = min(liquidation_fee * q * F, max(E, 0)) goes to the insurance
** fund; the trader gets max(E - fee, 0) back; bad debt = max(-E, 0) is
** paid by the fund up to its balance; the rest is uncovered loss (ADL and
** socialised loss come later).  A round adds its fees to the fund first,
** then pays its bad debt.  Sums over a round run in the canonical order:
** longs by descending p_liq then id, then shorts by ascending p_liq then id.
**
** Cost: O(N log N) to sort thresholds, then per step O(Q log N + log N)
** for quantiles and margin-call counts, plus O(log N) per liquidation.
** No step scans the book.
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
  size_t  n_quantiles;
  double  cushion[LIQ_MAX_QUANTILES]; /* normalised-cushion quantiles of open
                                      ** positions (NaN when none is open) */
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
  double  returned;            /* equity returned to the trader */
} liq_liq_row;

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
  double returned;             /* equity returned to liquidated traders */
  double open_equity;          /* equity of open positions at the final price */
} liq_summary;

/* Where rows go.  Either callback may be NULL; a non-LIQ_OK return stops
** the run with that status. */
typedef struct liq_sink {
  int (*step)(void *ud, const liq_step_row *row, liq_err *err);
  int (*liquidation)(void *ud, const liq_liq_row *row, liq_err *err);
  void *ud;
} liq_sink;

/* Run the scenario's margin, impact, insurance and stats rules over 'path'
** and 'book' (both borrowed).  'sink' may be NULL.  Fills *summary. */
int liq_engine_run(const liq_scenario *sc, const liq_path *path,
                   const liq_book *book, const liq_sink *sink,
                   liq_summary *summary /* OUT */, liq_err *err);

/* The daily volatility the sqrt impact model uses: the scenario's when
** set, else the path's. */
double liq_engine_daily_volatility(const liq_scenario *sc, const liq_path *path);

#endif /* LIQ_ENGINE_H */
