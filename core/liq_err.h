/*
** liq_err.h: status codes and located error messages.
**
** Every fallible function in core/ returns a liq_status and fills a
** caller-owned liq_err.  The library never prints and never exits; the
** program (sim/) formats "liqsim: FILE:LINE: message" and picks the exit
** code: LIQ_INPUT and LIQ_USAGE are bad input (exit 2), the rest runtime
** failures (exit 1).
*/
#ifndef LIQ_ERR_H
#define LIQ_ERR_H

#include <stdarg.h>

/* Longest file path an input names (with its NUL); liq_err.file holds one. */
#define LIQ_PATH_MAX 1024

#define LIQ_ERRNO_MAP(XX)                          \
  XX(OK,      "success")                           \
  XX(NOMEM,   "out of memory")                     \
  XX(INPUT,   "invalid input")                     \
  XX(USAGE,   "bad usage")                         \
  XX(IO,      "I/O error")                         \
  XX(DB,      "database error")                    \
  XX(NUMERIC, "numerical failure")

typedef enum {
#define XX(c, s) LIQ_##c,
  LIQ_ERRNO_MAP(XX)
#undef XX
  LIQ_NSTATUS
} liq_status;

typedef struct liq_err {
  int  code;        /* liq_status */
  char file[LIQ_PATH_MAX]; /* input file the error is about, "" if none */
  int  line;        /* line in that file, 0 if unknown */
  char msg[1024];   /* what is wrong (what was expected) */
} liq_err;

/* Fill 'e' (may be NULL) and return 'code'. 'file' may be NULL.
** liq_verrf() is the same with a va_list, for a module's own located-error
** helper (a reader that knows its file and line). */
int liq_verrf(liq_err *e, int code, const char *file, int line,
              const char *fmt, va_list ap)
#if defined(__GNUC__)
  __attribute__((format(printf, 5, 0)))
#endif
  ;
int liq_errf(liq_err *e, int code, const char *file, int line,
             const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 5, 6)))
#endif
  ;

/* Reset 'e' to LIQ_OK with empty fields. */
void liq_err_clear(liq_err *e);

/* Static text for a status code. */
const char *liq_strerror(int code);

/* Format "FILE:LINE: msg", "FILE: msg" or "msg" into buf. */
void liq_err_format(const liq_err *e, char *buf, unsigned long size);

#endif /* LIQ_ERR_H */
