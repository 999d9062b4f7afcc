#define _GNU_SOURCE
#include "vgpu/region.h"

#include "vgpu/limits_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

uint64_t vgpu_pid_start_time(int32_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  char *p = strrchr(buf, ')'); /* comm may contain spaces */
  if (p == NULL) return 0;
  /* after ") " come fields 3.. ; starttime is field 22 */
  int field = 2;
  unsigned long long st = 0;
  for (char *s = p + 1; *s; s++) {
    if (*s == ' ') {
      field++;
      if (field == 22) {
        st = strtoull(s + 1, NULL, 10);
        break;
      }
    }
  }
  return (uint64_t)st;
}

bool vgpu_pid_alive(int32_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    return !(kill(pid, 0) != 0 && errno == ESRCH); /* no /proc: best effort */
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  char *p = strrchr(buf, ')');
  if (p == NULL || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X' || p[2] == 'x') return false;
  if (start_time != 0) {
    uint64_t now = vgpu_pid_start_time(pid);
    if (now != 0 && now != start_time) return false; /* PID reused */
  }
  return true;
}

void vgpu_shared_mutex_init(pthread_mutex_t *m) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(m, &a);
  pthread_mutexattr_destroy(&a);
}

static void init_region(vgpu_region *r) {
  memset(r, 0, sizeof *r);
  r->major = VGPU_REGION_MAJOR;
  r->minor = VGPU_REGION_MINOR;
  r->size = sizeof(vgpu_region);
  r->max_devices = VGPU_MAX_DEVICES;
  r->max_slots = VGPU_MAX_SLOTS;
  r->priority = 1;
  r->utilization_switch = 1;
  for (int i = 0; i < VGPU_MAX_DEVICES; i++) r->sm_limit[i] = 100;
  vgpu_shared_mutex_init(&r->lock);
  __atomic_store_n(&r->magic, VGPU_REGION_MAGIC, __ATOMIC_RELEASE);
}

vgpu_region_status vgpu_region_open(vgpu_shm *h, const char *path, char *err, size_t errlen) {
  memset(h, 0, sizeof *h);
  h->fd = -1;
  h->slot = -1;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    snprintf(err, errlen, "cannot open shared region %s: %s", path, strerror(errno));
    return VGPU_REGION_IO_ERROR;
  }
  (void)fchmod(fd, 0666); /* every user of the container shares it */
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  while (fcntl(fd, F_SETLKW, &fl) != 0) {
    if (errno != EINTR) {
      snprintf(err, errlen, "cannot lock shared region %s: %s", path, strerror(errno));
      close(fd);
      return VGPU_REGION_IO_ERROR;
    }
  }
  vgpu_region_status st = VGPU_REGION_OK;
  struct stat sb;
  const size_t want = sizeof(vgpu_region);
  bool fresh = false;
  if (fstat(fd, &sb) != 0) {
    snprintf(err, errlen, "cannot stat shared region %s: %s", path, strerror(errno));
    st = VGPU_REGION_IO_ERROR;
    goto out;
  }
  if (sb.st_size == 0) {
    if (ftruncate(fd, (off_t)want) != 0) {
      snprintf(err, errlen, "cannot size shared region %s to %zu bytes: %s", path, want, strerror(errno));
      st = VGPU_REGION_IO_ERROR;
      goto out;
    }
    fresh = true;
  } else {
    struct {
      uint64_t magic;
      uint32_t major, minor;
      uint64_t size;
    } hdr;
    memset(&hdr, 0, sizeof hdr);
    ssize_t n = pread(fd, &hdr, sizeof hdr, 0);
    if (n < (ssize_t)sizeof hdr) {
      snprintf(err, errlen,
               "shared region %s is truncated (%lld bytes, header needs %zu); refusing it (delete the file to reset)",
               path, (long long)sb.st_size, sizeof hdr);
      st = VGPU_REGION_TRUNCATED;
      goto out;
    }
    if (hdr.magic == 0 && hdr.major == 0 && hdr.size == 0 && (size_t)sb.st_size == want) {
      fresh = true; /* creator died before initialising */
    } else if (hdr.magic != VGPU_REGION_MAGIC) {
      snprintf(err, errlen, "shared region %s is not a libvgpu region (bad magic 0x%016llx); refusing it", path,
               (unsigned long long)hdr.magic);
      st = VGPU_REGION_BAD_MAGIC;
      goto out;
    } else if (hdr.major != VGPU_REGION_MAJOR || hdr.minor != VGPU_REGION_MINOR || hdr.size != want) {
      snprintf(err, errlen,
               "shared region %s has version %u.%u (layout %llu bytes) but this libvgpu uses %u.%u (%zu bytes); "
               "refusing it",
               path, hdr.major, hdr.minor, (unsigned long long)hdr.size, VGPU_REGION_MAJOR, VGPU_REGION_MINOR, want);
      st = VGPU_REGION_BAD_VERSION;
      goto out;
    } else if ((size_t)sb.st_size < want) {
      snprintf(err, errlen, "shared region %s is truncated (%lld of %zu bytes); refusing it", path,
               (long long)sb.st_size, want);
      st = VGPU_REGION_TRUNCATED;
      goto out;
    }
  }
  void *m = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) {
    snprintf(err, errlen, "cannot map shared region %s: %s", path, strerror(errno));
    st = VGPU_REGION_IO_ERROR;
    goto out;
  }
  h->r = m;
  if (fresh) init_region(h->r);
