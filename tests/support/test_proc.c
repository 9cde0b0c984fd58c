/*
** test_proc.c: running the liqsim binary (or any program) from a test with
** its output captured (liq_test_support.h).
*/
#define _POSIX_C_SOURCE 200809L
#include "liq_test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

pid_t liq_test_spawn(const char *const *argv, const char *out, const char *err) {
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int rc;
  assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
  posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  assert_int_equal(rc, 0);
  return pid;
}

static int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int liq_test_wait(pid_t pid, double limit_s) {
  struct timespec t0, now, nap = {0, 10 * 1000 * 1000};
  int status = 0;
  if (limit_s <= 0) {
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return exit_code(status);
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) return exit_code(status);
    assert_int_equal(w, 0);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((double)(now.tv_sec - t0.tv_sec) + 1e-9 * (double)(now.tv_nsec - t0.tv_nsec) >
        limit_s) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    nanosleep(&nap, NULL);
  }
}

int liq_test_liqsim(const char *const *args, const char *out, const char *err,
                    double limit_s) {
  const char *argv[64];
  int i;
  argv[0] = LIQ_BINARY;
  for (i = 0; args[i] != NULL; i++) {
    assert_true(i + 2 < (int)(sizeof argv / sizeof argv[0]));
    argv[i + 1] = args[i];
  }
  argv[i + 1] = NULL;
  return liq_test_wait(liq_test_spawn(argv, out, err), limit_s);
}

liq_test_cli_result liq_test_cli(const char *dir, double limit_s,
                                 const char *const *args) {
  static char out_text[65536], err_text[65536];
  char out[512], err[512];
  liq_test_cli_result r;
  snprintf(out, sizeof out, "%s/stdout.txt", dir);
  snprintf(err, sizeof err, "%s/stderr.txt", dir);
  r.code = liq_test_liqsim(args, out, err, limit_s);
  r.out = liq_test_slurp_into(out, out_text, sizeof out_text);
  r.err = liq_test_slurp_into(err, err_text, sizeof err_text);
  return r;
}

int liq_test_located_in(const char *err, const char *file_suffix) {
  const char *p;
  if (strncmp(err, "liqsim: ", 8) != 0) return 0;
  p = strstr(err, file_suffix);
  if (p == NULL) return 0;
  p += strlen(file_suffix);
  if (*p++ != ':') return 0;
  if (*p < '1' || *p > '9') return 0;
  while (*p >= '0' && *p <= '9') p++;
  return p[0] == ':' && p[1] == ' ';
}

int liq_test_located_at(const char *err, const char *file_suffix, int line) {
  char want[300];
  snprintf(want, sizeof want, "%s:%d: ", file_suffix, line);
  return liq_test_located_in(err, file_suffix) && strstr(err, want) != NULL;
}
