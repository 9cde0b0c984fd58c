/*
** ref_engine.h: the plain O(N*T) reference engine.
**
** Same rules and outputs as liq_engine_run, written the obvious way: every
** round of every visited price checks every open position's equity against
** its maintenance margin.  It shares only the per-position closed forms
** (liq_margin.h) and the impact formula with the fast engine.  Sums over a
** round are taken in the canonical order documented in liq_engine.h, so
** both engines must agree bit for bit on prices and losses.
*/
#ifndef LIQ_REF_ENGINE_H
#define LIQ_REF_ENGINE_H

#include "liq_engine.h"

int ref_engine_run(const liq_scenario *sc, const liq_path *path,
                   const liq_book *book, const liq_sink *sink,
                   liq_summary *summary, liq_err *err);

/* A scenario with documented defaults (flat 1 %/0.5 % margins, no impact,
** no fund, the default quantiles) for tests to adjust. */
void liq_test_scenario_init(liq_scenario *sc);

#endif
