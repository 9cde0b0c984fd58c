/*
** fuzz_book.c: the book CSV reader (liq_book_load_csv) under the margin
** rules of a small fixed scenario.
*/
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "liq_book.h"
#include "liq_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char kScenario[] =
  "steps = 10; step_seconds = 60;\n"
  "price = { model = \"gbm\"; start = 100.0; drift = 0.0; volatility = 0.5; };\n"
  "book = { positions = 10; long_share = 0.5;\n"
  "  leverage = { values = [2.0, 10.0]; weights = [0.5, 0.5]; };\n"
  "  notional = { dist = \"fixed\"; median = 1000.0; }; entry = { spread = 0.0; }; };\n"
  "margin = { initial = 0.01; maintenance = 0.005; };\n"
  "impact = { model = \"none\"; };\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static liq_scenario *sc;
  const char *path = fuzz_write_file("book.csv", data, size);
  liq_book *b = NULL;
  liq_err err;
  if (sc == NULL) {
    fuzz_require(liq_scenario_load_string(kScenario, "book.cfg", NULL, 0, &sc,
                                          &err) == LIQ_OK, err.msg);
  }
  liq_err_clear(&err);
  if (liq_book_load_csv(path, &sc->margin, &b, &err) != LIQ_OK)
    fuzz_require(b == NULL && err.msg[0] != '\0', "an error without a message");
  liq_book_free(b);
  return 0;
}
