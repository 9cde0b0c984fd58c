/*
** test_time.c: dates and times (core/time.c): parsing dates and Unix ms,
** formatting for messages.
*/
#define _POSIX_C_SOURCE 200809L   /* gmtime_r */

#include "test_util.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "liq_time.h"

static void test_parse_time(void **state) {
  int64_t ms = 0;
  (void)state;
  assert_int_equal(liq_time_parse("2021-05-19", &ms), 0);
  assert_true(ms == 1621382400000LL);
  assert_int_equal(liq_time_parse("2021-05-19 13:10", &ms), 0);
  assert_true(ms == 1621382400000LL + (13 * 60 + 10) * 60000LL);
  assert_int_equal(liq_time_parse("2021-05-19T13:10:05", &ms), 0);
  assert_true(ms == 1621382400000LL + (13 * 60 + 10) * 60000LL + 5000);
  assert_int_equal(liq_time_parse("2020-02-29", &ms), 0);
  assert_true(ms == 1582934400000LL);
  assert_int_equal(liq_time_parse("1621382400123", &ms), 0);
  assert_true(ms == 1621382400123LL);
  assert_int_equal(liq_time_parse("1970-01-01", &ms), 0);
  assert_true(ms == 0);
  assert_int_equal(liq_time_parse("2021-02-29", &ms), -1);
  assert_int_equal(liq_time_parse("2021-13-01", &ms), -1);
  assert_int_equal(liq_time_parse("2021-05-19 24:00", &ms), -1);
  assert_int_equal(liq_time_parse("2021-05-19 12", &ms), -1);
  assert_int_equal(liq_time_parse("2021-5-19", &ms), -1);
  assert_int_equal(liq_time_parse("yesterday", &ms), -1);
  assert_int_equal(liq_time_parse("", &ms), -1);
  assert_int_equal(liq_time_parse("12.5", &ms), -1);
  assert_int_equal(liq_time_parse(NULL, &ms), -1);
}

/* Dates only: digits alone are not a date. */
static void test_parse_date_only(void **state) {
  int64_t ms = 7;
  (void)state;
  assert_int_equal(liq_time_parse_date("2021-05-19 13:10:05", &ms), 0);
  assert_true(ms == 1621382400000LL + (13 * 60 + 10) * 60000LL + 5000);
  assert_int_equal(liq_time_parse_date("1621382400123", &ms), -1);
  assert_int_equal(liq_time_parse_date("2021-05-19 13:10:5", &ms), -1);
  assert_int_equal(liq_time_parse_date("2021-05-19 13:10:05Z", &ms), -1);
  assert_int_equal(liq_time_parse_date("2000-02-29", &ms), 0);
  assert_int_equal(liq_time_parse_date("1900-02-29", &ms), -1);
}

/* The C library's rendering, which liq_time_format() replaced. */
static void format_libc(int64_t ms, char *buf, size_t size) {
  struct tm tm;
  time_t s = (time_t)(ms / 1000 - (ms % 1000 < 0));
  if (gmtime_r(&s, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
    snprintf(buf, size, "%lld ms", (long long)ms);
}

/* liq_time_format() agrees with gmtime_r + strftime everywhere, including
** negative times, years beyond 9999 and before year 1, and both ends of
** int64_t. */
static void test_format_matches_libc(void **state) {
  static const int64_t fixed[] = {
    0, -1, 1, 999, -999, 1621382400123LL, -62135596800000LL, -62198755200000LL,
    -62162035200000LL, 253402300800000LL, 951782400000LL, 4102444800000LL,
    INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 999 };
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  char a[64], b[64];
  size_t i;
  (void)state;
  for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    liq_time_format(fixed[i], a, sizeof a);
    format_libc(fixed[i], b, sizeof b);
    assert_string_equal(a, b);
  }
  for (i = 0; i < 20000; i++) {
    int64_t ms;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    ms = (int64_t)x >> (i % 40);   /* every magnitude */
    liq_time_format(ms, a, sizeof a);
    format_libc(ms, b, sizeof b);
    assert_string_equal(a, b);
  }
  liq_time_format(1621382400000LL, a, sizeof a);
  assert_string_equal(a, "2021-05-19 00:00:00");
}

static void test_format_utc(void **state) {
  char z[64];
  (void)state;
  liq_time_format_utc(1621382400000LL + 47405000LL, z, sizeof z);
  assert_string_equal(z, "2021-05-19 13:10:05 UTC");
  liq_time_format_utc(1621382400250LL, z, sizeof z);
  assert_string_equal(z, "2021-05-19 00:00:00.250 UTC");
  liq_time_format_utc(-1, z, sizeof z);
  assert_string_equal(z, "1969-12-31 23:59:59.999 UTC");
  liq_time_format_utc(-30610224000000LL, z, sizeof z);   /* 1000-01-01 */
  assert_string_equal(z, "1000-01-01 00:00:00 UTC");
  liq_time_format_utc(-31556908800000LL, z, sizeof z);   /* 0970-01-01 */
  assert_string_equal(z, "0970-01-01 00:00:00 UTC");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_time),
    cmocka_unit_test(test_parse_date_only),
    cmocka_unit_test(test_format_matches_libc),
    cmocka_unit_test(test_format_utc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
