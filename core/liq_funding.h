/*
** liq_funding.h: when funding is paid, and at what rate.
**
** A funding event at time E (Unix ms) is paid at the end of the step whose
** bar closes at or after it: t_ms[t] < E <= t_ms[t] + step_seconds * 1000
** (an event at 08:00 is paid at the close of the bar ending at 08:00).
** An event within one second of a bar boundary (open or close) counts as
** at that boundary (Binance stamps the 08:00 payment 08:00:00.003 and so
** on), and an event at the window's first open is charged too, with step
** 0's funding (at its end price, as every payment).  Constant funding has events at every
** multiple of interval_seconds since the epoch (as exchanges pay at 00:00,
** 08:00 and 16:00 UTC); file funding has one event per row.  At an event
** with rate r, every open long pays r * qty * p and every open short
** receives it (r < 0: the other way), p the market price at the step's end.
*/
#ifndef LIQ_FUNDING_H
#define LIQ_FUNDING_H

#include <stddef.h>
#include <stdint.h>

#include "liq_err.h"
#include "liq_path.h"

typedef enum { LIQ_FUNDING_NONE = 0, LIQ_FUNDING_CONSTANT = 1, LIQ_FUNDING_FILE = 2 } liq_funding_mode;

/* One payment of a funding file. */
typedef struct liq_funding_event {
  int64_t t_ms;            /* calc_time, Unix ms */
  double  rate;            /* rate of the interval (longs pay shorts when > 0) */
} liq_funding_event;

typedef struct liq_funding_params {
  int    mode;             /* liq_funding_mode */
  double rate;             /* constant: rate per interval (longs pay shorts when > 0), |rate| < 0.1 */
  double interval_seconds; /* constant: [1, 3.2e9], default 28800 */
  char   file[LIQ_PATH_MAX]; /* file: Binance funding CSV (calc_time ms,
                           ** interval hours, rate); needs a replay path: a
                           ** payment happens in the step whose bar holds calc_time */
  liq_funding_event *events; /* file: its payments, read once when the scenario
                           ** loads (owned by the scenario); NULL: read by
                           ** liq_funding_schedule() */
  size_t n_events;
} liq_funding_params;

/* *rates = a new array of path->n rates (the sum of the step's events, 0
** for none), or NULL when funding is off.  Free with free().  A bad
** funding file is LIQ_INPUT with its FILE:LINE. */
int liq_funding_schedule(const liq_funding_params *fp, const liq_path *path,
                         double **rates /* OUT */, liq_err *err);

#endif /* LIQ_FUNDING_H */
