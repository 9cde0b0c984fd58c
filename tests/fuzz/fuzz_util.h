/*
** fuzz_util.h: what the libFuzzer harnesses share (tests/fuzz/).
**
** A harness takes the fuzzer's bytes as a file's contents (written to a
** per-process temporary file, since the readers take paths) or as scenario
** text.  Bad input must come back as an error code; anything else (a
** crash, a sanitizer report, a hang, a leak) is a finding.
*/
#ifndef LIQ_FUZZ_UTIL_H
#define LIQ_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Write data[0..size) to this process's temporary file named like 'name'
** ("price.csv") and return its path (static storage). */
const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size);

/* data as a NUL-terminated string (malloc'd; NUL bytes kept, so the text
** stops at the first one). */
char *fuzz_text(const uint8_t *data, size_t size);

/* Abort (a finding) with a message when 'ok' is false. */
void fuzz_require(int ok, const char *what);

#endif
