/*
** fuzz_price.c: the price CSV reader (liq_path_replay), with and without a
** time window, and the bars it accepts must be usable prices.
*/
#include <math.h>
#include <stdint.h>

#include "fuzz_util.h"
#include "liq_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write_file("price.csv", data, size);
  liq_path *p = NULL;
  liq_err err;
  size_t t;
  int rc, windowed = size > 0 && (data[0] & 1);
  liq_err_clear(&err);
  rc = liq_path_replay(path, windowed, 1500000000000LL, windowed,
                       1800000000000LL, 5000, &p, &err);
  if (rc == LIQ_OK) {
    fuzz_require(p != NULL && p->n > 0, "an empty path accepted");
    for (t = 0; t < p->n; t++) {
      fuzz_require(isfinite(p->open[t]) && p->open[t] > 0 &&
                   isfinite(p->close[t]) && p->close[t] > 0 &&
                   p->low[t] <= p->high[t], "a bar that is not a price");
      fuzz_require(t == 0 || p->t_ms[t] > p->t_ms[t - 1], "times not increasing");
    }
  } else {
    fuzz_require(p == NULL && err.msg[0] != '\0', "an error without a message");
  }
  liq_path_free(p);
  return 0;
}
