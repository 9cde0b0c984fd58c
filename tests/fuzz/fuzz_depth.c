/*
** fuzz_depth.c: the depth CSV reader (impact.depth_file), through the
** scenario loader that reads it.
*/
#include <stdint.h>
#include <stdio.h>

#include "fuzz_util.h"
#include "liq_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write_file("depth.csv", data, size);
  char text[2048];
  liq_scenario *sc = NULL;
  liq_err err;
  snprintf(text, sizeof text,
           "steps = 10; step_seconds = 60;\n"
           "price = { model = \"gbm\"; start = 100.0; drift = 0.0; volatility = 0.5; };\n"
           "book = { positions = 10; long_share = 0.5;\n"
           "  leverage = { values = [2.0, 10.0]; weights = [0.5, 0.5]; };\n"
           "  notional = { dist = \"fixed\"; median = 1000.0; };\n"
           "  entry = { spread = 0.0; }; };\n"
           "margin = { initial = 0.01; maintenance = 0.005; };\n"
           "impact = { model = \"depth\"; depth_file = \"%s\"; };\n", path);
  liq_err_clear(&err);
  if (liq_scenario_load_string(text, "depth.cfg", NULL, 0, &sc, &err) != LIQ_OK)
    fuzz_require(sc == NULL && err.msg[0] != '\0', "an error without a message");
  liq_scenario_free(sc);
  return 0;
}
