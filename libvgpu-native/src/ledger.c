/*
 * The accounting steps every allocation hook of every front end takes: reserve on the container's region before
 * the runtime allocates (so concurrent processes can never overshoot together), remember the allocation, and
 * settle a free once the runtime answered.
 */
#include "internal.h"

bool vgpu_reserve(vgpu_front *fe, int dev, uint64_t size) {
  if (dev < 0 || dev >= VGPU_MAX_DEVICES) return true;
  if (fe->cfg.refuse_all) {
    VGPU_WARN("%s device %d: allocation of %llu bytes refused: the limits file is invalid", fe->name, dev,
              (unsigned long long)size);
    return false;
  }
  uint64_t limit = vgpu_mem_limit(fe, dev);
  if (vgpu_region_try_charge(&fe->shm, dev, size, limit) == 0) return true;
  VGPU_WARN("%s device %d: allocation of %llu bytes refused, %llu of %llu bytes in use by the container", fe->name,
            dev, (unsigned long long)size, (unsigned long long)vgpu_region_used(&fe->shm, dev),
            (unsigned long long)limit);
  return false;
}

void vgpu_unreserve(vgpu_front *fe, int dev, uint64_t size) {
  if (dev >= 0 && dev < VGPU_MAX_DEVICES) vgpu_region_uncharge(&fe->shm, dev, size);
}

void vgpu_remember(vgpu_front *fe, vgpu_kind kind, uint64_t key, int dev, uint64_t size) {
  if (dev < 0 || dev >= VGPU_MAX_DEVICES) return;
  vgpu_track_lock();
  bool ok = vgpu_track_put(&vgpu_allocs, kind, key, dev, size);
  vgpu_track_unlock();
  if (!ok) {
    vgpu_unreserve(fe, dev, size); /* cannot remember it: do not leak the charge */
    VGPU_ERROR("out of host memory while tracking an allocation; it is not accounted");
  }
}

bool vgpu_forget(vgpu_kind kind, uint64_t key, int *dev, uint64_t *size) {
  vgpu_track_lock();
  bool found = vgpu_track_take(&vgpu_allocs, kind, key, dev, size);
  vgpu_track_unlock();
  return found;
}

void vgpu_settle_free(vgpu_front *fe, bool tracked, bool ok, vgpu_kind kind, uint64_t key, int dev, uint64_t size) {
  if (!tracked) return;
  if (ok) vgpu_unreserve(fe, dev, size);
  else vgpu_remember(fe, kind, key, dev, size);
}
