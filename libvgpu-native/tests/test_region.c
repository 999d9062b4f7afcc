/* Shared region: creation, limits written once, accounting, kill -9 of lock/memory holders, bad files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "vgpu/region.h"

static char dir[256];
static char path[512];
static int reports;
static void report(const char *m, void *c) {
  (void)m;
  (void)c;
  reports++;
}

static void fresh_path(const char *name) {
  snprintf(path, sizeof path, "%s/%s", dir, name);
  unlink(path);
}

static vgpu_config cfg_with(uint64_t mem0, uint32_t sm0) {
  vgpu_config c;
  memset(&c, 0, sizeof c);
  for (int i = 0; i < VGPU_MAX_DEVICES; i++) c.sm_limit[i] = 100;
  c.mem_limit[0] = mem0;
  c.sm_limit[0] = sm0;
  c.any_mem_limit = mem0 != 0;
  c.any_sm_limit = sm0 < 100;
  c.priority = 1;
  return c;
}

static void region_is_created_versioned_and_reopened(void) {
  fresh_path("a.cache");
  char err[512];
  vgpu_shm h, h2;
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_OK);
  CHECK(h.r->magic == VGPU_REGION_MAGIC && h.r->major == VGPU_REGION_MAJOR && h.r->size == sizeof(vgpu_region));
  CHECK(vgpu_region_register(&h, getpid(), 1) == 0);
  CHECK(vgpu_region_try_charge(&h, 0, 100, 0) == 0);
  CHECK(vgpu_region_open(&h2, path, err, sizeof err) == VGPU_REGION_OK);
  CHECK_EQ_U(vgpu_region_used(&h2, 0), 100);
  vgpu_region_uncharge(&h, 0, 100);
  CHECK_EQ_U(vgpu_region_used(&h2, 0), 0);
  vgpu_region_uncharge(&h, 0, 100); /* never below zero */
  CHECK_EQ_U(vgpu_region_used(&h2, 0), 0);
  vgpu_region_unregister(&h);
  vgpu_region_close(&h);
  vgpu_region_close(&h2);
}

static void limits_are_written_once_by_a_process_with_limits(void) {
  fresh_path("limits.cache");
  char err[512];
  vgpu_shm h;
  vgpu_config eff;
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_OK);
  vgpu_config none = cfg_with(0, 100);
  vgpu_region_apply_limits(&h, &none, &eff, report, NULL); /* env-less first process: writes nothing */
  CHECK(!h.r->limits_set && eff.mem_limit[0] == 0);
  vgpu_config plugin = cfg_with(4096ULL << 20, 30);
  vgpu_region_apply_limits(&h, &plugin, &eff, report, NULL);
  CHECK(h.r->limits_set && h.r->mem_limit[0] == 4096ULL << 20 && h.r->sm_limit[0] == 30);
  CHECK(eff.mem_limit[0] == 4096ULL << 20);
  reports = 0;
  vgpu_config other = cfg_with(8192ULL << 20, 100); /* a child with a changed env cannot raise the limit */
  vgpu_region_apply_limits(&h, &other, &eff, report, NULL);
  CHECK_EQ_U(eff.mem_limit[0], 4096ULL << 20);
  CHECK_EQ_U(eff.sm_limit[0], 30);
  CHECK_EQ_U(reports, 1);
  reports = 0;
  vgpu_region_apply_limits(&h, &none, &eff, report, NULL); /* env-less later process inherits the limits */
  CHECK_EQ_U(eff.mem_limit[0], 4096ULL << 20);
  CHECK(eff.any_mem_limit && eff.any_sm_limit);
  CHECK_EQ_U(reports, 0);
  vgpu_region_close(&h);
}

static void charge_refuses_past_the_limit_with_nothing_charged(void) {
  fresh_path("oom.cache");
  char err[512];
  vgpu_shm h;
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_OK);
  CHECK(vgpu_region_register(&h, getpid(), 1) == 0);
  CHECK(vgpu_region_try_charge(&h, 1, 1000, 1000) == 0);
  CHECK(vgpu_region_try_charge(&h, 1, 1, 1000) == -1);
  CHECK_EQ_U(vgpu_region_used(&h, 1), 1000);
  CHECK(vgpu_region_try_charge(&h, 1, UINT64_MAX, 1000) == -1); /* saturating, no wrap */
  CHECK(vgpu_region_try_charge(&h, 16, 1, 0) == 0);             /* unknown device without a limit */
  vgpu_region_unregister(&h);
  vgpu_region_close(&h);
}

