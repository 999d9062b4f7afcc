#include "vgpu/track.h"

#include <stdlib.h>
#include <string.h>

#define TOMB 0xff

static uint64_t hash(uint64_t k, uint8_t kind) {
  k ^= (uint64_t)kind * 0x9e3779b97f4a7c15ULL;
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return k;
}

static bool grow(vgpu_track *t) {
  uint64_t ncap = t->cap ? t->cap * 2 : 1024;
  if (t->live * 4 < t->cap) ncap = t->cap; /* mostly tombstones: rehash in place size */
  vgpu_track_entry *ne = calloc(ncap, sizeof *ne);
  if (ne == NULL) return false;
  for (uint64_t i = 0; i < t->cap; i++) {
    vgpu_track_entry *o = &t->e[i];
    if (o->kind == 0 || o->kind == TOMB) continue;
    uint64_t j = hash(o->key, o->kind) & (ncap - 1);
    while (ne[j].kind != 0) j = (j + 1) & (ncap - 1);
    ne[j] = *o;
  }
  free(t->e);
  t->e = ne;
  t->cap = ncap;
  t->used = t->live;
  return true;
}

bool vgpu_track_put(vgpu_track *t, vgpu_kind kind, uint64_t key, int dev, uint64_t size) {
  if ((t->used + 1) * 2 > t->cap && !grow(t)) return false;
  uint64_t m = t->cap - 1, j = hash(key, (uint8_t)kind) & m;
  int64_t tomb = -1;
  while (t->e[j].kind != 0) {
    if (t->e[j].kind == (uint8_t)kind && t->e[j].key == key) { /* replaced (driver reused a key we missed) */
      t->e[j].size = size;
      t->e[j].dev = (uint8_t)dev;
      return true;
    }
    if (t->e[j].kind == TOMB && tomb < 0) tomb = (int64_t)j;
    j = (j + 1) & m;
  }
  if (tomb >= 0) j = (uint64_t)tomb;
  else t->used++;
  t->e[j].kind = (uint8_t)kind;
  t->e[j].key = key;
  t->e[j].size = size;
  t->e[j].dev = (uint8_t)dev;
  t->live++;
  return true;
}

bool vgpu_track_take(vgpu_track *t, vgpu_kind kind, uint64_t key, int *dev, uint64_t *size) {
  if (t->cap == 0) return false;
  uint64_t m = t->cap - 1, j = hash(key, (uint8_t)kind) & m;
  while (t->e[j].kind != 0) {
    if (t->e[j].kind == (uint8_t)kind && t->e[j].key == key) {
      *dev = t->e[j].dev;
      *size = t->e[j].size;
      t->e[j].kind = TOMB;
      t->live--;
      return true;
    }
    j = (j + 1) & m;
  }
  return false;
}

void vgpu_track_clear(vgpu_track *t) {
  free(t->e);
  memset(t, 0, sizeof *t);
}
