/* Unit tests of the policy core: parsing, configuration, virtual meminfo, token maths, allocation table. */
#include <string.h>

#include "check.h"
#include "vgpu/core.h"
#include "vgpu/track.h"

typedef struct {
  const char *kv[32];
} env_t;

static const char *env_get(const char *name, void *ctx) {
  env_t *e = ctx;
  size_t n = strlen(name);
  for (int i = 0; e->kv[i]; i++)
    if (strncmp(e->kv[i], name, n) == 0 && e->kv[i][n] == '=') return e->kv[i] + n + 1;
  return NULL;
}
static int reports;
static char last_report[512];
static void report(const char *m, void *ctx) {
  (void)ctx;
  reports++;
  snprintf(last_report, sizeof last_report, "%s", m);
}

static void parse_size_accepts_plugin_formats(void) {
  uint64_t v;
  CHECK(vgpu_parse_size("4096m", &v) == 0 && v == 4096ULL << 20);
  CHECK(vgpu_parse_size("4096M", &v) == 0 && v == 4096ULL << 20);
  CHECK(vgpu_parse_size("2g", &v) == 0 && v == 2ULL << 30);
  CHECK(vgpu_parse_size("2G", &v) == 0 && v == 2ULL << 30);
  CHECK(vgpu_parse_size("512k", &v) == 0 && v == 512ULL << 10);
  CHECK(vgpu_parse_size("1t", &v) == 0 && v == 1ULL << 40);
  CHECK(vgpu_parse_size("12345", &v) == 0 && v == 12345);
  CHECK(vgpu_parse_size(" 7m ", &v) == 0 && v == 7ULL << 20);
  CHECK(vgpu_parse_size("0", &v) == 0 && v == 0);
}

static void parse_size_rejects_garbage_and_overflow(void) {
  uint64_t v = 99;
  const char *bad[] = {"", " ", "m", "-1", "+1", "1x", "1mb", "1 m x", "0x10", "1.5g", "18446744073709551616",
                       "17179869184g", "99999999999999999999999m", NULL};
  for (int i = 0; bad[i]; i++) CHECK(vgpu_parse_size(bad[i], &v) == -1);
  CHECK(v == 99);
  CHECK(vgpu_parse_size(NULL, &v) == -1);
  CHECK(vgpu_parse_size("18446744073709551615", &v) == 0 && v == UINT64_MAX);
  CHECK(vgpu_parse_size("16777215t", &v) == 0);
  CHECK(vgpu_parse_size("16777216t", &v) == -1);
}

static void config_reads_per_device_limits_over_global(void) {
  env_t e = {{"CUDA_DEVICE_MEMORY_LIMIT=1g", "CUDA_DEVICE_MEMORY_LIMIT_0=4096m", "CUDA_DEVICE_MEMORY_LIMIT_1=2048m",
              "CUDA_DEVICE_SM_LIMIT=30", "CUDA_DEVICE_SM_LIMIT_1=0", "GPU_CORE_UTILIZATION_POLICY=FORCE",
              "CUDA_TASK_PRIORITY=0", "LIBCUDA_LOG_LEVEL=3", "CUDA_OVERSUBSCRIBE=true",
              "CUDA_DEVICE_MEMORY_SHARED_CACHE=/tmp/vgpu/x.cache", NULL}};
  vgpu_config c;
  reports = 0;
  vgpu_config_load(&c, env_get, &e, report, NULL);
  CHECK_EQ_U(c.mem_limit[0], 4096ULL << 20);
  CHECK_EQ_U(c.mem_limit[1], 2048ULL << 20);
  CHECK_EQ_U(c.mem_limit[2], 1ULL << 30);
  CHECK_EQ_U(c.sm_limit[0], 30);
  CHECK_EQ_U(c.sm_limit[1], 100); /* 0 = unlimited */
  CHECK(c.any_mem_limit && c.any_sm_limit);
  CHECK(c.policy == VGPU_POLICY_FORCE);
  CHECK_EQ_U(c.priority, 0);
  CHECK_EQ_U(c.log_level, 3);
  CHECK(c.oversubscribe);
  CHECK(strcmp(c.shared_cache, "/tmp/vgpu/x.cache") == 0);
  CHECK_EQ_U(reports, 0);
  CHECK_EQ_U(c.errors, 0);
}