/* Child: registers, charges, then optionally takes the lock, then SIGKILLs itself (or waits to be killed). */
static pid_t spawn_holder(uint64_t bytes, bool hold_lock, int ready_fd) {
  pid_t p = fork();
  if (p == 0) {
    char err[512];
    vgpu_shm h;
    if (vgpu_region_open(&h, path, err, sizeof err) != VGPU_REGION_OK) _exit(3);
    if (vgpu_region_register(&h, getpid(), 1) != 0) _exit(4);
    if (vgpu_region_try_charge(&h, 0, bytes, 0) != 0) _exit(5);
    if (hold_lock) vgpu_region_lock(&h);
    char c = 'r';
    if (write(ready_fd, &c, 1) != 1) _exit(6);
    if (hold_lock) raise(SIGKILL);
    for (;;) pause();
  }
  return p;
}

static void alarm_handler(int s) {
  (void)s;
  static const char m[] = "test_region: a waiter hung on the lock of a killed holder\n";
  ssize_t w = write(2, m, sizeof m - 1);
  (void)w;
  _exit(9);
}

static void kill_9_while_holding_the_lock_does_not_hang_and_reclaims_memory(void) {
  fresh_path("kill-lock.cache");
  char err[512];
  vgpu_shm h;
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_OK);
  CHECK(vgpu_region_register(&h, getpid(), 1) == 0);
  int fds[2];
  CHECK(pipe(fds) == 0);
  pid_t p = spawn_holder(512ULL << 20, true, fds[1]);
  char c;
  CHECK(read(fds[0], &c, 1) == 1);
  int st;
  CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  CHECK_EQ_U(vgpu_region_used(&h, 0), 512ULL << 20); /* still charged until someone looks */
  signal(SIGALRM, alarm_handler);
  alarm(10);
  /* the waiter recovers the robust lock and reclaims the dead holder's slot */
  CHECK(vgpu_region_try_charge(&h, 0, 1ULL << 30, 1ULL << 30) == 0);
  alarm(0);
  CHECK_EQ_U(vgpu_region_used(&h, 0), 1ULL << 30);
  close(fds[0]);
  close(fds[1]);
  vgpu_region_unregister(&h);
  vgpu_region_close(&h);
}

static void kill_9_while_holding_memory_returns_it_on_demand(void) {
  fresh_path("kill-mem.cache");
  char err[512];
  vgpu_shm h;
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_OK);
  CHECK(vgpu_region_register(&h, getpid(), 1) == 0);
  int fds[2];
  CHECK(pipe(fds) == 0);
  pid_t kids[4];
  char c;
  for (int i = 0; i < 4; i++) {
    kids[i] = spawn_holder(256ULL << 20, false, fds[1]);
    CHECK(read(fds[0], &c, 1) == 1);
  }
  CHECK_EQ_U(vgpu_region_used(&h, 0), 1ULL << 30);
  CHECK(vgpu_region_try_charge(&h, 0, 1, 1ULL << 30) == -1); /* all alive: OOM */
  for (int i = 0; i < 4; i++) {
    kill(kids[i], SIGKILL);
    waitpid(kids[i], NULL, 0);
  }
  CHECK(vgpu_region_try_charge(&h, 0, 1ULL << 30, 1ULL << 30) == 0);
  CHECK_EQ_U(h.r->slot_high, 1);
  close(fds[0]);
  close(fds[1]);
  vgpu_region_unregister(&h);
  vgpu_region_close(&h);
}

static void write_file(const void *data, size_t n) {
  unlink(path);
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
  CHECK(fd >= 0);
  CHECK(write(fd, data, n) == (ssize_t)n);
  close(fd);
}

