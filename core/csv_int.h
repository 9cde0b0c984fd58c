/*
** csv_int.h: the one CSV input layer, on libcsv; library-internal (core/
** and its tests include it, sim/ does not).  The price, book, funding and
** depth readers parse their files through it, so every CSV file obeys
** the same rules:
**
**   - a UTF-8 byte-order mark at the start of the file is skipped;
**   - lines end in LF, CR or CRLF (a CRLF split across reads is one end);
**   - fields follow RFC 4180 (libcsv, strict): quotes, doubled quotes,
**     separators and line ends inside quotes; spaces and tabs around an
**     unquoted field are dropped; a malformed quote is an error;
**   - a blank row (no field, or one empty field) is skipped;
**   - a NUL byte is an error (not a text file);
**   - lines may be any length, but one field may hold at most
**     LIQ_CSV_MAX_FIELD bytes (an error, found before the parser has
**     buffered much more than that);
**   - every error is LIQ_INPUT at the file's FILE:LINE (LIQ_IO for a read
**     failure, LIQ_NOMEM when memory runs out).
**
** What a row means (headers, columns, comments) is the reader's business:
** the layer hands each row to a callback.
*/
#ifndef LIQ_CSV_INT_H
#define LIQ_CSV_INT_H

#include <stddef.h>
#include <stdio.h>

#include "liq_err.h"

#define LIQ_CSV_MAX_FIELD ((size_t)1 << 20)   /* 1 MiB */

/* One row: n fields, each NUL-terminated (libcsv has removed quotes). */
typedef struct liq_csv_row {
  size_t        n;
  const char   *const *field;
  const size_t *len;         /* their lengths (a field may hold quoted NULs
                             ** only if the file does; see above) */
  long          line;        /* line the row's first field ended on, 1-based */
} liq_csv_row;

/* Called for every row that is not blank; a return other than LIQ_OK
** stops reading and is returned (the callback fills 'err'). */
typedef int (*liq_csv_row_fn)(void *ctx, const liq_csv_row *row, liq_err *err);

/* Flags of liq_csv_read(). */
enum {
  LIQ_CSV_COMMENTS = 1      /* skip lines whose first non-blank byte is '#'
                            ** (outside quotes) */
};

/*
** Read the open file 'f' (named 'path' in errors) row by row.  'what'
** names the file in messages ("price file": "out of memory reading the
** price file", "cannot read price file: ...").  'flags': LIQ_CSV_*.  Returns LIQ_OK at the end
** of the file, or the first error.
*/
int liq_csv_read(FILE *f, const char *path, const char *what, int flags,
                 liq_csv_row_fn on_row, void *ctx, liq_err *err);

#endif /* LIQ_CSV_INT_H */
