/*
 * Policy core of libvgpu: limit/env parsing, saturating arithmetic, the OOM
 * decision and the SM token bucket. No CUDA or NVML types here, so all of it
 * is unit-tested directly (tests/test_core.c, tests/test_fuzz.c).
 */
#ifndef VGPU_CORE_H
#define VGPU_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGPU_MAX_DEVICES 16

#define VGPU_PATH_MAX 1024

/* Environment variable names, exactly as the device plugin writes them (README: Configuration). */
#define VGPU_ENV_MEMORY_LIMIT "CUDA_DEVICE_MEMORY_LIMIT"     /* also _<i> */
#define VGPU_ENV_SM_LIMIT "CUDA_DEVICE_SM_LIMIT"             /* also _<i> */
#define VGPU_ENV_SHARED_CACHE "CUDA_DEVICE_MEMORY_SHARED_CACHE"
#define VGPU_ENV_CORE_POLICY "GPU_CORE_UTILIZATION_POLICY"
#define VGPU_ENV_PRIORITY "CUDA_TASK_PRIORITY"
#define VGPU_ENV_LOG_LEVEL "LIBCUDA_LOG_LEVEL"
#define VGPU_ENV_OVERSUBSCRIBE "CUDA_OVERSUBSCRIBE"
#define VGPU_DEFAULT_SHARED_CACHE "/tmp/cudevshr.cache"
/* Ascend (HAMi's names where they exist: NPU_MEM_QUOTA, NPU_PRIORITY, NPU_*_SHM_PATH, ASCEND_VISIBLE_DEVICES). */
#define VGPU_ENV_NPU_MEM_QUOTA "NPU_MEM_QUOTA"       /* MiB (a k/m/g/t suffix also accepted); also _<i> (ours) */
#define VGPU_ENV_NPU_CORE_PERCENT "NPU_CORE_PERCENT" /* ours: share of device time, percent; also _<i> */
#define VGPU_ENV_NPU_PRIORITY "NPU_PRIORITY"         /* HAMi: the -core value; read as the percentage if ours is unset */
#define VGPU_ENV_NPU_LOCAL_SHM "NPU_LOCAL_SHM_PATH"  /* the container's accounting region */
#define VGPU_ENV_NPU_GLOBAL_SHM "NPU_GLOBAL_SHM_PATH" /* the card's time-slice registry (device 0); also _<i> (ours) */
#define VGPU_ENV_NPU_LOG_LEVEL "VGPU_LOG_LEVEL"      /* ours */
#define VGPU_ENV_ASCEND_VISIBLE "ASCEND_VISIBLE_DEVICES"
#define VGPU_DEFAULT_NPU_LOCAL_SHM "/tmp/vnpu.cache"

static inline uint64_t vgpu_sat_add(uint64_t a, uint64_t b) {
  uint64_t r = a + b;
  return r < a ? UINT64_MAX : r;
}
static inline uint64_t vgpu_sat_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }
static inline uint64_t vgpu_sat_mul(uint64_t a, uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}
static inline uint64_t vgpu_min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/*
 * Parses a memory size: decimal digits with an optional case-insensitive
 * suffix k/m/g/t (binary multiples), surrounding blanks allowed. "4096m" is
 * 4 GiB. Returns 0 and stores the bytes, or -1 for anything else (empty,
 * sign, garbage, overflow).
 */
int vgpu_parse_size(const char *s, uint64_t *out);

/* Parses a non-negative decimal integer <= max. Returns 0 or -1. */
int vgpu_parse_uint(const char *s, uint64_t max, uint64_t *out);

typedef enum { VGPU_POLICY_DEFAULT = 0, VGPU_POLICY_FORCE = 1, VGPU_POLICY_DISABLE = 2 } vgpu_core_policy;

/* The environment variable names of one front end (CUDA or Ascend); NULL = not read. */
typedef struct {
  const char *mem_limit;      /* global, and <name>_<i> per device */
  bool mem_bare_mib;          /* a number without suffix is MiB (NPU_MEM_QUOTA), not bytes */
  const char *core_limit;     /* percent; global and _<i> */
  const char *core_limit_alt; /* read when core_limit is unset (HAMi's NPU_PRIORITY) */
  const char *policy;
  const char *priority;
  const char *log_level;
  const char *oversubscribe;
  const char *region;         /* path of the container's accounting region */
  const char *region_default;
  const char *scheduler;      /* path of a card's time-slice registry: device 0, and _<i> per device */
} vgpu_env_names;

extern const vgpu_env_names vgpu_env_cuda;
extern const vgpu_env_names vgpu_env_npu;

