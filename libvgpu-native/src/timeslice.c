/* Time-slice round-robin among the containers sharing a card (include/vgpu/timeslice.h). */
#define _GNU_SOURCE
#include "vgpu/timeslice.h"

#include "vgpu/region.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void vgpu_sched_init(vgpu_sched *s, uint64_t period_ns, uint64_t now) {
  memset(s, 0, sizeof *s);
  s->major = VGPU_SCHED_MAJOR;
  s->minor = VGPU_SCHED_MINOR;
  s->size = sizeof *s;
  s->period_ns = period_ns ? period_ns : VGPU_SCHED_PERIOD_NS;
  s->period_start_ns = now;
  s->holder = -1;
  vgpu_shared_mutex_init(&s->lock);
  __atomic_store_n(&s->magic, VGPU_SCHED_MAGIC, __ATOMIC_RELEASE);
}

static int64_t grant_of(const vgpu_sched *s, const vgpu_sched_entry *e) {
  return (int64_t)(s->period_ns * e->share / 100);
}

int vgpu_sched_join(vgpu_sched *s, uint64_t key, int32_t pid, uint32_t share, uint64_t now) {
  if (share == 0 || share > 100) share = 100;
  int free_slot = -1;
  for (int i = 0; i < VGPU_SCHED_MAX; i++) {
    vgpu_sched_entry *e = &s->e[i];
    if (e->key == key) {
      e->pid = pid;
      e->share = share;
      e->seen_ns = now;
      return i;
    }
    if (e->key == 0 && free_slot < 0) free_slot = i;
  }
  if (free_slot < 0) return -1;
  vgpu_sched_entry *e = &s->e[free_slot];
  memset(e, 0, sizeof *e);
  e->pid = pid;
  e->share = share;
  e->seen_ns = now;
  e->credit_ns = grant_of(s, e);
  __atomic_store_n(&e->key, key, __ATOMIC_RELEASE);
  return free_slot;
}

/* Charges the holder for its turn up to end_ns and restarts its turn clock there. */
static void charge_holder(vgpu_sched *s, uint64_t end_ns) {
  vgpu_sched_entry *h = &s->e[s->holder];
  uint64_t used = end_ns > s->turn_start_ns ? end_ns - s->turn_start_ns : 0;
  h->credit_ns -= (int64_t)used;
  h->used_ns += used;
  if (end_ns > s->turn_start_ns) s->turn_start_ns = end_ns;
}

static void set_turn_end(vgpu_sched *s) {
  int64_t c = s->e[s->holder].credit_ns;
  s->turn_end_ns = s->turn_start_ns + (uint64_t)(c > 0 ? c : 0);
}

void vgpu_sched_tick(vgpu_sched *s, uint64_t now) {
  if (now < s->period_start_ns + s->period_ns) return;
  uint64_t boundary = s->period_start_ns + (now - s->period_start_ns) / s->period_ns * s->period_ns;
  /* a turn running across the boundary: the part before it is paid from the old period's credit */
  if (s->holder >= 0) charge_holder(s, boundary < now ? boundary : now);
  uint64_t last_start = s->period_start_ns;
  s->period_start_ns = boundary;
  for (int i = 0; i < VGPU_SCHED_MAX; i++) {
    vgpu_sched_entry *e = &s->e[i];
    if (e->key == 0) continue;
    /* Debt is carried over. Unused credit is dropped (a hard cap: no saving up while idle), except what a
     * container that wanted the card could not use because others' turns ran long: up to one period's grant. */
    int64_t grant = grant_of(s, e), keep = 0;
    if (e->credit_ns < 0) keep = e->credit_ns;
    else if (s->holder == i || e->want_ns >= last_start) keep = e->credit_ns < grant ? e->credit_ns : grant;
    e->credit_ns = keep + grant;
  }
  if (s->holder >= 0) set_turn_end(s);
}

static bool wants(const vgpu_sched_entry *e, uint64_t now) {
  return e->key != 0 && e->credit_ns > 0 && now - e->want_ns < VGPU_SCHED_WANT_NS;
}

static void grant(vgpu_sched *s, int i, uint64_t now) {
  s->holder = i;
  s->e[i].inflight = 0;
  s->turn_start_ns = now;
  s->e[i].active_ns = now;
  s->e[i].turns++;
  s->cursor = (uint32_t)(i + 1) % VGPU_SCHED_MAX;
  s->handovers++;
  set_turn_end(s);
}

void vgpu_sched_done(vgpu_sched *s, int idx, uint64_t now) {
  vgpu_sched_entry *e = &s->e[idx];
  __atomic_store_n(&e->active_ns, now, __ATOMIC_RELEASE);
  if (__atomic_sub_fetch(&e->inflight, 1, __ATOMIC_ACQ_REL) < 0) __atomic_store_n(&e->inflight, 0, __ATOMIC_RELEASE);
}

void vgpu_sched_release(vgpu_sched *s, int idx, uint64_t end_ns) {
  if (s->holder != idx || idx < 0) return;
  charge_holder(s, end_ns);
  __atomic_store_n(&s->e[idx].inflight, 0, __ATOMIC_RELEASE);
  s->holder = -1;
}

