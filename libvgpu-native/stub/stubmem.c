/* Device memory of a stub runtime (stubmem.h). */
#define _GNU_SOURCE
#include "stubmem.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAXDEV 16
#define MAXALLOC 65536

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long total_mem = 80ULL << 30;
static unsigned long long used[MAXDEV];
static unsigned long long next_ptr = 0x7f0000000000ULL;
static unsigned long long frees;
static struct {
  unsigned long long key;
  unsigned long long size;
  int dev;
  int kind;
} allocs[MAXALLOC];
static unsigned long long *shared_used; /* [0] current, [1] peak */

unsigned long long stubmem_parse_size(const char *s, unsigned long long dflt) {
  if (s == NULL || *s == '\0') return dflt;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  switch (*end) {
    case 'k': case 'K': v <<= 10; break;
    case 'm': case 'M': v <<= 20; break;
    case 'g': case 'G': v <<= 30; break;
    default: break;
  }
  return v;
}

void stubmem_setup(unsigned long long total, const char *shared) {
  total_mem = total;
  if (shared == NULL || *shared == '\0' || shared_used != NULL) return;
  int fd = open(shared, O_RDWR | O_CREAT, 0600);
  if (fd >= 0 && ftruncate(fd, 4096) == 0) {
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m != MAP_FAILED) shared_used = m;
  }
  if (fd >= 0) close(fd);
}

static void shared_add(int dev, long long delta) {
  if (shared_used == NULL || dev != 0) return;
  unsigned long long now = __atomic_add_fetch(&shared_used[0], (unsigned long long)delta, __ATOMIC_SEQ_CST);
  unsigned long long peak = __atomic_load_n(&shared_used[1], __ATOMIC_SEQ_CST);
  while (delta > 0 && now > peak &&
         !__atomic_compare_exchange_n(&shared_used[1], &peak, now, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
  }
}

unsigned long long stubmem_shared_peak(void) {
  return shared_used ? __atomic_load_n(&shared_used[1], __ATOMIC_SEQ_CST) : 0;
}

static unsigned long long next_address(unsigned long long size) { /* under mu */
  unsigned long long p = next_ptr;
  next_ptr += ((size + 0xfff) & ~0xfffULL) + 0x1000;
  return p;
}

unsigned long long stubmem_address(unsigned long long size) {
  pthread_mutex_lock(&mu);
  unsigned long long p = next_address(size);
  pthread_mutex_unlock(&mu);
  return p;
}

int stubmem_alloc(unsigned long long *out, unsigned long long size, int dev, int kind) {
  if (dev < 0 || dev >= MAXDEV || size == 0 || out == NULL) return STUBMEM_INVALID;
  pthread_mutex_lock(&mu);
  int slot = -1;
  for (int i = 0; i < MAXALLOC && slot < 0; i++)
    if (allocs[i].key == 0) slot = i;
  if (slot < 0 || used[dev] + size > total_mem || used[dev] + size < used[dev]) {
    pthread_mutex_unlock(&mu);
    return STUBMEM_OOM;
  }
  unsigned long long p = next_address(size);
  allocs[slot].key = p;
  allocs[slot].size = size;
  allocs[slot].dev = dev;
  allocs[slot].kind = kind;
  used[dev] += size;
  pthread_mutex_unlock(&mu);
  shared_add(dev, (long long)size);
  *out = p;
  return STUBMEM_OK;
}

int stubmem_free(unsigned long long key, int kind) {
  pthread_mutex_lock(&mu);
  for (int i = 0; i < MAXALLOC; i++) {
    if (allocs[i].key == key && allocs[i].kind == kind) {
      used[allocs[i].dev] -= allocs[i].size;
      allocs[i].key = 0;
      frees++;
      int d = allocs[i].dev;
      long long sz = (long long)allocs[i].size;
      pthread_mutex_unlock(&mu);
      shared_add(d, -sz);
      return STUBMEM_OK;
    }
  }
  pthread_mutex_unlock(&mu);
  return STUBMEM_INVALID;
}

void stubmem_adjust(int dev, long long delta) {
  if (dev < 0 || dev >= MAXDEV) return;
  pthread_mutex_lock(&mu);
  used[dev] += (unsigned long long)delta;
  pthread_mutex_unlock(&mu);
}

unsigned long long stubmem_total(void) { return total_mem; }
unsigned long long stubmem_used(int dev) { return dev >= 0 && dev < MAXDEV ? used[dev] : 0; }
unsigned long long stubmem_frees(void) { return frees; }
