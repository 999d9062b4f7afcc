/* The simulated card shared by the stub runtimes (simcard.h). */
#define _GNU_SOURCE
#include "simcard.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SIMCARD_MAGIC 0x4452414353494d53ULL /* "SMISCARD" */

uint64_t simcard_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t) {
  for (;;) {
    uint64_t now = simcard_now();
    if (now >= t) return;
    uint64_t d = t - now;
    struct timespec ts = {(time_t)(d / 1000000000ULL), (long)(d % 1000000000ULL)};
    nanosleep(&ts, NULL);
  }
}

static void lock(simcard *c) {
  while (__atomic_exchange_n(&c->lock, 1u, __ATOMIC_ACQUIRE) != 0) {
    struct timespec ts = {0, 20000};
    nanosleep(&ts, NULL);
  }
}
static void unlock(simcard *c) { __atomic_store_n(&c->lock, 0u, __ATOMIC_RELEASE); }

static simcard *card;

simcard *simcard_get(void) {
  simcard *c = __atomic_load_n(&card, __ATOMIC_ACQUIRE);
  if (c != NULL) return c;
  const char *path = getenv("STUB_SIM_CARD");
  void *m = MAP_FAILED;
  if (path != NULL && *path) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0) {
      struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
      while (fcntl(fd, F_SETLKW, &fl) != 0) {
      }
      off_t size = lseek(fd, 0, SEEK_END);
      if (size < (off_t)sizeof(simcard) && ftruncate(fd, sizeof(simcard)) != 0) size = -1;
      if (size >= 0) m = mmap(NULL, sizeof(simcard), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (m != MAP_FAILED && ((simcard *)m)->magic != SIMCARD_MAGIC) {
        memset(m, 0, sizeof(simcard));
        ((simcard *)m)->magic = SIMCARD_MAGIC;
      }
      fl.l_type = F_UNLCK;
      fcntl(fd, F_SETLK, &fl);
      close(fd);
    }
  }
  if (m == MAP_FAILED) {
    m = mmap(NULL, sizeof(simcard), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) abort();
    ((simcard *)m)->magic = SIMCARD_MAGIC;
  }
  simcard *expected = NULL;
  if (!__atomic_compare_exchange_n(&card, &expected, (simcard *)m, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    munmap(m, sizeof(simcard));
    return expected;
  }
  return (simcard *)m;
}

static int slot_of(simcard *c, int32_t pid) { /* under the lock */
  for (uint32_t i = 0; i < c->nproc && i < SIMCARD_PROCS; i++)
    if (c->procs[i].pid == pid) return (int)i;
  if (c->nproc >= SIMCARD_PROCS) return -1;
  int i = (int)c->nproc++;
  memset(&c->procs[i], 0, sizeof c->procs[i]);
  c->procs[i].pid = pid;
  return i;
}

static uint64_t queue_limit(void) {
  static uint64_t q;
  if (q == 0) {
    const char *e = getenv("STUB_SIM_QUEUE_NS");
    q = e != NULL && *e ? strtoull(e, NULL, 10) : 4000000ULL;
    if (q == 0) q = 1;
  }
  return q;
}

uint64_t simcard_launch(simcard *c, int32_t pid, uint64_t dur_ns) {
  for (;;) { /* a full queue blocks the launch */
    lock(c);
    int s = slot_of(c, pid);
    uint64_t now = simcard_now();
    uint64_t pending = s >= 0 && c->procs[s].last_end > now ? c->procs[s].last_end - now : 0;
    if (pending <= queue_limit() || s < 0) {
      uint64_t start = c->free_at > now ? c->free_at : now;
      uint64_t end = start + dur_ns;
      c->free_at = end;
      if (s >= 0) {
        c->procs[s].busy_ns += dur_ns;
        c->procs[s].last_end = end;
        c->procs[s].launches++;
      }
      uint64_t h = c->head++;
      c->ring[h % SIMCARD_RING].pid = pid;
      c->ring[h % SIMCARD_RING].start = start;
      c->ring[h % SIMCARD_RING].end = end;
      unlock(c);
      return end;
    }
    uint64_t wake = c->procs[s].last_end - queue_limit();
    unlock(c);
    sleep_until(wake);
  }
}

void simcard_sync(simcard *c, int32_t pid) {
  lock(c);
  int s = slot_of(c, pid);
  uint64_t end = s >= 0 ? c->procs[s].last_end : 0;
  unlock(c);
  sleep_until(end);
}

uint64_t simcard_busy(simcard *c, int32_t pid, uint64_t from, uint64_t to) {
  uint64_t sum = 0;
  lock(c);
  uint64_t head = c->head, n = head < SIMCARD_RING ? head : SIMCARD_RING;
  for (uint64_t k = 0; k < n; k++) {
    const __typeof__(c->ring[0]) *e = &c->ring[(head - 1 - k) % SIMCARD_RING];
    if (e->end <= from) break; /* the queue is serial: every older kernel ended earlier still */
    if (pid != 0 && e->pid != pid) continue;
    uint64_t a = e->start > from ? e->start : from, b = e->end < to ? e->end : to;
    if (b > a) sum += b - a;
  }
  unlock(c);
  return sum;
}

uint64_t simcard_total_busy(simcard *c, int32_t pid) {
  lock(c);
  int s = slot_of(c, pid);
  uint64_t v = s >= 0 ? c->procs[s].busy_ns : 0;
  unlock(c);
  return v;
}
