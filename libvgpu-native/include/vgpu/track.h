/* Process-local table of live allocations (pointer or handle -> device, bytes). No CUDA types. */
#ifndef VGPU_TRACK_H
#define VGPU_TRACK_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
  VGPU_KIND_DEVPTR = 1, /* cuMemAlloc/pitch/managed/async/pool pointers */
  VGPU_KIND_VMM = 2,    /* cuMemCreate handles */
  VGPU_KIND_ARRAY = 3,  /* CUarray handles */
  VGPU_KIND_CONTEXT = 4, /* cuCtxCreate contexts (measured overhead) */
  VGPU_KIND_GRAPH_EXEC = 5, /* an instantiated graph's memory nodes, one entry per device */
  VGPU_KIND_NPU_PTR = 6,    /* aclrtMalloc* / rtMalloc* pointers */
  VGPU_KIND_NPU_PHYS = 7,   /* aclrtMallocPhysical / rtMallocPhysical handles */
} vgpu_kind;

typedef struct {
  uint64_t key;
  uint64_t size;
  uint8_t kind; /* 0 = empty, 0xff = tombstone */
  uint8_t dev;
} vgpu_track_entry;

typedef struct {
  vgpu_track_entry *e;
  uint64_t cap; /* power of two */
  uint64_t live;
  uint64_t used; /* live + tombstones */
} vgpu_track;

/* All functions are not thread-safe; the caller serialises. Returns false when out of memory. */
bool vgpu_track_put(vgpu_track *t, vgpu_kind kind, uint64_t key, int dev, uint64_t size);
/* Removes and returns the entry; false when the key is not tracked. */
bool vgpu_track_take(vgpu_track *t, vgpu_kind kind, uint64_t key, int *dev, uint64_t *size);
void vgpu_track_clear(vgpu_track *t);

#endif
