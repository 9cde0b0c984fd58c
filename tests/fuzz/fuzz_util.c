/* fuzz_util.c: see fuzz_util.h. */
#define _POSIX_C_SOURCE 200809L

#include "fuzz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[256];

static const char *fuzz_dir(void) {
  if (g_dir[0] == '\0') {
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/liqsim-fuzz-%ld", tmp ? tmp : "/tmp",
             (long)getpid());
    mkdir(g_dir, 0700);
  }
  return g_dir;
}

const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size) {
  static char path[512];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
  f = fopen(path, "wb");
  if (f == NULL) {
    perror(path);
    abort();
  }
  if (size > 0 && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  return path;
}

char *fuzz_text(const uint8_t *data, size_t size) {
  char *z = malloc(size + 1);
  if (z == NULL) abort();
  if (size > 0) memcpy(z, data, size);
  z[size] = '\0';
  return z;
}

void fuzz_require(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz: %s\n", what);
    abort();
  }
}
