/* Bounded random fuzzing of the size and env parsers (deterministic seed; runs in CTest under ASan/UBSan). */
#include <inttypes.h>
#include <string.h>

#include "check.h"
#include "vgpu/core.h"

static uint64_t rng = 0x243f6a8885a308d3ULL;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

typedef struct {
  const char *names[8];
  char values[8][64];
  int n;
} env_t;
static const char *env_get(const char *name, void *ctx) {
  env_t *e = ctx;
  for (int i = 0; i < e->n; i++)
    if (strcmp(e->names[i], name) == 0) return e->values[i];
  return NULL;
}
static int reports;
static void report(const char *m, void *ctx) {
  (void)ctx;
  if (strlen(m) > 0) reports++;
}

static void random_string(char *buf, size_t cap) {
  static const char alphabet[] = "0123456789kKmMgGtTbx +-.\t\xff";
  size_t len = next() % (cap - 1);
  for (size_t i = 0; i < len; i++) buf[i] = alphabet[next() % (sizeof alphabet - 1)];
  buf[len] = '\0';
}

int main(void) {
  char buf[64];
  uint64_t v;
  /* 1: arbitrary strings never crash, and an accepted value is canonical (digits [+ suffix]) */
  for (int i = 0; i < 300000; i++) {
    random_string(buf, 24);
    if (vgpu_parse_size(buf, &v) == 0) {
      const char *p = buf;
      while (*p == ' ' || *p == '\t') p++;
      CHECK(*p >= '0' && *p <= '9');
    }
    uint64_t u;
    (void)vgpu_parse_uint(buf, 100, &u);
  }
  /* 2: round trip of formatted values, overflow detected exactly */
  static const struct {
    char c;
    unsigned shift;
  } sfx[] = {{0, 0}, {'k', 10}, {'M', 20}, {'g', 30}, {'T', 40}};
  for (int i = 0; i < 200000; i++) {
    uint64_t n = next() >> (next() % 64);
    int s = (int)(next() % 5);
    if (sfx[s].c) snprintf(buf, sizeof buf, "%" PRIu64 "%c", n, sfx[s].c);
    else snprintf(buf, sizeof buf, "%" PRIu64, n);
    int rc = vgpu_parse_size(buf, &v);
    bool overflow = sfx[s].shift && n > (UINT64_MAX >> sfx[s].shift);
    CHECK(rc == (overflow ? -1 : 0));
    if (rc == 0) CHECK(v == n << sfx[s].shift);
  }
  /* 3: random environments: config always sane (limits parsed or zero, SM in 1..100, errors == reports) */
  static const char *names[] = {"CUDA_DEVICE_MEMORY_LIMIT", "CUDA_DEVICE_MEMORY_LIMIT_0", "CUDA_DEVICE_MEMORY_LIMIT_15",
                                "CUDA_DEVICE_SM_LIMIT",     "GPU_CORE_UTILIZATION_POLICY", "CUDA_TASK_PRIORITY",
                                "LIBCUDA_LOG_LEVEL",        "CUDA_OVERSUBSCRIBE"};
  for (int i = 0; i < 20000; i++) {
    env_t e = {.n = 0};
    for (int k = 0; k < 8; k++) {
      if (next() % 2) continue;
      e.names[e.n] = names[k];
      random_string(e.values[e.n], 20);
      e.n++;
    }
    vgpu_config c;
    reports = 0;
    vgpu_config_load(&c, env_get, &e, report, NULL);
    CHECK(c.errors == reports);
    for (int d = 0; d < VGPU_MAX_DEVICES; d++) CHECK(c.sm_limit[d] >= 1 && c.sm_limit[d] <= 100);
    CHECK(c.log_level >= 0 && c.log_level <= 4);
    CHECK(c.policy <= VGPU_POLICY_DISABLE);
  }
  CHECK_DONE();
}
