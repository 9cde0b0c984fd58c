/*
** test_util.h: assertions shared by the cmocka tests.
** (cmocka 1.1.5's assert_float_equal casts to float: don't use it.)
*/
#ifndef LIQ_TEST_UTIL_H
#define LIQ_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "liq_err.h"

/* |a - b| <= rtol * max(|a|, |b|) (or both exactly equal). */
#define assert_rel(a, b, rtol) liq_test_assert_rel((a), (b), (rtol), #a, #b, __FILE__, __LINE__)
/* rc == LIQ_OK, else fail printing err's message. */
#define assert_liq_ok(rc, err) liq_test_assert_ok((rc), (err), __FILE__, __LINE__)

void liq_test_assert_rel(double a, double b, double rtol, const char *ea,
                         const char *eb, const char *file, int line);
void liq_test_assert_ok(int rc, const liq_err *err, const char *file, int line);

/* Write 'text' to a fresh temporary file named like 'suffix' (e.g. ".cfg")
** and copy its path into buf. */
void liq_test_write_temp(const char *text, const char *suffix, char *buf,
                         size_t size);

#endif