typedef struct {
  uint64_t mem_limit[VGPU_MAX_DEVICES]; /* bytes, 0 = no limit */
  uint32_t sm_limit[VGPU_MAX_DEVICES];  /* percent, 100 = no limit */
  bool any_mem_limit;                   /* some memory limit is set */
  bool any_sm_limit;
  vgpu_core_policy policy;
  int32_t priority;    /* CUDA_TASK_PRIORITY, default 1 (low); 0 = high */
  bool oversubscribe;  /* CUDA_OVERSUBSCRIBE=true: managed memory is not charged */
  bool refuse_all;     /* a limits file exists but is invalid: every limited allocation is refused (fail closed) */
  bool from_file;      /* limits came from the limits file */
  bool region_from_env; /* the region path was set in the environment (not the default) */
  int log_level;       /* LIBCUDA_LOG_LEVEL, default 2 */
  char shared_cache[VGPU_PATH_MAX];                /* the region path */
  char scheduler[VGPU_MAX_DEVICES][VGPU_PATH_MAX]; /* per device; "" = none */
  int errors;          /* number of malformed values (each is reported through report) */
} vgpu_config;

typedef const char *(*vgpu_getenv_fn)(const char *name, void *ctx);
/* Called once per malformed value with a complete human-readable message. */
typedef void (*vgpu_report_fn)(const char *message, void *ctx);

/*
 * Reads a front end's configuration through getenv_fn (so tests can inject any environment). Malformed
 * values are reported and ignored (treated as unset).
 */
void vgpu_config_load_env(vgpu_config *cfg, const vgpu_env_names *names, vgpu_getenv_fn getenv_fn, void *env_ctx,
                          vgpu_report_fn report, void *report_ctx);
/* The CUDA front end's configuration (vgpu_config_load_env with vgpu_env_cuda). */
void vgpu_config_load(vgpu_config *cfg, vgpu_getenv_fn getenv_fn, void *env_ctx, vgpu_report_fn report,
                      void *report_ctx);
/* Recomputes any_mem_limit / any_sm_limit from the per-device limits. */
void vgpu_config_settle(vgpu_config *cfg);

/* OOM decision: may `size` more bytes be used when `used` are in use under `limit` (0 = none)? */
static inline bool vgpu_fits(uint64_t used, uint64_t size, uint64_t limit) {
  return limit == 0 || vgpu_sat_add(used, size) <= limit;
}

/* Memory as reported to the application: total = min(limit, physical), free clamped. */
typedef struct {
  uint64_t total;
  uint64_t free;
} vgpu_meminfo;
vgpu_meminfo vgpu_virtual_meminfo(uint64_t limit, uint64_t used, uint64_t phys_total, uint64_t phys_free);

/* Bytes of a CUDA array: width x max(height,1) x max(depth,1) x element size x channels, saturating. */
uint64_t vgpu_array_bytes(uint64_t width, uint64_t height, uint64_t depth, unsigned format, unsigned channels);
/* Pitch allocation: width rounded up to 512 bytes (maximum pitch alignment) x height. */
uint64_t vgpu_pitch_bytes(uint64_t width, uint64_t height, unsigned element_size);

/*
 * SM token bucket (one per device). Tokens are thread blocks. capacity is
 * the pool (SMs x blocks per SM); share is what one refill tick adds. The
 * correction step is proportional to the pool (not to SM^2 as in HAMi-core).
 */
typedef struct {
  int64_t capacity;
  int64_t share;
  int64_t nominal; /* the initial capacity: SMs x 64 blocks */
} vgpu_bucket;

/* The pool grows at most to this many times its nominal size (kernels far shorter per block than the model). */
#define VGPU_BUCKET_MAX_GROWTH 64

void vgpu_bucket_init(vgpu_bucket *b, uint32_t sm_count, uint32_t limit_pct);
/*
 * Adjusts share after one sample of measured utilisation (percent). starved: some launch waited for tokens since
 * the last sample. A pool whose full refill still leaves a starved device below its limit doubles (blocks are
 * not time: a kernel's device time per block varies by orders of magnitude), up to VGPU_BUCKET_MAX_GROWTH x
 * nominal; a pool far larger than needed halves back.
 */
void vgpu_bucket_adjust(vgpu_bucket *b, uint32_t limit_pct, uint32_t util_pct, bool starved);
/* Step of one correction for a given distance |limit - util| (exposed for tests). */
int64_t vgpu_bucket_step(const vgpu_bucket *b, uint32_t limit_pct, uint32_t diff_pct);
/* New token count after a refill: min(capacity, tokens + share). */
int64_t vgpu_bucket_refill(const vgpu_bucket *b, int64_t tokens);
/* Cost of a launch in tokens: grid blocks, saturating at INT32_MAX, at least 1. */
int64_t vgpu_launch_cost(uint32_t gx, uint32_t gy, uint32_t gz);
/* Should launches on a device be throttled under this policy / switch? */
bool vgpu_should_throttle(uint32_t sm_limit, vgpu_core_policy policy, int utilization_switch);

#endif
