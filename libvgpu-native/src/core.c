#include "vgpu/core.h"

#include <stdio.h>
#include <string.h>

static const char *skip_blanks(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  return s;
}

/* Leading blanks already skipped: one or more decimal digits into *v (no overflow), *s moved past them. */
static int parse_digits(const char **s, uint64_t *v) {
  const char *p = *s;
  if (*p < '0' || *p > '9') return -1;
  uint64_t acc = 0;
  while (*p >= '0' && *p <= '9') {
    uint64_t d = (uint64_t)(*p - '0');
    if (acc > (UINT64_MAX - d) / 10) return -1;
    acc = acc * 10 + d;
    p++;
  }
  *s = p;
  *v = acc;
  return 0;
}

int vgpu_parse_uint(const char *s, uint64_t max, uint64_t *out) {
  if (s == NULL) return -1;
  s = skip_blanks(s);
  uint64_t v = 0;
  if (parse_digits(&s, &v) != 0) return -1;
  s = skip_blanks(s);
  if (*s != '\0' || v > max) return -1;
  *out = v;
  return 0;
}

int vgpu_parse_size(const char *s, uint64_t *out) {
  if (s == NULL) return -1;
  s = skip_blanks(s);
  uint64_t v = 0;
  if (parse_digits(&s, &v) != 0) return -1;
  unsigned shift = 0;
  switch (*s) {
    case 'k': case 'K': shift = 10; s++; break;
    case 'm': case 'M': shift = 20; s++; break;
    case 'g': case 'G': shift = 30; s++; break;
    case 't': case 'T': shift = 40; s++; break;
    default: break;
  }
  s = skip_blanks(s);
  if (*s != '\0') return -1;
  if (shift != 0 && v > (UINT64_MAX >> shift)) return -1;
  *out = v << shift;
  return 0;
}

static void reportf(vgpu_report_fn report, void *ctx, const char *name, const char *value, const char *expected) {
  if (report == NULL) return;
  char msg[512];
  snprintf(msg, sizeof msg, "%s='%.200s' is not %s; ignoring it", name, value, expected);
  report(msg, ctx);
}

static bool ieq(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char x = *a, y = *b;
    if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
    if (x != y) return false;
  }
  return *a == *b;
}

const vgpu_env_names vgpu_env_cuda = {
    .mem_limit = VGPU_ENV_MEMORY_LIMIT,
    .core_limit = VGPU_ENV_SM_LIMIT,
    .policy = VGPU_ENV_CORE_POLICY,
    .priority = VGPU_ENV_PRIORITY,
    .log_level = VGPU_ENV_LOG_LEVEL,
    .oversubscribe = VGPU_ENV_OVERSUBSCRIBE,
    .region = VGPU_ENV_SHARED_CACHE,
    .region_default = VGPU_DEFAULT_SHARED_CACHE,
};

const vgpu_env_names vgpu_env_npu = {
    .mem_limit = VGPU_ENV_NPU_MEM_QUOTA,
    .mem_bare_mib = true,
    .core_limit = VGPU_ENV_NPU_CORE_PERCENT,
    .core_limit_alt = VGPU_ENV_NPU_PRIORITY,
    .log_level = VGPU_ENV_NPU_LOG_LEVEL,
    .region = VGPU_ENV_NPU_LOCAL_SHM,
    .region_default = VGPU_DEFAULT_NPU_LOCAL_SHM,
    .scheduler = VGPU_ENV_NPU_GLOBAL_SHM,
};

typedef struct {
  vgpu_getenv_fn get;
  void *ctx;
  vgpu_report_fn report;
  void *report_ctx;
  int *errors;
} env_reader;

/* The value of name (or name_<index> when index >= 0), NULL when unset or empty. */
static const char *env_value(const env_reader *r, const char *name, int index, char *full, size_t cap) {
  if (name == NULL) return NULL;
  if (index >= 0) snprintf(full, cap, "%s_%d", name, index);
  else snprintf(full, cap, "%s", name);
  const char *v = r->get(full, r->ctx);
  return v != NULL && *v ? v : NULL;
}