static void config_defaults_without_env(void) {
  env_t e = {{NULL}};
  vgpu_config c;
  vgpu_config_load(&c, env_get, &e, report, NULL);
  CHECK(!c.any_mem_limit && !c.any_sm_limit);
  CHECK_EQ_U(c.mem_limit[0], 0);
  CHECK_EQ_U(c.sm_limit[15], 100);
  CHECK(c.policy == VGPU_POLICY_DEFAULT);
  CHECK_EQ_U(c.priority, 1);
  CHECK_EQ_U(c.log_level, 2);
  CHECK(strcmp(c.shared_cache, "/tmp/cudevshr.cache") == 0);
}

static void config_reports_malformed_values_by_name(void) {
  env_t e = {{"CUDA_DEVICE_MEMORY_LIMIT_0=lots", "CUDA_DEVICE_SM_LIMIT=150", "GPU_CORE_UTILIZATION_POLICY=sometimes",
              NULL}};
  vgpu_config c;
  reports = 0;
  vgpu_config_load(&c, env_get, &e, report, NULL);
  CHECK_EQ_U(reports, 3);
  CHECK_EQ_U(c.errors, 3);
  CHECK_EQ_U(c.mem_limit[0], 0);
  CHECK_EQ_U(c.sm_limit[0], 100);
  CHECK(strstr(last_report, "GPU_CORE_UTILIZATION_POLICY='sometimes'") != NULL);
}

static void meminfo_is_clamped_never_underflows(void) {
  vgpu_meminfo m = vgpu_virtual_meminfo(4ULL << 30, 1ULL << 30, 80ULL << 30, 70ULL << 30);
  CHECK_EQ_U(m.total, 4ULL << 30);
  CHECK_EQ_U(m.free, 3ULL << 30);
  m = vgpu_virtual_meminfo(4ULL << 30, 5ULL << 30, 80ULL << 30, 70ULL << 30); /* used > limit */
  CHECK_EQ_U(m.free, 0);
  m = vgpu_virtual_meminfo(4ULL << 30, 0, 80ULL << 30, 1ULL << 30); /* others use the card */
  CHECK_EQ_U(m.free, 1ULL << 30);
  m = vgpu_virtual_meminfo(0, 5, 80, 70); /* no limit: physical */
  CHECK(m.total == 80 && m.free == 70);
  m = vgpu_virtual_meminfo(100ULL << 30, 0, 80ULL << 30, 80ULL << 30); /* limit above physical */
  CHECK_EQ_U(m.total, 80ULL << 30);
  CHECK(vgpu_sat_sub(1, 2) == 0 && vgpu_sat_add(UINT64_MAX, 1) == UINT64_MAX && vgpu_sat_mul(1ULL << 40, 1ULL << 40) == UINT64_MAX);
}

static void oom_decision_is_exact_at_the_limit(void) {
  CHECK(vgpu_fits(0, 100, 100));
  CHECK(!vgpu_fits(0, 101, 100));
  CHECK(!vgpu_fits(100, 1, 100));
  CHECK(!vgpu_fits(UINT64_MAX - 1, 10, UINT64_MAX - 1));
  CHECK(vgpu_fits(UINT64_MAX, UINT64_MAX, 0));
}

static void array_and_pitch_sizes(void) {
  CHECK_EQ_U(vgpu_array_bytes(100, 0, 0, 0x20, 4), 1600);
  CHECK_EQ_U(vgpu_array_bytes(100, 10, 2, 0x01, 1), 2000);
  CHECK_EQ_U(vgpu_array_bytes(UINT64_MAX, 2, 1, 0x20, 1), UINT64_MAX);
  CHECK_EQ_U(vgpu_pitch_bytes(1000, 3, 4), 1024 * 3);
  CHECK_EQ_U(vgpu_pitch_bytes(UINT64_MAX, 2, 4), UINT64_MAX);
}