static void bad_files_are_refused_with_a_clear_reason(void) {
  char err[512];
  vgpu_shm h;
  static char junk[sizeof(vgpu_region)];
  fresh_path("bad.cache");
  memset(junk, 0x5a, sizeof junk);
  write_file(junk, sizeof junk);
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_BAD_MAGIC);
  CHECK(strstr(err, "not a libvgpu region") != NULL && strstr(err, path) != NULL);

  write_file(junk, 3); /* shorter than the header */
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_TRUNCATED);
  CHECK(strstr(err, "truncated") != NULL);

  vgpu_region *good = calloc(1, sizeof *good);
  good->magic = VGPU_REGION_MAGIC;
  good->major = VGPU_REGION_MAJOR;
  good->minor = VGPU_REGION_MINOR;
  good->size = sizeof(vgpu_region);
  write_file(good, sizeof(vgpu_region) / 2); /* right header, cut short */
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_TRUNCATED);

  good->major = VGPU_REGION_MAJOR + 1; /* a future layout */
  write_file(good, sizeof(vgpu_region));
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_BAD_VERSION);
  CHECK(strstr(err, "version 3.0") != NULL && strstr(err, "refusing") != NULL);

  good->major = VGPU_REGION_MAJOR;
  good->size = 2008952; /* HAMi-core's v1 size: same magic would still be refused by size */
  write_file(good, sizeof(vgpu_region));
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_BAD_VERSION);

  memset(good, 0, sizeof *good); /* creator died before initialising: re-initialised */
  write_file(good, sizeof(vgpu_region));
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_OK);
  CHECK(h.r->magic == VGPU_REGION_MAGIC);
  vgpu_region_close(&h);
  free(good);

  snprintf(path, sizeof path, "%s/no/such/dir/x.cache", dir);
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_IO_ERROR);
  CHECK(strstr(err, "cannot open") != NULL);
}

static void dead_and_reused_pids_are_detected(void) {
  CHECK(vgpu_pid_alive(getpid(), vgpu_pid_start_time(getpid())));
  CHECK(!vgpu_pid_alive(getpid(), vgpu_pid_start_time(getpid()) + 1)); /* same pid, other process */
  pid_t p = fork();
  if (p == 0) _exit(0);
  usleep(100000);
  CHECK(!vgpu_pid_alive(p, 0)); /* zombie counts as dead */
  waitpid(p, NULL, 0);
  CHECK(!vgpu_pid_alive(p, 0));
  CHECK(!vgpu_pid_alive(0, 0));
}

static void slot_of_a_crashed_predecessor_with_our_pid_is_reused(void) {
  fresh_path("reuse.cache");
  char err[512];
  vgpu_shm h;
  CHECK(vgpu_region_open(&h, path, err, sizeof err) == VGPU_REGION_OK);
  CHECK(vgpu_region_register(&h, getpid(), 1) == 0);
  CHECK(vgpu_region_try_charge(&h, 0, 77, 0) == 0);
  vgpu_shm h2;
  CHECK(vgpu_region_open(&h2, path, err, sizeof err) == VGPU_REGION_OK);
  CHECK(vgpu_region_register(&h2, getpid(), 1) == 0);
  CHECK_EQ_U(vgpu_region_used(&h2, 0), 0);
  CHECK_EQ_U(h2.r->slot_high, 1);
  vgpu_region_close(&h);
  vgpu_region_close(&h2);
}

static void host_pid_is_the_single_unclaimed_newcomer(void) {
  uint32_t before[] = {100, 200}, after1[] = {100, 200, 300}, after2[] = {100, 300, 400}, after3[] = {100, 200};
  int32_t claimed[] = {300};
  CHECK(vgpu_hostpid_pick(before, 2, after1, 3, NULL, 0) == 300);
  CHECK(vgpu_hostpid_pick(before, 2, after2, 3, NULL, 0) == 0);      /* two newcomers: ambiguous */
  CHECK(vgpu_hostpid_pick(before, 2, after2, 3, claimed, 1) == 400); /* one of them is another slot's */
  CHECK(vgpu_hostpid_pick(before, 2, after3, 2, NULL, 0) == 0);      /* nothing new */
  CHECK(vgpu_hostpid_pick(before, 2, after1, 3, claimed, 1) == 0);   /* the newcomer is already claimed */
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/vgpu-region-test-XXXXXX");
  if (mkdtemp(dir) == NULL) return 2;
  region_is_created_versioned_and_reopened();
  limits_are_written_once_by_a_process_with_limits();
  charge_refuses_past_the_limit_with_nothing_charged();
  kill_9_while_holding_the_lock_does_not_hang_and_reclaims_memory();
  kill_9_while_holding_memory_returns_it_on_demand();
  bad_files_are_refused_with_a_clear_reason();
  dead_and_reused_pids_are_detected();
  slot_of_a_crashed_predecessor_with_our_pid_is_reused();
  host_pid_is_the_single_unclaimed_newcomer();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
  CHECK_DONE();
}