static void env_bad(const env_reader *r, const char *name, const char *value, const char *expected) {
  (*r->errors)++;
  reportf(r->report, r->report_ctx, name, value, expected);
}

/* A size; with bare_mib a number without suffix counts MiB. Returns 1 when set, 0 unset or malformed. */
static int env_size(const env_reader *r, const char *name, int index, bool bare_mib, uint64_t *out) {
  char full[96];
  const char *v = env_value(r, name, index, full, sizeof full);
  if (v == NULL) return 0;
  uint64_t n;
  if (vgpu_parse_size(v, &n) != 0) {
    env_bad(r, full, v, "a size (digits with an optional k/m/g/t suffix)");
    return 0;
  }
  size_t len = strlen(v);
  while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t')) len--;
  if (bare_mib && len > 0 && v[len - 1] >= '0' && v[len - 1] <= '9') {
    if (n > (UINT64_MAX >> 20)) {
      env_bad(r, full, v, "a size in MiB below 2^44");
      return 0;
    }
    n <<= 20;
  }
  *out = n;
  return 1;
}

/* An integer 0..max. Returns 1 when set, 0 unset or malformed. */
static int env_uint_ex(const env_reader *r, const char *name, int index, uint64_t max, const char *expected,
                       bool percent_decimal, uint64_t *out) {
  char full[96];
  const char *v = env_value(r, name, index, full, sizeof full);
  if (v == NULL) return 0;
  if (vgpu_parse_uint(v, max, out) == 0) return 1;
  /* a percentage written as a decimal ("30.0", hami-vnpu-core's float priority): its whole part */
  const char *dot = strchr(v, '.');
  char whole[32];
  if (percent_decimal && dot != NULL && (size_t)(dot - v) < sizeof whole && dot[1] != '\0' &&
      strspn(dot + 1, "0123456789") == strlen(dot + 1)) {
    memcpy(whole, v, (size_t)(dot - v));
    whole[dot - v] = '\0';
    if (vgpu_parse_uint(whole, max, out) == 0) return 1;
  }
  env_bad(r, full, v, expected);
  return 0;
}

static int env_uint(const env_reader *r, const char *name, int index, uint64_t max, const char *expected,
                    uint64_t *out) {
  return env_uint_ex(r, name, index, max, expected, false, out);
}

/* A path into dst (cap bytes). Returns 1 when set, 0 unset or too long. */
static int env_path(const env_reader *r, const char *name, int index, char *dst, size_t cap) {
  char full[96];
  const char *v = env_value(r, name, index, full, sizeof full);
  if (v == NULL) return 0;
  if (strlen(v) >= cap) {
    env_bad(r, full, v, "a path shorter than 1024 bytes");
    return 0;
  }
  snprintf(dst, cap, "%s", v);
  return 1;
}

void vgpu_config_settle(vgpu_config *cfg) {
  cfg->any_mem_limit = false;
  cfg->any_sm_limit = false;
  for (int i = 0; i < VGPU_MAX_DEVICES; i++) {
    if (cfg->mem_limit[i] != 0) cfg->any_mem_limit = true;
    if (cfg->sm_limit[i] < 100) cfg->any_sm_limit = true;
  }
}

