/*
** fuzz_run.c: a whole small run.  The input is scenario text (as in
** fuzz_scenario.c, without overrides); books are capped at 200 positions
** and paths at 200 steps so that a run stays fast.  A run that
** succeeds must have a summary whose money and prices are finite; a
** numerical failure must be reported as LIQ_NUMERIC, never stored.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "liq_book.h"
#include "liq_engine.h"
#include "liq_inputs.h"
#include "liq_path.h"
#include "liq_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int finite_money(const liq_summary *s) {
  return isfinite(s->bad_debt) && isfinite(s->fees) &&
         isfinite(s->uncovered_loss) && isfinite(s->liquidated_notional) &&
         isfinite(s->insurance_fund_end) && isfinite(s->insurance_fund_min) &&
         isfinite(s->collateral) && isfinite(s->pnl_closed) &&
         isfinite(s->returned) && isfinite(s->haircut) &&
         isfinite(s->adl_notional) && isfinite(s->funding_long) &&
         isfinite(s->funding_short) && isfinite(s->start_price) &&
         !isinf(s->pnl_open) && !isinf(s->open_equity);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  liq_scenario *sc = NULL;
  liq_path *path = NULL;
  liq_book *book = NULL;
  liq_summary sm;
  liq_err err;
  int rc;
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "run.cfg", NULL, 0, &sc, &err);
  free(text);
  if (rc != LIQ_OK) return 0;
  if (sc->book.positions > 200) sc->book.positions = 200;
  if (sc->steps > 200) sc->steps = 200;
  if (sc->price.model == LIQ_PRICE_REPLAY && sc->steps == 0) sc->steps = 200;
  rc = liq_inputs_build(sc, 0, &path, &book, &err);
  if (rc == LIQ_OK) {
    liq_err_clear(&err);
    rc = liq_engine_run(sc, path, book, NULL, &sm, &err);
    if (rc == LIQ_OK) fuzz_require(finite_money(&sm), "a summary with money not finite");
    else fuzz_require(err.msg[0] != '\0', "an error without a message");
  }
  liq_book_free(book);
  liq_path_free(path);
  liq_scenario_free(sc);
  return 0;
}
