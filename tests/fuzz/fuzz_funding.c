/* fuzz_funding.c: the funding CSV reader (liq_funding_read). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "funding_int.h"   /* liq_funding_read(): library-internal */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_write_file("funding.csv", data, size);
  liq_funding_event *ev = NULL;
  size_t n = 0, i;
  liq_err err;
  liq_err_clear(&err);
  if (liq_funding_read(path, &ev, &n, &err) == LIQ_OK) {
    for (i = 0; i < n; i++) {
      fuzz_require(isfinite(ev[i].rate), "a rate that is not finite");
      fuzz_require(i == 0 || ev[i].t_ms > ev[i - 1].t_ms, "times not increasing");
    }
  } else {
    fuzz_require(err.msg[0] != '\0', "an error without a message");
  }
  free(ev);
  return 0;
}