static void bucket_step_is_proportional_to_pool_not_sm_squared(void) {
  vgpu_bucket small, big;
  vgpu_bucket_init(&small, 20, 30);
  vgpu_bucket_init(&big, 188, 30);
  CHECK_EQ_U(big.capacity, small.capacity / 20 * 188);
  int64_t s1 = vgpu_bucket_step(&small, 30, 20), s2 = vgpu_bucket_step(&big, 30, 20);
  /* step/pool is the same on both cards (HAMi-core#274: it grew with SM count there) */
  double r1 = (double)s1 / (double)small.capacity, r2 = (double)s2 / (double)big.capacity;
  CHECK(r1 > 0 && r1 < 0.5 && r2 / r1 > 0.95 && r2 / r1 < 1.05);
  /* a single step never refills more than the pool */
  CHECK(vgpu_bucket_step(&big, 30, 100) <= big.capacity);
}

static void bucket_converges_down_when_over_limit_and_up_when_under(void) {
  vgpu_bucket b;
  vgpu_bucket_init(&b, 132, 30);
  int64_t start = b.share;
  CHECK_EQ_U(start, b.capacity * 30 / 100);
  for (int i = 0; i < 50; i++) vgpu_bucket_adjust(&b, 30, 90, true);
  CHECK_EQ_U(b.share, b.capacity * 30 / 1000); /* floored at a tenth of the nominal share, never negative */
  for (int i = 0; i < 50; i++) vgpu_bucket_adjust(&b, 30, 0, false);
  CHECK(b.share == b.capacity); /* capped */
  CHECK_EQ_U(vgpu_bucket_refill(&b, b.capacity - 1), b.capacity);
  CHECK_EQ_U(vgpu_bucket_refill(&b, -b.capacity * 3), -b.capacity * 2);
  /* starved below the limit with the pool full: the pool doubles, up to 64x nominal, and shrinks back */
  int64_t nominal = b.nominal;
  for (int i = 0; i < 200; i++) vgpu_bucket_adjust(&b, 30, 10, true);
  CHECK_EQ_U(b.capacity, nominal * VGPU_BUCKET_MAX_GROWTH);
  CHECK(b.share == b.capacity);
  for (int i = 0; i < 200; i++) vgpu_bucket_adjust(&b, 30, 90, true);
  CHECK_EQ_U(b.capacity, nominal);
  CHECK_EQ_U(b.share, nominal * 30 / 1000);
  for (int i = 0; i < 200; i++) vgpu_bucket_adjust(&b, 30, 10, false); /* not starved: no growth */
  CHECK_EQ_U(b.capacity, nominal);
}

static void launch_cost_and_throttle_policy(void) {
  CHECK_EQ_U(vgpu_launch_cost(10, 2, 3), 60);
  CHECK_EQ_U(vgpu_launch_cost(0, 0, 0), 1);
  CHECK_EQ_U(vgpu_launch_cost(0xffffffffu, 0xffffffffu, 0xffffffffu), INT32_MAX);
  CHECK(vgpu_should_throttle(30, VGPU_POLICY_DEFAULT, 1));
  CHECK(!vgpu_should_throttle(30, VGPU_POLICY_DEFAULT, 0));
  CHECK(vgpu_should_throttle(30, VGPU_POLICY_FORCE, 0));
  CHECK(!vgpu_should_throttle(30, VGPU_POLICY_DISABLE, 1));
  CHECK(!vgpu_should_throttle(100, VGPU_POLICY_FORCE, 1));
  CHECK(!vgpu_should_throttle(0, VGPU_POLICY_FORCE, 1));
}

