/*
** liq_margin.h: isolated-margin arithmetic for one position, in closed form.
**
** side = +1 long, -1 short; qty > 0 base units; entry > 0 and price > 0 in
** quote currency; collateral >= 0 in quote currency; rates as fractions.
**
**   equity      = collateral + side * qty * (price - entry)
**   MM          = mmr * qty * price              (flat rule)
**   liquidation : equity <= MM
**   long  p_liq = (entry - collateral/qty) / (1 - mmr)
**   short p_liq = (entry + collateral/qty) / (1 + mmr)
**   bankruptcy (equity = 0): entry -/+ collateral/qty
**   margin call : MM < equity < call_rate * qty * price, call_rate =
**                 call_level * imr; its threshold has the same form as
**                 p_liq with call_rate in place of mmr (+inf for a long when
**                 call_rate >= 1).
*/
#ifndef LIQ_MARGIN_H
#define LIQ_MARGIN_H

#include <stddef.h>
#include <stdint.h>

#include "liq_err.h"

#define LIQ_MAX_TIERS 32

typedef enum { LIQ_PARTIAL_NONE = 0, LIQ_PARTIAL_RESTORE = 1, LIQ_PARTIAL_CHUNK = 2 } liq_partial_mode;

/* One maintenance bracket, as exchanges publish them.  The bracket of a
** position is chosen by its notional at the mark price:
** MM = maintenance * notional - amount. */
typedef struct liq_tier {
  double floor;            /* notional floor, quote currency; the first is 0 */
  double max_leverage;     /* leverage cap for positions opened in this bracket */
  double maintenance;      /* maintenance margin rate, (0, 1/max_leverage) */
  double amount;           /* maintenance amount; when omitted, computed for
                           ** continuity: amount_k = amount_{k-1} +
                           ** floor_k * (maintenance_k - maintenance_{k-1}) */
} liq_tier;

/* margin.initial_from: the initial margin rate taken from a margin model
** backtested on a price history (liq_backtest.h): the model's long-side
** rate for a bar opening at at_ms, from the history's bars before it. */
typedef struct liq_initial_from {
  int     present;           /* 1: margin.initial came from the model */
  int     model;             /* liq_bt_model: hs, ewma, fhs or garch */
  char    file[LIQ_PATH_MAX]; /* history CSV, resolved like price.file */
  double  confidence;        /* (0, 1), default 0.99 */
  size_t  horizon_bars;      /* >= 1; 0: one day of the history's bars */
  size_t  lookback_bars;     /* 0: the model's default (365 days) */
  double  lambda;            /* ewma, fhs: decay per day, default 0.94 */
  int64_t at_ms;             /* the run's first bar (a replay's window start
                             ** or first bar); INT64_MAX for a generated path:
                             ** after the history's last bar */
  double  short_rate;        /* the model's short-side rate there (reported) */
} liq_initial_from;

typedef struct liq_margin_params {
  double initial;          /* initial margin rate, (0, 1]; max leverage 1/initial */
  double maintenance;      /* flat maintenance margin rate, (0, initial);
                           ** with tiers: the first tier's rate */
  double call_level;       /* margin call when equity < call_level * IM, [maintenance/initial, ...) default 1 */
  double liquidation_fee;  /* share of closed notional paid to the fund, [0, 0.1], default 0 */
  size_t n_tiers;          /* 0: flat maintenance rate */
  liq_tier tiers[LIQ_MAX_TIERS]; /* floors strictly increasing, rates non-decreasing */
  int    partial_mode;     /* liq_partial_mode, margin.partial.mode, default none */
  double partial_buffer;   /* restore: close just enough that equity >= (1 + buffer) * MM, (0, 10] */
  double partial_share;    /* chunk: share of the position closed per liquidation, (0, 1] */
  int    partial_cooldown; /* chunk: steps before the next chunk of the same position, >= 0;
                           ** a position below maintenance inside its cooldown is closed whole */
  double topup_share;      /* margin.topup.share: share of called traders who add collateral, [0, 1] */
  int    topup_delay;      /* margin.topup.delay_steps: steps between call and top-up, >= 0 */
  liq_initial_from initial_from; /* margin.initial_from (present = 0: not used) */
} liq_margin_params;

double liq_margin_equity(int side, double qty, double entry, double collateral,
                         double price);
double liq_margin_liq_price(int side, double qty, double entry,
                            double collateral, double mmr);
double liq_margin_bankruptcy_price(int side, double qty, double entry,
                                   double collateral);
/* Price at which equity == rate * notional: long liquidated / called at or
** below it, short at or above it.  Same formula as liq_price, any rate >= 0.
** A long with rate >= 1 returns +INFINITY (always below the line). */
double liq_margin_threshold_price(int side, double qty, double entry,
                                  double collateral, double rate);
/* (equity - MM) / (IM - MM) at 'price' with flat rates imr > mmr. */
double liq_margin_normalised_cushion(int side, double qty, double entry,
                                     double collateral, double imr, double mmr,
                                     double price);

/*
** Rules: flat (mp->n_tiers == 0: MM = maintenance * notional) or tiered
** brackets chosen by the notional at the mark price (MM = rate_k * notional
** - amount_k).  IM rate = max(initial, 1/max_leverage_k) under tiers.
*/

/* Bracket index of 'notional' (0 when flat). */
size_t liq_margin_bracket(const liq_margin_params *mp, double notional);
/* Maintenance margin of a position of 'notional' (quote currency). */
double liq_margin_mm(const liq_margin_params *mp, double notional);
/* Initial margin rate for 'notional'. */
double liq_margin_im_rate(const liq_margin_params *mp, double notional);
/* Highest leverage that may open 'notional': min(1/initial, bracket cap). */
double liq_margin_max_leverage(const liq_margin_params *mp, double notional);
/* The exact price where equity == MM(qty * price) under the rule (equity -
** MM is monotone in price, so it is unique); flat rules reduce to
** liq_margin_liq_price.  A long that cannot be liquidated gets <= 0. */
double liq_margin_rule_liq_price(const liq_margin_params *mp, int side,
                                 double qty, double entry, double collateral);
/* Fill omitted tier amounts for continuity (amount_0 = 0 unless given;
** amount_k = amount_{k-1} + floor_k (rate_k - rate_{k-1})).  'given[k]'
** says whether tier k's amount came from the file. */
void liq_margin_complete_tiers(liq_margin_params *mp, const int *given);

/* Partial liquidation, mode restore: the share of the position to close at
** 'price' so that the rest keeps equity >= (1 + buffer) * MM after the fee
** (fee_rate * closed notional) is paid; 1 when only a full close will do
** (equity <= 0, or closing more costs more fee than it frees). */
double liq_margin_restore_share(const liq_margin_params *mp, int side,
                                double qty, double entry, double collateral,
                                double price, double buffer, double fee_rate);

#endif /* LIQ_MARGIN_H */