void vgpu_config_load_env(vgpu_config *cfg, const vgpu_env_names *names, vgpu_getenv_fn getenv_fn, void *env_ctx,
                          vgpu_report_fn report, void *report_ctx) {
  memset(cfg, 0, sizeof *cfg);
  cfg->priority = 1;
  cfg->log_level = 2;
  env_reader r = {getenv_fn, env_ctx, report, report_ctx, &cfg->errors};
  char full[96];
  const char *v;
  uint64_t n;

  if (env_uint(&r, names->log_level, -1, 4, "a log level 0..4", &n)) cfg->log_level = (int)n;
  uint64_t global_mem = 0, global_sm = 100;
  (void)env_size(&r, names->mem_limit, -1, names->mem_bare_mib, &global_mem);
  const char *core = names->core_limit;
  if (env_value(&r, core, -1, full, sizeof full) == NULL && env_value(&r, names->core_limit_alt, -1, full, sizeof full))
    core = names->core_limit_alt;
  if (env_uint_ex(&r, core, -1, 100, "a percentage 0..100", names->mem_bare_mib, &n)) global_sm = n == 0 ? 100 : n;
  for (int i = 0; i < VGPU_MAX_DEVICES; i++) {
    cfg->mem_limit[i] = global_mem;
    (void)env_size(&r, names->mem_limit, i, names->mem_bare_mib, &cfg->mem_limit[i]);
    cfg->sm_limit[i] = (uint32_t)global_sm;
    if (env_uint_ex(&r, names->core_limit, i, 100, "a percentage 0..100", names->mem_bare_mib, &n))
      cfg->sm_limit[i] = n == 0 ? 100 : (uint32_t)n;
    if (names->scheduler != NULL && !env_path(&r, names->scheduler, i, cfg->scheduler[i], sizeof cfg->scheduler[i]) &&
        i == 0)
      (void)env_path(&r, names->scheduler, -1, cfg->scheduler[0], sizeof cfg->scheduler[0]);
  }
  vgpu_config_settle(cfg);

  if ((v = env_value(&r, names->policy, -1, full, sizeof full)) != NULL) {
    if (ieq(v, "force")) cfg->policy = VGPU_POLICY_FORCE;
    else if (ieq(v, "disable")) cfg->policy = VGPU_POLICY_DISABLE;
    else if (ieq(v, "default")) cfg->policy = VGPU_POLICY_DEFAULT;
    else env_bad(&r, full, v, "one of default/force/disable");
  }
  if (env_uint(&r, names->priority, -1, 1000, "a priority 0..1000", &n)) cfg->priority = (int32_t)n;
  if ((v = env_value(&r, names->oversubscribe, -1, full, sizeof full)) != NULL) {
    if (ieq(v, "true") || ieq(v, "1")) cfg->oversubscribe = true;
    else if (!ieq(v, "false") && !ieq(v, "0")) env_bad(&r, full, v, "true or false");
  }
  cfg->region_from_env = env_path(&r, names->region, -1, cfg->shared_cache, sizeof cfg->shared_cache);
  if (!cfg->region_from_env)
    snprintf(cfg->shared_cache, sizeof cfg->shared_cache, "%s", names->region_default);
}

void vgpu_config_load(vgpu_config *cfg, vgpu_getenv_fn getenv_fn, void *env_ctx, vgpu_report_fn report,
                      void *report_ctx) {
  vgpu_config_load_env(cfg, &vgpu_env_cuda, getenv_fn, env_ctx, report, report_ctx);
}

vgpu_meminfo vgpu_virtual_meminfo(uint64_t limit, uint64_t used, uint64_t phys_total, uint64_t phys_free) {
  vgpu_meminfo m;
  if (limit == 0) {
    m.total = phys_total;
    m.free = phys_free;
    return m;
  }
  m.total = phys_total == 0 ? limit : vgpu_min_u64(limit, phys_total);
  m.free = vgpu_sat_sub(m.total, used);
  if (phys_total != 0) m.free = vgpu_min_u64(m.free, phys_free);
  return m;
}

static unsigned format_bytes(unsigned format) {
  switch (format) {
    case 0x01: case 0x08: return 1;            /* UNSIGNED_INT8, SIGNED_INT8 */
    case 0x02: case 0x09: case 0x10: return 2; /* INT16, HALF */
    case 0x03: case 0x0a: case 0x20: return 4; /* INT32, FLOAT */
    default: return 4;                         /* other / block-compressed: conservative */
  }
}

