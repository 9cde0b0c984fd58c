/*
** fuzz_fit.c: the fit path (`liqsim fit`): a price CSV, then each model's
** maximum-likelihood fit; an accepted fit has finite parameters.
*/
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "liq_fit.h"
#include "liq_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write_file("fit.csv", data, size);
  static const char *const models[] = {"gbm", "jump", "garch"};
  liq_path *p = NULL;
  liq_err err;
  size_t m;
  liq_err_clear(&err);
  /* few bars: the garch and jump likelihoods cost O(bars) per evaluation */
  if (liq_path_replay(path, 0, 0, 0, 0, 600, &p, &err) != LIQ_OK) return 0;
  for (m = 0; m < sizeof models / sizeof models[0]; m++) {
    liq_fit_result r;
    int rc;
    liq_err_clear(&err);
    rc = liq_fit_run(p, liq_fit_model_parse(models[m]), &r, &err);
    if (rc != LIQ_OK) fuzz_require(err.msg[0] != '\0', "an error without a message");
    else {
      FILE *devnull = fopen("/dev/null", "w");
      if (devnull) {
        liq_fit_print_section(&r, devnull);
        fclose(devnull);
      }
    }
  }
  liq_path_free(p);
  return 0;
}