static void track_table_round_trips_and_separates_kinds(void) {
  vgpu_track t = {0};
  for (uint64_t i = 1; i <= 5000; i++) CHECK(vgpu_track_put(&t, VGPU_KIND_DEVPTR, i * 4096, (int)(i % 3), i));
  CHECK(vgpu_track_put(&t, VGPU_KIND_VMM, 4096, 7, 99));
  int dev;
  uint64_t size;
  CHECK(vgpu_track_take(&t, VGPU_KIND_VMM, 4096, &dev, &size) && dev == 7 && size == 99);
  CHECK(!vgpu_track_take(&t, VGPU_KIND_VMM, 4096, &dev, &size));
  for (uint64_t i = 1; i <= 5000; i += 2) CHECK(vgpu_track_take(&t, VGPU_KIND_DEVPTR, i * 4096, &dev, &size) && size == i);
  for (uint64_t i = 1; i <= 5000; i++) {
    bool found = vgpu_track_take(&t, VGPU_KIND_DEVPTR, i * 4096, &dev, &size);
    CHECK(found == (i % 2 == 0));
  }
  CHECK_EQ_U(t.live, 0);
  /* churn with tombstones stays bounded */
  uint64_t cap = t.cap;
  for (uint64_t i = 1; i <= 100000; i++) {
    CHECK(vgpu_track_put(&t, VGPU_KIND_DEVPTR, i, 0, 1));
    CHECK(vgpu_track_take(&t, VGPU_KIND_DEVPTR, i, &dev, &size));
  }
  CHECK_EQ_U(t.cap, cap);
  vgpu_track_clear(&t);
}

static void npu_config_reads_hami_and_own_names(void) {
  env_t e = {{"NPU_MEM_QUOTA=4096", "NPU_MEM_QUOTA_1=2g", "NPU_PRIORITY=30.0", "NPU_LOCAL_SHM_PATH=/hami-vnpu-shmem/r",
              "NPU_GLOBAL_SHM_PATH=/hami-shared-region/3.sched", "NPU_GLOBAL_SHM_PATH_1=/hami-shared-region/5.sched",
              "CUDA_DEVICE_MEMORY_LIMIT=1g", NULL}};
  vgpu_config c;
  reports = 0;
  vgpu_config_load_env(&c, &vgpu_env_npu, env_get, &e, report, NULL);
  CHECK_EQ_U(reports, 0);
  CHECK_EQ_U(c.mem_limit[0], 4096ULL << 20); /* MiB, as HAMi's device plugin writes it */
  CHECK_EQ_U(c.mem_limit[1], 2ULL << 30);    /* a suffix is a size */
  CHECK_EQ_U(c.mem_limit[2], 4096ULL << 20);
  CHECK_EQ_U(c.sm_limit[0], 30);             /* NPU_PRIORITY as the percentage when NPU_CORE_PERCENT is unset */
  CHECK(strcmp(c.shared_cache, "/hami-vnpu-shmem/r") == 0);
  CHECK(strcmp(c.scheduler[0], "/hami-shared-region/3.sched") == 0);
  CHECK(strcmp(c.scheduler[1], "/hami-shared-region/5.sched") == 0 && c.scheduler[2][0] == '\0');
  env_t f = {{"NPU_CORE_PERCENT=50", "NPU_CORE_PERCENT_1=20", "NPU_PRIORITY=30", "NPU_MEM_QUOTA=lots", NULL}};
  reports = 0;
  vgpu_config_load_env(&c, &vgpu_env_npu, env_get, &f, report, NULL);
  CHECK_EQ_U(c.sm_limit[0], 50); /* ours wins */
  CHECK_EQ_U(c.sm_limit[1], 20);
  CHECK_EQ_U(c.mem_limit[0], 0);
  CHECK_EQ_U(reports, 1);
  CHECK(strstr(last_report, "NPU_MEM_QUOTA='lots'") != NULL);
  CHECK(strcmp(c.shared_cache, "/tmp/vnpu.cache") == 0);
  env_t g = {{"CUDA_DEVICE_SM_LIMIT=30.0", NULL}}; /* CUDA keeps integer percentages */
  reports = 0;
  vgpu_config_load(&c, env_get, &g, report, NULL);
  CHECK_EQ_U(reports, 1);
}

int main(void) {
  parse_size_accepts_plugin_formats();
  parse_size_rejects_garbage_and_overflow();
  config_reads_per_device_limits_over_global();
  config_defaults_without_env();
  config_reports_malformed_values_by_name();
  npu_config_reads_hami_and_own_names();
  meminfo_is_clamped_never_underflows();
  oom_decision_is_exact_at_the_limit();
  array_and_pitch_sizes();
  bucket_step_is_proportional_to_pool_not_sm_squared();
  bucket_converges_down_when_over_limit_and_up_when_under();
  launch_cost_and_throttle_policy();
  track_table_round_trips_and_separates_kinds();
  CHECK_DONE();
}
