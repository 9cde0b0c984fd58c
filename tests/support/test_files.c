/*
** test_files.c: temporary directories and whole-file reads and writes for
** the tests (liq_test_support.h).
*/
#define _DEFAULT_SOURCE 1   /* mkdtemp, lstat */
#include "liq_test_support.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary directories made so far, removed by the group teardown
** (which runs even when a test fails). */
static char made_dirs[64][256];
static size_t n_made_dirs;

void liq_test_temp_dir(const char *prefix, char *buf, size_t size) {
  const char *dir = getenv("TMPDIR");
  snprintf(buf, size, "%s/%s-XXXXXX", dir ? dir : "/tmp", prefix);
  assert_non_null(mkdtemp(buf));
  if (n_made_dirs < sizeof made_dirs / sizeof made_dirs[0])
    snprintf(made_dirs[n_made_dirs++], sizeof made_dirs[0], "%s", buf);
}

void liq_test_remove_tree(const char *path) {
  struct stat st;
  DIR *d;
  struct dirent *e;
  if (lstat(path, &st) != 0) return;
  if (!S_ISDIR(st.st_mode)) {
    unlink(path);
    return;
  }
  if ((d = opendir(path)) != NULL) {
    while ((e = readdir(d)) != NULL) {
      char sub[1024];
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      liq_test_remove_tree(sub);
    }
    closedir(d);
  }
  rmdir(path);
}

int liq_test_remove_temp_dirs(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < n_made_dirs; i++) liq_test_remove_tree(made_dirs[i]);
  n_made_dirs = 0;
  return 0;
}

void liq_test_write_file(const char *dir, const char *name, const char *data,
                         size_t n, char *out, size_t size) {
  FILE *f;
  snprintf(out, size, "%s/%s", dir, name);
  f = fopen(out, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  fclose(f);
}

void liq_test_write_text(const char *dir, const char *name, const char *text,
                         char *out, size_t size) {
  liq_test_write_file(dir, name, text, strlen(text), out, size);
}

char *liq_test_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n = 0;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  buf = calloc((size_t)(n > 0 ? n : 0) + 1, 1);
  assert_non_null(buf);
  if (f != NULL) {
    rewind(f);
    if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) buf[0] = '\0';
    fclose(f);
  }
  return buf;
}

char *liq_test_slurp_into(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "rb");
  size_t n = 0;
  if (f != NULL) {
    n = fread(buf, 1, size - 1, f);
    fclose(f);
  }
  buf[n] = '\0';
  return buf;
}
