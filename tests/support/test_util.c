/*
** test_util.c: assertions shared by the cmocka tests.
*/
#define _DEFAULT_SOURCE 1   /* mkstemps */
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void liq_test_assert_rel(double a, double b, double rtol, const char *ea,
                         const char *eb, const char *file, int line) {
  char msg[512];
  double scale = fmax(fabs(a), fabs(b));
  if (a == b) return;
  if (!isnan(a) && !isnan(b) && fabs(a - b) <= rtol * scale) return;
  snprintf(msg, sizeof msg, "%s = %.17g, %s = %.17g differ by more than rtol %g",
           ea, a, eb, b, rtol);
  print_error("%s\n", msg);
  _fail(file, line);
}

void liq_test_assert_ok(int rc, const liq_err *err, const char *file, int line) {
  char msg[1700];
  if (rc == LIQ_OK) return;
  liq_err_format(err, msg, sizeof msg);
  print_error("status %d (%s): %s\n", rc, liq_strerror(rc), msg);
  _fail(file, line);
}

void liq_test_write_temp(const char *text, const char *suffix, char *buf,
                         size_t size) {
  int fd;
  FILE *f;
  const char *dir = getenv("TMPDIR");
  snprintf(buf, size, "%s/liqsim-test-XXXXXX%s", dir ? dir : "/tmp", suffix);
  fd = mkstemps(buf, (int)strlen(suffix));
  assert_true(fd >= 0);
  f = fdopen(fd, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}
