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

#endif /* LIQ_MARGIN_H */
