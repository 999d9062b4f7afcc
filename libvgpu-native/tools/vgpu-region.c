/*
 * vgpu-region: prints a container's shared accounting region (read-only, never creates or repairs it).
 *   vgpu-region <file>
 * Output, one key=value record per line:
 *   region version=2.0 limits_set=1 priority=1 utilization_switch=1 block_launches=0 slots=2
 *   device index=0 limit_bytes=4294967296 used_bytes=1048576 sm_limit=30
 *   slot index=0 pid=123 host_pid=4567 alive=1 used_bytes_0=1048576   (host_pid 0: not discovered)
 * Exit 0, or 1 with "error <reason>" when the file is not a readable region of this version.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgpu/region.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: vgpu-region <file>\n");
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
