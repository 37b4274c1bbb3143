/*
 * exec-timer: run one program and report how long the whole process took and its peak memory.
 *
 *   exec-timer TIMEOUT_SECONDS PROGRAM [ARG...]
 *
 * PROGRAM inherits this process's stdin, stdout, stderr and environment. When it has been
 * reaped, one line "<wall nanoseconds> <max RSS KiB> <wait status>" is written to fd 3,
 * which must be open (the benchmark passes a pipe) and is closed in PROGRAM. A PROGRAM still
 * running after TIMEOUT_SECONDS (0: no limit) is killed with SIGKILL, so a hung plugin (say,
 * waiting on a lock forever) ends the sample instead of the whole benchmark.
 *
 * Why a C helper: timing a spawn from Node would add Node's own fork/exec and event-loop
 * overhead to every sample, the same constant for both binaries, which pulls every ratio
 * toward 1. posix_spawn (a vfork-style clone in glibc) plus wait4 measures exec to reap and
 * gives the child's ru_maxrss in the same call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile pid_t child = 0;

static void on_alarm(int signo) {
  (void)signo;
  if (child > 0) {
    kill(child, SIGKILL);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: exec-timer TIMEOUT_SECONDS PROGRAM [ARG...]\n");
    return 64;
  }
  unsigned timeout = (unsigned)strtoul(argv[1], NULL, 10);
  /* No SA_RESTART: the alarm interrupts wait4, the handler has killed the child, wait again. */
  struct sigaction alarm_action = {0};
  alarm_action.sa_handler = on_alarm;
  sigemptyset(&alarm_action.sa_mask);
  sigaction(SIGALRM, &alarm_action, NULL);
  /* The report channel must not leak into the measured program. */
  if (fcntl(3, F_SETFD, FD_CLOEXEC) != 0) {
    perror("exec-timer: fd 3");
    return 64;
  }
  struct timespec t0;
  struct timespec t1;
  struct rusage usage;
  pid_t pid;
  int status = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ);
  if (rc != 0) {
    dprintf(3, "spawn-error %d\n", rc);
    return 70;
  }
  child = pid;
  alarm(timeout);
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      perror("exec-timer: wait4");
      return 71;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  dprintf(3, "%lld %ld %d\n", ns, usage.ru_maxrss, status);
  return 0;
}
