/*
** fuzz_scenario.c: the scenario loader with --set overrides.
**
** The input is scenario text; its lines that begin with "@set " are taken
** out of the text and applied as --set overrides, in order (at most 8).
** Relative file names resolve against the current directory (scripts/
** fuzz.sh runs in tests/data/, so the seeds' data files are found).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "liq_scenario.h"

#define MAX_SETS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size), *line = text, *out = text;
  char *sets[MAX_SETS];
  liq_override ov[MAX_SETS];
  size_t n_ov = 0, i;
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  /* Take out the "@set key=value" lines (copied at once: the text is
  ** compacted in place over them), keep the rest. */
  while (*line) {
    char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
    if (strncmp(line, "@set ", 5) == 0 && n_ov < MAX_SETS) {
      size_t n = len - 5 - (nl != NULL);
      sets[n_ov] = malloc(n + 1);
      fuzz_require(sets[n_ov] != NULL, "out of memory");
      memcpy(sets[n_ov], line + 5, n);
      sets[n_ov][n] = '\0';
      ov[n_ov].assignment = sets[n_ov];
      n_ov++;
    } else {
      memmove(out, line, len);
      out += len;
    }
    line += len;
  }
  *out = '\0';
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, "fuzz.cfg", ov, n_ov, &sc, &err);
  fuzz_require(rc == LIQ_OK ? sc != NULL : sc == NULL, "scenario vs status");
  fuzz_require(rc == LIQ_OK || err.msg[0] != '\0', "an error without a message");
  liq_scenario_free(sc);
  for (i = 0; i < n_ov; i++) free(sets[i]);
  free(text);
  return 0;
}