out:
  fl.l_type = F_UNLCK;
  (void)fcntl(fd, F_SETLK, &fl);
  if (st != VGPU_REGION_OK) {
    close(fd);
    return st;
  }
  h->fd = fd;
  return VGPU_REGION_OK;
}

int vgpu_region_open_private(vgpu_shm *h) {
  memset(h, 0, sizeof *h);
  h->fd = -1;
  h->slot = -1;
  void *m = mmap(NULL, sizeof(vgpu_region), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return -1;
  h->r = m;
  h->is_private = true;
  init_region(h->r);
  return 0;
}

void vgpu_region_close(vgpu_shm *h) {
  if (h->r != NULL) munmap(h->r, sizeof(vgpu_region));
  if (h->fd >= 0) close(h->fd);
  h->r = NULL;
  h->fd = -1;
  h->slot = -1;
}

static void recompute_totals_locked(vgpu_region *r) {
  for (int d = 0; d < VGPU_MAX_DEVICES; d++) r->total_used[d] = 0;
  uint32_t high = r->slot_high > VGPU_MAX_SLOTS ? VGPU_MAX_SLOTS : r->slot_high;
  for (uint32_t i = 0; i < high; i++) {
    if (r->slots[i].pid == 0) continue;
    for (int d = 0; d < VGPU_MAX_DEVICES; d++) r->total_used[d] = vgpu_sat_add(r->total_used[d], r->slots[i].used[d]);
  }
}

void vgpu_region_lock(vgpu_shm *h) {
  int rc = pthread_mutex_lock(&h->r->lock);
  if (rc == EOWNERDEAD) {
    /* the previous holder died inside the critical section: repair what it may have left half-done */
    pthread_mutex_consistent(&h->r->lock);
    if (h->r->slot_high > VGPU_MAX_SLOTS) h->r->slot_high = VGPU_MAX_SLOTS;
    vgpu_region_reclaim_dead_locked(h);
    recompute_totals_locked(h->r);
  }
}

void vgpu_region_unlock(vgpu_shm *h) { pthread_mutex_unlock(&h->r->lock); }

int vgpu_region_reclaim_dead_locked(vgpu_shm *h) {
  vgpu_region *r = h->r;
  int n = 0;
  uint32_t high = r->slot_high > VGPU_MAX_SLOTS ? VGPU_MAX_SLOTS : r->slot_high;
  for (uint32_t i = 0; i < high; i++) {
    vgpu_slot *s = &r->slots[i];
    if (s->pid == 0 || (int)i == h->slot) continue;
    if (vgpu_pid_alive(s->pid, s->start_time)) continue;
    for (int d = 0; d < VGPU_MAX_DEVICES; d++) r->total_used[d] = vgpu_sat_sub(r->total_used[d], s->used[d]);
    memset(s, 0, sizeof *s);
    n++;
  }
  while (r->slot_high > 0 && r->slots[r->slot_high - 1].pid == 0) r->slot_high--;
  return n;
}

int vgpu_region_register(vgpu_shm *h, pid_t pid, int32_t priority) {
  vgpu_region *r = h->r;
  uint64_t st = vgpu_pid_start_time(pid);
  vgpu_region_lock(h);
  h->slot = -1;
  vgpu_region_reclaim_dead_locked(h);
  int slot = -1;
  for (uint32_t i = 0; i < r->slot_high; i++) {
    if (r->slots[i].pid == pid) { /* stale slot of a previous process with our PID */
      for (int d = 0; d < VGPU_MAX_DEVICES; d++)
        r->total_used[d] = vgpu_sat_sub(r->total_used[d], r->slots[i].used[d]);
      slot = (int)i;
      break;
    }
  }
  if (slot < 0) {
    for (uint32_t i = 0; i < r->slot_high; i++) {
      if (r->slots[i].pid == 0) {
        slot = (int)i;
        break;
      }
    }
  }
  if (slot < 0 && r->slot_high < VGPU_MAX_SLOTS) slot = (int)r->slot_high++;
  if (slot >= 0) {
    memset(&r->slots[slot], 0, sizeof r->slots[slot]);
    r->slots[slot].priority = priority;
    r->slots[slot].start_time = st;
    __atomic_store_n(&r->slots[slot].pid, (int32_t)pid, __ATOMIC_RELEASE);
    h->slot = slot;
    h->pid = pid;
  }
  vgpu_region_unlock(h);
  return slot >= 0 ? 0 : -1;
}

void vgpu_region_unregister(vgpu_shm *h) {
  if (h->r == NULL || h->slot < 0) return;
  vgpu_region_lock(h);
  vgpu_slot *s = &h->r->slots[h->slot];
  if (s->pid == h->pid) {
    for (int d = 0; d < VGPU_MAX_DEVICES; d++) h->r->total_used[d] = vgpu_sat_sub(h->r->total_used[d], s->used[d]);
    memset(s, 0, sizeof *s);
  }
  while (h->r->slot_high > 0 && h->r->slots[h->r->slot_high - 1].pid == 0) h->r->slot_high--;
  vgpu_region_unlock(h);
  h->slot = -1;
}

void vgpu_region_apply_limits(vgpu_shm *h, const vgpu_config *cfg, vgpu_config *eff, vgpu_report_fn report,
                              void *report_ctx) {
  vgpu_region *r = h->r;
  *eff = *cfg;
  vgpu_region_lock(h);
  if (!r->limits_set) {
    if (cfg->any_mem_limit || cfg->any_sm_limit) {
      for (int d = 0; d < VGPU_MAX_DEVICES; d++) {
        r->mem_limit[d] = cfg->mem_limit[d];
        r->sm_limit[d] = cfg->sm_limit[d];
      }
      r->priority = cfg->priority;
      __atomic_store_n(&r->limits_set, 1u, __ATOMIC_RELEASE);
    }
    vgpu_region_unlock(h);
    return;
  }
  bool raised = false;
  for (int d = 0; d < VGPU_MAX_DEVICES; d++) {
    /* the region's limits apply to every process; its own configuration can only lower them for itself */
    uint64_t mem = vgpu_lower_limit(r->mem_limit[d], cfg->mem_limit[d]);
    uint32_t sm = r->sm_limit[d] < cfg->sm_limit[d] ? r->sm_limit[d] : cfg->sm_limit[d];
    if (sm == 0) sm = 100;
    if ((cfg->mem_limit[d] != 0 && mem < cfg->mem_limit[d]) || (cfg->sm_limit[d] < 100 && sm < cfg->sm_limit[d]))
      raised = true;
    eff->mem_limit[d] = mem;
    eff->sm_limit[d] = sm;
  }
  vgpu_region_unlock(h);
  vgpu_config_settle(eff);
  if (raised && report != NULL) {
    char msg[256];
    snprintf(msg, sizeof msg,
             "limits in the environment differ from those already written to the shared region; "
             "the region's limits apply (device 0: %llu bytes, %u%% SM)",
             (unsigned long long)eff->mem_limit[0], eff->sm_limit[0]);
    report(msg, report_ctx);
  }
}

int vgpu_region_try_charge(vgpu_shm *h, int dev, uint64_t size, uint64_t limit) {
  if (dev < 0 || dev >= VGPU_MAX_DEVICES || h->slot < 0) return limit == 0 ? 0 : -1;
  vgpu_region *r = h->r;
  vgpu_region_lock(h);
  bool ok = vgpu_fits(r->total_used[dev], size, limit);
  if (!ok && vgpu_region_reclaim_dead_locked(h) > 0) ok = vgpu_fits(r->total_used[dev], size, limit);
  if (ok) {
    r->slots[h->slot].used[dev] = vgpu_sat_add(r->slots[h->slot].used[dev], size);
    r->total_used[dev] = vgpu_sat_add(r->total_used[dev], size);
  }
  vgpu_region_unlock(h);
  return ok ? 0 : -1;
}

void vgpu_region_uncharge(vgpu_shm *h, int dev, uint64_t size) {
  if (dev < 0 || dev >= VGPU_MAX_DEVICES || h->slot < 0) return;
  vgpu_region *r = h->r;
  vgpu_region_lock(h);
  uint64_t mine = r->slots[h->slot].used[dev];
  uint64_t take = size < mine ? size : mine;
  r->slots[h->slot].used[dev] = mine - take;
  r->total_used[dev] = vgpu_sat_sub(r->total_used[dev], take);
  vgpu_region_unlock(h);
}

uint64_t vgpu_region_used(vgpu_shm *h, int dev) {
  if (dev < 0 || dev >= VGPU_MAX_DEVICES || h->r == NULL) return 0;
  return __atomic_load_n(&h->r->total_used[dev], __ATOMIC_ACQUIRE);
}

void vgpu_region_set_host_pid(vgpu_shm *h, int32_t host_pid) {
  if (h->r == NULL || h->slot < 0) return;
  vgpu_region_lock(h);
  if (h->r->slots[h->slot].pid == h->pid) __atomic_store_n(&h->r->slots[h->slot].host_pid, host_pid, __ATOMIC_RELEASE);
  vgpu_region_unlock(h);
}

int vgpu_region_host_pids(vgpu_shm *h, int32_t *out, int max) {
  if (h->r == NULL) return 0;
  int n = 0;
  vgpu_region_lock(h);
  uint32_t high = h->r->slot_high > VGPU_MAX_SLOTS ? VGPU_MAX_SLOTS : h->r->slot_high;
  for (uint32_t i = 0; i < high && n < max; i++) {
    const vgpu_slot *s = &h->r->slots[i];
    if ((int)i != h->slot && s->pid != 0 && s->host_pid != 0) out[n++] = s->host_pid;
  }
  vgpu_region_unlock(h);
  return n;
}

static bool has_pid(const uint32_t *list, int n, uint32_t pid) {
  for (int i = 0; i < n; i++)
    if (list[i] == pid) return true;
  return false;
}

int32_t vgpu_hostpid_pick(const uint32_t *before, int nbefore, const uint32_t *after, int nafter,
                          const int32_t *claimed, int nclaimed) {
  int32_t found = 0;
  for (int i = 0; i < nafter; i++) {
    uint32_t p = after[i];
    if (p == 0 || p > INT32_MAX || has_pid(before, nbefore, p) || has_pid((const uint32_t *)claimed, nclaimed, p))
      continue;
    if (found != 0 && found != (int32_t)p) return 0; /* two candidates: ambiguous, record nothing */
    found = (int32_t)p;
  }
  return found;
}
