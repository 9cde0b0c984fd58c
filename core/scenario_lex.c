/*
** scenario_lex.c: libconfig 1.5 silently wraps integer literals wider than
** 32 bits; widenIntegers() gives them an 'L' suffix before libconfig
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

/* What lexToken() found. */
enum {
  TOK_OTHER,                  /* anything but a plain integer literal */
  TOK_INT32,                  /* an integer literal that fits 32 bits */
  TOK_INT64,                  /* one that needs 64 bits */
  TOK_INT_HUGE                /* one beyond 64 bits */
};

/*
** The token of libconfig text that starts at 'z' ('zText' is the start of
** the text, to see a '-' before a number): a newline, string, comment,
** name, number or a single other character.  Newlines inside it are
** counted into *piLine and *pKind says whether it is an integer literal
** and how wide.  Returns the token's end.
*/
static const char *lexToken(const char *zText, const char *z, int *piLine,
                            int *pKind) {
  char c = *z;
  *pKind = TOK_OTHER;
  if (c == '\n') {
    (*piLine)++;
    return z + 1;
  }
  if (c == '"') {                               /* string */
    for (z++; *z && *z != '"'; z++) {
      if (*z == '\\' && z[1]) z++;
      else if (*z == '\n') (*piLine)++;
    }
    return *z ? z + 1 : z;
  }
  if (c == '#' || (c == '/' && z[1] == '/')) {  /* line comment */
    while (*z && *z != '\n') z++;
    return z;
  }
  if (c == '/' && z[1] == '*') {                /* block comment */
    for (z += 2; *z && !(z[0] == '*' && z[1] == '/'); z++) {
      if (*z == '\n') (*piLine)++;
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
    int neg = z > zText && z[-1] == '-', allDigits = 1, over = 0;
    int hex = c == '0' && (z[1] == 'x' || z[1] == 'X');
    unsigned long long v = 0, lim;
    if (hex) z += 2;
    for (; (*z >= '0' && *z <= '9') || (*z >= 'a' && *z <= 'z') ||
           (*z >= 'A' && *z <= 'Z') || *z == '.' || *z == '_'; z++) {
      unsigned d;
      if ((*z == 'e' || *z == 'E') && !hex && (z[1] == '+' || z[1] == '-')) {
        z++;                                    /* exponent sign */
        allDigits = 0;
        continue;
      }
      if (*z >= '0' && *z <= '9') d = (unsigned)(*z - '0');
      else if (hex && *z >= 'a' && *z <= 'f') d = (unsigned)(*z - 'a' + 10);
      else if (hex && *z >= 'A' && *z <= 'F') d = (unsigned)(*z - 'A' + 10);
      else {
        allDigits = 0;
        continue;
      }
      if (v > (ULLONG_MAX - d) / (hex ? 16u : 10u)) over = 1;
      else v = v * (hex ? 16u : 10u) + d;
    }
    if (!allDigits) return z;                   /* float, 5L, or junk */
    lim = hex ? 0xFFFFFFFFFFFFFFFFull : neg ? 0x8000000000000000ull
                                            : 0x7FFFFFFFFFFFFFFFull;
    if (over || v > lim) *pKind = TOK_INT_HUGE;
    else if (v > (hex ? 0xFFFFFFFFull : neg ? 0x80000000ull : 0x7FFFFFFFull)) {
      *pKind = TOK_INT64;
    } else {
      *pKind = TOK_INT32;
    }
    return z;
  }
  return z + 1;
}

/*
** libconfig 1.5 reads an integer literal into a 32-bit int and silently
** wraps anything wider (from = 1584050580000 would become garbage).
** Copy 'zText' into *pzOut with an 'L' after every such literal, which
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
int widenIntegers(Loader *p, const char *zText, char **pzOut) {
  Buf b = {NULL, 0, 0, 0};
  unsigned char *aWide = NULL;  /* per '[': its array holds a wide literal */
  size_t nOpen = 0, nCap = 0, iUnmarked = 0, k;
  const char *z = zText, *zCopied = zText;
  int iLine = 1, wideArray = 0, kind;
  while (*z) {                                  /* pass 1 */
    const char *zStart = z;
    int iStart = iLine;
    if (*z == '@' && strncmp(z + 1, "include", 7) == 0) {
      free(aWide);
      return liq_errf(p->err, LIQ_INPUT, p->zFile, iStart, "@include is not "
                      "supported: put the settings in the scenario file");
    }
    if (*z == '[') {
      if (nOpen == nCap) {
        size_t nNew = nCap ? 2 * nCap : 64;
        unsigned char *aNew = realloc(aWide, nNew);
        if (aNew == NULL) {
          free(aWide);
          return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
        }
        aWide = aNew;
        nCap = nNew;
      }
      aWide[nOpen++] = 0;
    } else if (*z == ']') {
      iUnmarked = nOpen;                        /* every '[' so far is closed */
    }
    z = lexToken(zText, z, &iLine, &kind);
    if (kind == TOK_INT_HUGE) {
      free(aWide);
      return liq_errf(p->err, LIQ_INPUT, p->zFile, iStart,
                      "integer %.*s is out of range (at most 64 bits; "
                      "write a float such as 1e20)", (int)(z - zStart),
                      zStart);
    }
    if (kind == TOK_INT64) {
      for (k = iUnmarked; k < nOpen; k++) aWide[k] = 1;
      iUnmarked = nOpen;
    }
  }
  z = zText;                                    /* pass 2 */
  iLine = 1;
  k = 0;
  while (*z) {
    if (*z == '[') {
      wideArray = aWide[k++];
    } else if (*z == ']') {
      wideArray = 0;
    }
    z = lexToken(zText, z, &iLine, &kind);
    if (kind == TOK_INT64 || (kind == TOK_INT32 && wideArray)) {
      bufAppend(&b, zCopied, (size_t)(z - zCopied));
      bufPuts(&b, "L");
      zCopied = z;
    }
  }
  free(aWide);
  bufAppend(&b, zCopied, (size_t)(z - zCopied));   /* allocates even if 0 */
  if (b.oom) {
    free(b.z);
    return liq_errf(p->err, LIQ_NOMEM, NULL, 0, "out of memory");
  }
  *pzOut = b.z;
  return LIQ_OK;
}

