/*
** scenario_lex.c: libconfig 1.5 silently wraps integer literals wider than
** 32 bits; liq_scn_widen_integers() gives them an 'L' suffix before libconfig
** parses the text, and refuses @include.
*/
#include "scenario_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* ------------------------------------------------------------------ */
/* The integer lexer                                                  */
/* ------------------------------------------------------------------ */

/* What lex_token() found. */
enum {
  TOK_OTHER,                  /* anything but a plain integer literal */
  TOK_INT32,                  /* an integer literal that fits 32 bits */
  TOK_INT64,                  /* one that needs 64 bits */
  TOK_INT_HUGE                /* one beyond 64 bits */
};

/*
** The token of libconfig text that starts at 'z' ('text' is the start of
** the text, to see a '-' before a number): a newline, string, comment,
** name, number or a single other character.  Newlines inside it are
** counted into *line and *kind says whether it is an integer literal
** and how wide.  Returns the token's end.
*/
static const char *lex_token(const char *text, const char *z, int *line,
                            int *kind) {
  char c = *z;
  *kind = TOK_OTHER;
  if (c == '\n') {
    (*line)++;
    return z + 1;
  }
  if (c == '"') {                               /* string */
    for (z++; *z && *z != '"'; z++) {
      if (*z == '\\' && z[1]) z++;
      else if (*z == '\n') (*line)++;
    }
    return *z ? z + 1 : z;
  }
  if (c == '#' || (c == '/' && z[1] == '/')) {  /* line comment */
    while (*z && *z != '\n') z++;
    return z;
  }
  if (c == '/' && z[1] == '*') {                /* block comment */
    for (z += 2; *z && !(z[0] == '*' && z[1] == '/'); z++) {
      if (*z == '\n') (*line)++;
    }
    return *z ? z + 2 : z;
  }
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*') {
    while ((*z >= 'a' && *z <= 'z') || (*z >= 'A' && *z <= 'Z') ||
           (*z >= '0' && *z <= '9') || *z == '_' || *z == '-' || *z == '*') {
      z++;                                      /* name or true/false */
    }
    return z;
  }
  if (c >= '0' && c <= '9') {
    int neg = z > text && z[-1] == '-', all_digits = 1, over = 0;
    int hex = c == '0' && (z[1] == 'x' || z[1] == 'X');
    unsigned long long v = 0, lim;
    if (hex) z += 2;
    for (; (*z >= '0' && *z <= '9') || (*z >= 'a' && *z <= 'z') ||
           (*z >= 'A' && *z <= 'Z') || *z == '.' || *z == '_'; z++) {
      unsigned d;
      if ((*z == 'e' || *z == 'E') && !hex && (z[1] == '+' || z[1] == '-')) {
        z++;                                    /* exponent sign */
        all_digits = 0;
        continue;
      }
      if (*z >= '0' && *z <= '9') d = (unsigned)(*z - '0');
      else if (hex && *z >= 'a' && *z <= 'f') d = (unsigned)(*z - 'a' + 10);
      else if (hex && *z >= 'A' && *z <= 'F') d = (unsigned)(*z - 'A' + 10);
      else {
        all_digits = 0;
        continue;
      }
      if (v > (ULLONG_MAX - d) / (hex ? 16u : 10u)) over = 1;
      else v = v * (hex ? 16u : 10u) + d;
    }
    if (!all_digits) return z;                   /* float, 5L, or junk */
    lim = hex ? 0xFFFFFFFFFFFFFFFFull : neg ? 0x8000000000000000ull
                                            : 0x7FFFFFFFFFFFFFFFull;
    if (over || v > lim) *kind = TOK_INT_HUGE;
    else if (v > (hex ? 0xFFFFFFFFull : neg ? 0x80000000ull : 0x7FFFFFFFull)) {
      *kind = TOK_INT64;
    } else {
      *kind = TOK_INT32;
    }
    return z;
  }
  return z + 1;
}

/*
** libconfig 1.5 reads an integer literal into a 32-bit int and silently
** wraps anything wider (from = 1584050580000 would become garbage).
** Copy 'text' into *out with an 'L' after every such literal, which
** makes it a 64-bit one; strings and comments are left alone.  The
** elements of an array must share one type, so when an array holds a
** wide literal, all its integer literals get the 'L'.  Literals beyond 64
** bits are an error at their line.
**
** Two linear passes: the first notes, for each '[', whether a wide
** literal comes before the next ']' (each '[' is marked at most once), the
** second copies.  The first also rejects @include: libconfig would read
** the named file itself, without this widening or the checks of scenario
** files, and exits the process when it names a directory.
*/
int liq_scn_widen_integers(loader *p, const char *text, char **out) {
  str_buf b = {NULL, 0, 0, 0};
  unsigned char *wide = NULL;  /* per '[': its array holds a wide literal */
  size_t n_open = 0, n_cap = 0, unmarked = 0, k;
  const char *z = text, *copied = text;
  int line = 1, wide_array = 0, kind;
  while (*z) {                                  /* pass 1 */
    const char *start = z;
    int start_line = line;
    if (*z == '@' && strncmp(z + 1, "include", 7) == 0) {
      free(wide);
      return liq_errf(p->err, LIQ_INPUT, p->file, start_line, "@include is not "
                      "supported: put the settings in the scenario file");
    }
    if (*z == '[') {
      if (n_open == n_cap) {
        size_t n_new = n_cap ? 2 * n_cap : 64;
        unsigned char *new = realloc(wide, n_new);
        if (new == NULL) {
          free(wide);
          return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
        }
        wide = new;
        n_cap = n_new;
      }
      wide[n_open++] = 0;
    } else if (*z == ']') {
      unmarked = n_open;                        /* every '[' so far is closed */
    }
    z = lex_token(text, z, &line, &kind);
    if (kind == TOK_INT_HUGE) {
      free(wide);
      return liq_errf(p->err, LIQ_INPUT, p->file, start_line,
                      "integer %.*s is out of range (at most 64 bits; "
                      "write a float such as 1e20)", (int)(z - start),
                      start);
    }
    if (kind == TOK_INT64) {
      for (k = unmarked; k < n_open; k++) wide[k] = 1;
      unmarked = n_open;
    }
  }
  z = text;                                    /* pass 2 */
  line = 1;
  k = 0;
  while (*z) {
    if (*z == '[') {
      wide_array = wide[k++];
    } else if (*z == ']') {
      wide_array = 0;
    }
    z = lex_token(text, z, &line, &kind);
    if (kind == TOK_INT64 || (kind == TOK_INT32 && wide_array)) {
      liq_scn_buf_append(&b, copied, (size_t)(z - copied));
      liq_scn_buf_puts(&b, "L");
      copied = z;
    }
  }
  free(wide);
  liq_scn_buf_append(&b, copied, (size_t)(z - copied));   /* allocates even if 0 */
  if (b.oom) {
    free(b.z);
    return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  *out = b.z;
  return LIQ_OK;
}