vgpu_sched_decision vgpu_sched_acquire(vgpu_sched *s, int idx, uint64_t now, uint64_t *wake) {
  vgpu_sched_tick(s, now);
  vgpu_sched_entry *me = &s->e[idx];
  me->seen_ns = now;
  *wake = now + VGPU_SCHED_POLL_NS;
  if (s->holder == idx) {
    if (now < s->turn_end_ns) {
      me->active_ns = now;
      __atomic_add_fetch(&me->inflight, 1, __ATOMIC_ACQ_REL);
      return VGPU_SCHED_RUN;
    }
    __atomic_store_n(&me->inflight, 1, __ATOMIC_RELEASE); /* its drain is work in flight until the release */
    return VGPU_SCHED_END_TURN;
  }
  me->want_ns = now;
  if (s->holder >= 0) {
    vgpu_sched_entry *h = &s->e[s->holder];
    uint64_t quiet = now - __atomic_load_n(&h->active_ns, __ATOMIC_ACQUIRE);
    bool idle = quiet > VGPU_SCHED_HUNG_NS || (quiet > VGPU_SCHED_IDLE_NS && __atomic_load_n(&h->inflight, __ATOMIC_ACQUIRE) <= 0);
    if (!idle) {
      if (s->turn_end_ns > now && s->turn_end_ns < *wake) *wake = s->turn_end_ns;
      return VGPU_SCHED_WAIT;
    }
    __atomic_store_n(&h->inflight, 0, __ATOMIC_RELEASE);
    vgpu_sched_release(s, s->holder, h->active_ns); /* it stopped launching: charged up to its last launch */
  }
  for (int k = 0; k < VGPU_SCHED_MAX; k++) {
    int i = (int)((s->cursor + (uint32_t)k) % VGPU_SCHED_MAX);
    if (!wants(&s->e[i], now)) continue;
    grant(s, i, now); /* the next container in turn, also when its process has not asked yet */
    if (i != idx) return VGPU_SCHED_WAIT;
    __atomic_add_fetch(&me->inflight, 1, __ATOMIC_ACQ_REL);
    return VGPU_SCHED_RUN;
  }
  /* nobody with credit wants the card: wait for the next period */
  *wake = s->period_start_ns + s->period_ns;
  return VGPU_SCHED_WAIT;
}

void vgpu_sched_reap(vgpu_sched *s, uint64_t now) {
  for (int i = 0; i < VGPU_SCHED_MAX; i++) {
    vgpu_sched_entry *e = &s->e[i];
    if (e->key == 0 || now - e->seen_ns < VGPU_SCHED_STALE_NS) continue;
    if (s->holder == i) s->holder = -1;
    memset(e, 0, sizeof *e);
  }
}

uint64_t vgpu_sched_key(const char *str, uint64_t a, uint64_t b) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const unsigned char *p = (const unsigned char *)str; *p; p++) h = (h ^ *p) * 0x100000001b3ULL;
  for (int k = 0; k < 8; k++) h = (h ^ ((a >> (8 * k)) & 0xff)) * 0x100000001b3ULL;
  for (int k = 0; k < 8; k++) h = (h ^ ((b >> (8 * k)) & 0xff)) * 0x100000001b3ULL;
  return h == 0 ? 1 : h;
}

void vgpu_sched_lock(vgpu_sched *s) {
  if (pthread_mutex_lock(&s->lock) == EOWNERDEAD) pthread_mutex_consistent(&s->lock);
}

void vgpu_sched_unlock(vgpu_sched *s) { pthread_mutex_unlock(&s->lock); }

vgpu_sched *vgpu_sched_open(const char *path, char *err, size_t errlen) {
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    snprintf(err, errlen, "cannot open time-slice registry %s: %s", path, strerror(errno));
    return NULL;
  }
  (void)fchmod(fd, 0666); /* every container on the card shares it */
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  while (fcntl(fd, F_SETLKW, &fl) != 0) {
    if (errno != EINTR) {
      snprintf(err, errlen, "cannot lock time-slice registry %s: %s", path, strerror(errno));
      close(fd);
      return NULL;
    }
  }
  vgpu_sched *s = NULL;
  struct stat sb;
  if (fstat(fd, &sb) != 0 || (sb.st_size == 0 && ftruncate(fd, sizeof *s) != 0)) {
    snprintf(err, errlen, "cannot size time-slice registry %s: %s", path, strerror(errno));
  } else if (sb.st_size != 0 && (size_t)sb.st_size != sizeof *s) {
    snprintf(err, errlen, "time-slice registry %s has %lld bytes, version %u.%u has %zu; refusing it", path,
             (long long)sb.st_size, VGPU_SCHED_MAJOR, VGPU_SCHED_MINOR, sizeof *s);
  } else {
    void *m = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
      snprintf(err, errlen, "cannot map time-slice registry %s: %s", path, strerror(errno));
    } else {
      s = m;
      if (s->magic == 0 && s->major == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        vgpu_sched_init(s, 0, (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
      } else if (s->magic != VGPU_SCHED_MAGIC || s->major != VGPU_SCHED_MAJOR || s->size != sizeof *s) {
        snprintf(err, errlen, "%s is not a version %u time-slice registry; refusing it", path, VGPU_SCHED_MAJOR);
        munmap(m, sizeof *s);
        s = NULL;
      }
    }
  }
  fl.l_type = F_UNLCK;
  (void)fcntl(fd, F_SETLK, &fl);
  close(fd);
  return s;
}
