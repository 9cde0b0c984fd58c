/*
** err.c: status codes and located error messages (see liq_err.h).
*/
#include "liq_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int liq_verrf(liq_err *e, int code, const char *file, int line,
              const char *fmt, va_list ap) {
  if (e == NULL) return code;
  e->code = code;
  snprintf(e->file, sizeof e->file, "%s", file ? file : "");
  e->line = line;
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  return code;
}

int liq_errf(liq_err *e, int code, const char *file, int line,
             const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  code = liq_verrf(e, code, file, line, fmt, ap);
  va_end(ap);
  return code;
}

void liq_err_clear(liq_err *e) {
  if (e == NULL) return;
  memset(e, 0, sizeof *e);
}

const char *liq_strerror(int code) {
  switch (code) {
#define XX(c, s) case LIQ_##c: return s;
    LIQ_ERRNO_MAP(XX)
#undef XX
    default: return "unknown error";
  }
}

void liq_err_format(const liq_err *e, char *buf, unsigned long size) {
  if (e->file[0] && e->line > 0)
    snprintf(buf, size, "%s:%d: %s", e->file, e->line, e->msg);
  else if (e->file[0])
    snprintf(buf, size, "%s: %s", e->file, e->msg);
  else
    snprintf(buf, size, "%s", e->msg);
}
