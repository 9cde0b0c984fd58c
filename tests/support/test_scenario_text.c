/*
** test_scenario_text.c: expectations on scenario texts for the tests
** (liq_test_support.h).
*/
#include "liq_test_support.h"

#include <string.h>

#include "liq_scenario.h"

void liq_test_expect_bad_scenario(const char *text, const char *name, int line,
                                  const char *fragment) {
  liq_scenario *sc = NULL;
  liq_err err;
  int rc;
  liq_err_clear(&err);
  rc = liq_scenario_load_string(text, name, NULL, 0, &sc, &err);
  if (rc != LIQ_INPUT || err.line != line || strstr(err.msg, fragment) == NULL)
    print_message("expected %s:%d: ...%s...\n     got rc %d, %s:%d: %s\n", name, line,
                  fragment, rc, err.file, err.line, err.msg);
  liq_scenario_free(sc);
  assert_int_equal(rc, LIQ_INPUT);
  assert_null(sc);
  assert_string_equal(err.file, name);
  assert_int_equal(err.line, line);
  assert_non_null(strstr(err.msg, fragment));
}


void liq_test_print_cli(const char *what, const liq_test_cli_result *r) {
  print_message("%s: exit %d\n  stderr: %.600s\n", what, r->code, r->err);
}
