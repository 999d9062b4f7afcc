/*
 * vgpu-region: prints a container's shared accounting region (read-only, never creates or repairs it).
 *   vgpu-region <file>
 * Output, one key=value record per line:
 *   region version=2.0 limits_set=1 priority=1 utilization_switch=1 block_launches=0 slots=2
 *   device index=0 limit_bytes=4294967296 used_bytes=1048576 sm_limit=30
 *   slot index=0 pid=123 host_pid=4567 alive=1 used_bytes_0=1048576   (host_pid 0: not discovered)
 * Exit 0, or 1 with "error <reason>" when the file is not a readable region of this version.
 *
 *   vgpu-region --layout
 * prints the region's binary layout, the one definition node readers (the Java monitor's RegionLayout) are checked
 * against: "<name> <offset> <size>" per field, from sizeof/offsetof of this header, so a layout change shows as a
 * diff of tests/golden/region-layout.txt (CTest region_layout_golden) and fails the Java side's golden test too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgpu/region.h"

#define FIELD(type, member) \
  printf("%s.%s %zu %zu\n", #type, #member, offsetof(type, member), sizeof(((type *)0)->member))

static int print_layout(void) {
  printf("# libvgpu shared region layout: <name> <offset> <size> (bytes, little-endian, LP64)\n");
  printf("version %u.%u\n", VGPU_REGION_MAJOR, VGPU_REGION_MINOR);
  printf("magic 0x%016llx\n", (unsigned long long)VGPU_REGION_MAGIC);
  printf("max_devices %d\n", VGPU_MAX_DEVICES);
  printf("max_slots %d\n", VGPU_MAX_SLOTS);
  printf("vgpu_region 0 %zu\n", sizeof(vgpu_region));
  FIELD(vgpu_region, magic);
  FIELD(vgpu_region, major);
  FIELD(vgpu_region, minor);
  FIELD(vgpu_region, size);
  FIELD(vgpu_region, max_devices);
  FIELD(vgpu_region, max_slots);
  FIELD(vgpu_region, limits_set);
  FIELD(vgpu_region, priority);
  FIELD(vgpu_region, mem_limit);
  FIELD(vgpu_region, sm_limit);
  FIELD(vgpu_region, utilization_switch);
  FIELD(vgpu_region, block_launches);
  FIELD(vgpu_region, last_kernel_time);
  FIELD(vgpu_region, total_used);
  FIELD(vgpu_region, slot_high);
  FIELD(vgpu_region, lock_bytes);
  FIELD(vgpu_region, slots);
  printf("vgpu_slot 0 %zu\n", sizeof(vgpu_slot));
  FIELD(vgpu_slot, pid);
  FIELD(vgpu_slot, priority);
  FIELD(vgpu_slot, start_time);
  FIELD(vgpu_slot, used);
  FIELD(vgpu_slot, host_pid);
  return 0;
}

static int write_sample(const char *path) {
  unlink(path);
  vgpu_shm h;
  char err[512];
  if (vgpu_region_open(&h, path, err, sizeof err) != VGPU_REGION_OK) {
    printf("error %s\n", err);
    return 1;
  }
  vgpu_region *r = h.r;
  vgpu_region_lock(&h);
  r->limits_set = 1;
  r->priority = 1;
  r->mem_limit[0] = 1ULL << 30;
  r->mem_limit[1] = 512ULL << 20;
  r->sm_limit[0] = 30;
  r->sm_limit[1] = 30;
  r->last_kernel_time = 1760000000ULL;
  vgpu_region_unlock(&h);
  if (vgpu_region_register(&h, getpid(), 1) != 0 || vgpu_region_try_charge(&h, 0, 300ULL << 20, r->mem_limit[0]) != 0 ||
      vgpu_region_try_charge(&h, 1, 64ULL << 20, r->mem_limit[1]) != 0) {
    printf("error cannot register and charge in %s\n", path);
    return 1;
  }
  vgpu_region_set_host_pid(&h, 4001);
  vgpu_region_lock(&h);
  r->slots[h.slot].pid = 4242; /* fixed: the golden must not depend on the writer's PID */
  r->slots[h.slot].start_time = 123456;
  vgpu_region_unlock(&h);
  const uint64_t *w = (const uint64_t *)(const void *)r;
  size_t lock_from = offsetof(vgpu_region, lock_bytes), lock_to = lock_from + sizeof r->lock_bytes;
  for (size_t off = 0; off < sizeof(vgpu_region); off += 8) {
    if (off >= lock_from && off < lock_to) continue;
    if (w[off / 8] != 0) printf("%zu %016llx\n", off, (unsigned long long)w[off / 8]);
  }
  vgpu_region_close(&h);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--layout") == 0) return print_layout();
  if (argc == 3 && strcmp(argv[1], "--write-sample") == 0) return write_sample(argv[2]);
  if (argc != 2) {
    fprintf(stderr, "usage: vgpu-region <file> | vgpu-region --layout | vgpu-region --write-sample <file>\n");
    return 64;
  }
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0) {
    printf("error cannot open %s\n", argv[1]);
    return 1;
  }
  if ((size_t)sb.st_size < sizeof(vgpu_region)) {
    printf("error %s is %lld bytes, a version %u.%u region is %zu\n", argv[1], (long long)sb.st_size,
           VGPU_REGION_MAJOR, VGPU_REGION_MINOR, sizeof(vgpu_region));
    return 1;
  }
  const vgpu_region *r = mmap(NULL, sizeof(vgpu_region), PROT_READ, MAP_SHARED, fd, 0);
  if (r == MAP_FAILED) {
    printf("error cannot map %s\n", argv[1]);
    return 1;
  }
  if (r->magic != VGPU_REGION_MAGIC || r->major != VGPU_REGION_MAJOR || r->minor != VGPU_REGION_MINOR ||
      r->size != sizeof(vgpu_region)) {
    printf("error %s is not a version %u.%u libvgpu region\n", argv[1], VGPU_REGION_MAJOR, VGPU_REGION_MINOR);
    return 1;
  }
  uint32_t high = r->slot_high > VGPU_MAX_SLOTS ? VGPU_MAX_SLOTS : r->slot_high;
  printf("region version=%u.%u limits_set=%u priority=%d utilization_switch=%d block_launches=%d slots=%u\n",
         r->major, r->minor, r->limits_set, r->priority, r->utilization_switch, r->block_launches, high);
  for (int d = 0; d < VGPU_MAX_DEVICES; d++) {
    if (r->mem_limit[d] == 0 && r->total_used[d] == 0 && r->sm_limit[d] >= 100) continue;
    printf("device index=%d limit_bytes=%llu used_bytes=%llu sm_limit=%u\n", d, (unsigned long long)r->mem_limit[d],
           (unsigned long long)r->total_used[d], r->sm_limit[d]);
  }
  for (uint32_t i = 0; i < high; i++) {
    const vgpu_slot *s = &r->slots[i];
    if (s->pid == 0) continue;
    printf("slot index=%u pid=%d host_pid=%d alive=%d", i, s->pid, s->host_pid,
           vgpu_pid_alive(s->pid, s->start_time) ? 1 : 0);
    for (int d = 0; d < VGPU_MAX_DEVICES; d++)
      if (s->used[d] != 0) printf(" used_bytes_%d=%llu", d, (unsigned long long)s->used[d]);
    printf("\n");
  }
  return 0;
}