uint64_t vgpu_array_bytes(uint64_t width, uint64_t height, uint64_t depth, unsigned format, unsigned channels) {
  uint64_t b = vgpu_sat_mul(width, height ? height : 1);
  b = vgpu_sat_mul(b, depth ? depth : 1);
  b = vgpu_sat_mul(b, format_bytes(format));
  return vgpu_sat_mul(b, channels ? channels : 1);
}

uint64_t vgpu_pitch_bytes(uint64_t width, uint64_t height, unsigned element_size) {
  (void)element_size;
  uint64_t pitch = vgpu_sat_add(width, 511) / 512 * 512;
  if (pitch < width) pitch = UINT64_MAX;
  return vgpu_sat_mul(pitch, height);
}

#define VGPU_BLOCKS_PER_SM 64

void vgpu_bucket_init(vgpu_bucket *b, uint32_t sm_count, uint32_t limit_pct) {
  if (sm_count == 0) sm_count = 1;
  if (limit_pct > 100) limit_pct = 100;
  b->capacity = (int64_t)sm_count * VGPU_BLOCKS_PER_SM;
  b->nominal = b->capacity;
  b->share = b->capacity * limit_pct / 100;
  if (b->share < 1) b->share = 1;
}

int64_t vgpu_bucket_step(const vgpu_bucket *b, uint32_t limit_pct, uint32_t diff_pct) {
  if (diff_pct < 5) diff_pct = 5;
  /* proportional to the pool: a full-scale error moves the share by half the pool */
  int64_t step = b->capacity * (int64_t)diff_pct / 200;
  if (diff_pct > limit_pct / 2) step = step * 3 / 2; /* far from target: converge faster */
  return step < 1 ? 1 : step;
}

void vgpu_bucket_adjust(vgpu_bucket *b, uint32_t limit_pct, uint32_t util_pct, bool starved) {
  if (util_pct > 100) util_pct = 100;
  uint32_t diff = util_pct > limit_pct ? util_pct - limit_pct : limit_pct - util_pct;
  if (util_pct + 2 < limit_pct && starved && b->share >= b->capacity && b->capacity < b->nominal * VGPU_BUCKET_MAX_GROWTH)
    b->capacity *= 2; /* even a full pool per tick is too few blocks for this workload */
  else if (util_pct > limit_pct + 2 && b->capacity > b->nominal && b->share < b->capacity / 4)
    b->capacity /= 2; /* the pool is far larger than this workload needs */
  int64_t step = vgpu_bucket_step(b, limit_pct, diff);
  if (util_pct <= limit_pct) {
    b->share = b->share + step > b->capacity ? b->capacity : b->share + step;
  } else {
    /* floor: a tenth of the nominal share, so debt from one big launch is repaid in bounded time */
    int64_t floor = b->nominal * (int64_t)limit_pct / 1000;
    if (floor < 1) floor = 1;
    b->share = b->share - step < floor ? floor : b->share - step;
  }
  if (b->share > b->capacity) b->share = b->capacity;
}

int64_t vgpu_bucket_refill(const vgpu_bucket *b, int64_t tokens) {
  int64_t t = tokens + b->share;
  return t > b->capacity ? b->capacity : t;
}

int64_t vgpu_launch_cost(uint32_t gx, uint32_t gy, uint32_t gz) {
  uint64_t c = vgpu_sat_mul(vgpu_sat_mul(gx ? gx : 1, gy ? gy : 1), gz ? gz : 1);
  return c > INT32_MAX ? INT32_MAX : (int64_t)c;
}

bool vgpu_should_throttle(uint32_t sm_limit, vgpu_core_policy policy, int utilization_switch) {
  if (sm_limit == 0 || sm_limit >= 100) return false;
  switch (policy) {
    case VGPU_POLICY_DISABLE: return false;
    case VGPU_POLICY_FORCE: return true;
    default: return utilization_switch != 0;
  }
}
