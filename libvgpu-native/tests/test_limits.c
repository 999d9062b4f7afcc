/*
 * The limits file: the golden files parse to the expected values and re-format to the same bytes (the
 * canonical form the Java writer must produce too), malformed files are refused with the line named, random
 * mutations never crash the reader, and the merge lets the environment lower but never raise a limit.
 *   test_limits <golden dir> <scratch dir>
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "vgpu/limits_file.h"

static const char *golden_dir, *scratch_dir;

static size_t slurp(const char *name, char *buf, size_t cap) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", golden_dir, name);
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  if (f == NULL) return 0;
  size_t n = fread(buf, 1, cap, f);
  fclose(f);
  return n;
}

static void golden_round_trip(const char *name, vgpu_limits *out) {
  static char text[VGPU_LIMITS_MAX_BYTES], again[VGPU_LIMITS_MAX_BYTES];
  size_t n = slurp(name, text, sizeof text);
  char err[256] = "";
  CHECK(vgpu_limits_parse(text, n, out, err, sizeof err) == VGPU_LIMITS_OK);
  if (err[0]) fprintf(stderr, "%s: %s\n", name, err);
  size_t m = vgpu_limits_format(out, again, sizeof again);
  CHECK_EQ_U(m, n);
  CHECK(m == n && memcmp(text, again, n) == 0); /* byte for byte: the canonical form */
}

static void goldens_parse_to_the_documented_values(void) {
  vgpu_limits l;
  golden_round_trip("limits-v1-cuda.txt", &l);
  CHECK(l.version == 1 && l.kind == VGPU_LIMITS_CUDA && l.devices == 2);
  CHECK(strcmp(l.device[0].id, "GPU-8a3b2c1d-0000-4000-8000-000000000000") == 0);
  CHECK_EQ_U(l.device[0].memory_mib, 4096);
  CHECK_EQ_U(l.device[0].core_percent, 30);
  CHECK_EQ_U(l.device[1].memory_mib, 2048);
  CHECK(l.priority == 1 && l.core_policy == VGPU_POLICY_FORCE && !l.oversubscribe);
  CHECK(strcmp(l.region, "/tmp/vgpu/0b7f6a2e-1111-4222-8333-444455556666_main.cache") == 0);
  golden_round_trip("limits-v1-npu.txt", &l);
  CHECK(l.kind == VGPU_LIMITS_NPU && l.devices == 2);
  CHECK(strcmp(l.device[0].id, "3") == 0 && strcmp(l.device[1].id, "5") == 0);
  CHECK_EQ_U(l.device[1].memory_mib, 16384);
  CHECK(strcmp(l.device[0].scheduler, "/hami-shared-region/3.sched") == 0);
  CHECK(strcmp(l.region, "/hami-vnpu-shmem/vnpu.cache") == 0);
}

static vgpu_limits_status parse_str(const char *s, vgpu_limits *l, char *err, size_t errlen) {
  err[0] = '\0';
  return vgpu_limits_parse(s, strlen(s), l, err, errlen);
}

#define HEAD "version=1\nkind=cuda\ndevices=1\ndevice.0.id=g\ndevice.0.memory_mib=1\ndevice.0.core_percent=0\n"

static void malformed_files_are_refused_with_a_reason(void) {
  static const struct {
    const char *text, *reason;
  } bad[] = {
      {"", "empty"},
      {"version=1", "not terminated"},
      {"version=2\nkind=cuda\ndevices=1\n", "version 2 is not supported"},
      {"kind=cuda\nversion=1\n", "first line must be version=1"},
      {"version=1\r\nkind=cuda\n", "carriage return"},
      {"version=1\nkind=gpu\n", "kind must be cuda or npu"},
      {"version=1\ndevices=1\n", "kind is missing"},
      {"version=1\nkind=cuda\n", "devices is missing"},
      {"version=1\nkind=cuda\ndevices=0\n", "devices must be"},
      {"version=1\nkind=cuda\ndevices=17\n", "devices must be"},
      {"version=1\nkind=cuda\ndevices=1\n", "device.0 needs"},
      {HEAD "kind=cuda\n", "duplicate key kind"},
      {HEAD "version=1\n", "duplicate key version"},
      {HEAD "device.0.memory_mib=2\n", "duplicate key device.0.memory_mib"},
      {HEAD "device.1.id=h\n", "device.1 is listed but devices=1"},
      {HEAD "device.16.id=h\n", "device index"},
      {HEAD "device.01.id=h\n", "device index"},
      {HEAD "device.x.id=h\n", "device index"},
      {"version=1\nkind=cuda\ndevices=1\ndevice.0.id=g\ndevice.0.memory_mib=+1\ndevice.0.core_percent=0\n", "memory_mib"},
      {"version=1\nkind=cuda\ndevices=1\ndevice.0.id=g\ndevice.0.memory_mib=1\ndevice.0.core_percent=101\n",
       "core_percent"},
      {"version=1\nkind=cuda\ndevices=1\ndevice.0.id=\ndevice.0.memory_mib=1\ndevice.0.core_percent=1\n", "device id"},
      {HEAD "device.0.scheduler=/x\n", "only valid with kind=npu"},
      {HEAD "core_policy=disable\n", "core_policy must be force or default"},
      {HEAD "oversubscribe=yes\n", "oversubscribe must be"},
      {HEAD "priority=-1\n", "priority"},
      {HEAD "region=\n", "region must be"},
      {HEAD "Region=/x\n", "outside [a-z0-9._]"},
      {HEAD "region /x\n", "not a key=value line"},
      {HEAD "=x\n", "empty key"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    vgpu_limits l;
    char err[256];
    vgpu_limits_status st = parse_str(bad[i].text, &l, err, sizeof err);
    CHECK(st == VGPU_LIMITS_INVALID);
    if (strstr(err, bad[i].reason) == NULL) {
      fprintf(stderr, "case %zu: '%s' does not mention '%s'\n", i, err, bad[i].reason);
      check_failures++;
    }
  }
  vgpu_limits l;
  char err[256];
  /* comments, blank lines and keys of a later minor revision are accepted */
  CHECK(parse_str("# written by the device plugin\n\n" HEAD "future_key=1\ndevice.0.future=2\n", &l, err,
                  sizeof err) == VGPU_LIMITS_OK);
  CHECK(l.core_policy == VGPU_POLICY_FORCE && l.priority == 1 && l.region[0] == '\0');
  CHECK(parse_str("version=1\nkind=npu\ndevices=1\ndevice.0.id=0\ndevice.0.memory_mib=0\ndevice.0.core_percent=0\n"
                  "oversubscribe=true\n",
                  &l, err, sizeof err) == VGPU_LIMITS_INVALID);
  /* a line naming the error */
  CHECK(parse_str(HEAD "priority=x\n", &l, err, sizeof err) == VGPU_LIMITS_INVALID && strncmp(err, "line 7:", 7) == 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return rng;
}

static void random_limits_round_trip(void) {
  static char buf[VGPU_LIMITS_MAX_BYTES];
  for (int it = 0; it < 3000; it++) {
    vgpu_limits a, b;
    memset(&a, 0, sizeof a);
    a.version = 1;
    a.kind = next() % 2 ? VGPU_LIMITS_CUDA : VGPU_LIMITS_NPU;
    a.devices = 1 + (uint32_t)(next() % VGPU_MAX_DEVICES);
    for (uint32_t i = 0; i < a.devices; i++) {
      snprintf(a.device[i].id, sizeof a.device[i].id, "dev-%llx", (unsigned long long)next());
      a.device[i].memory_mib = next() % 3 == 0 ? 0 : next() >> (20 + next() % 40);
      a.device[i].core_percent = (uint32_t)(next() % 101);
      if (a.kind == VGPU_LIMITS_NPU && next() % 2) snprintf(a.device[i].scheduler, VGPU_PATH_MAX, "/s/%u.sched", i);
    }
    a.priority = (int32_t)(next() % 1001);
    a.core_policy = next() % 2 ? VGPU_POLICY_FORCE : VGPU_POLICY_DEFAULT;
    a.oversubscribe = a.kind == VGPU_LIMITS_CUDA && next() % 2;
    if (next() % 2) snprintf(a.region, sizeof a.region, "/tmp/vgpu/r %llu.cache", (unsigned long long)next());
    size_t n = vgpu_limits_format(&a, buf, sizeof buf);
    CHECK(n > 0);
    char err[256];
    CHECK(vgpu_limits_parse(buf, n, &b, err, sizeof err) == VGPU_LIMITS_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    if (check_failures) {
      fprintf(stderr, "round trip %d: %s\n%.*s", it, err, (int)n, buf);
      return;
    }
  }
  vgpu_limits a;
  memset(&a, 0, sizeof a);
  a.kind = VGPU_LIMITS_CUDA;
  a.devices = 1;
  CHECK(vgpu_limits_format(&a, buf, sizeof buf) == 0); /* empty id: not writable */
  snprintf(a.device[0].id, sizeof a.device[0].id, "a\nb");
  CHECK(vgpu_limits_format(&a, buf, sizeof buf) == 0); /* a newline would forge a key */
  snprintf(a.device[0].id, sizeof a.device[0].id, "g");
  CHECK(vgpu_limits_format(&a, buf, 20) == 0);          /* too small */
}

static void mutations_never_crash_the_reader(void) {
  static char text[VGPU_LIMITS_MAX_BYTES], m[VGPU_LIMITS_MAX_BYTES];
  size_t n = slurp("limits-v1-npu.txt", text, sizeof text);
  int ok = 0;
  for (int it = 0; it < 20000; it++) {
    memcpy(m, text, n);
    size_t len = n;
    int edits = 1 + (int)(next() % 4);
    for (int e = 0; e < edits; e++) {
      size_t at = next() % len;
      switch (next() % 3) {
        case 0: m[at] = (char)(next() % 256); break;
        case 1: len = at + 1 + next() % (len - at); break;
        default: m[at] = "=\n.0x#\r"[next() % 7]; break;
      }
    }
    vgpu_limits l;
    char err[256];
    vgpu_limits_status st = vgpu_limits_parse(m, len, &l, err, sizeof err);
    CHECK(st == VGPU_LIMITS_OK || st == VGPU_LIMITS_INVALID);
    ok += st == VGPU_LIMITS_OK;
  }
  fprintf(stderr, "20000 mutations: %d still valid\n", ok);
}

static void env_may_lower_but_never_raise(void) {
  vgpu_limits l;
  char err[256];
  CHECK(parse_str("version=1\nkind=cuda\ndevices=2\ndevice.0.id=a\ndevice.0.memory_mib=4096\ndevice.0.core_percent=30\n"
                  "device.1.id=b\ndevice.1.memory_mib=0\ndevice.1.core_percent=0\npriority=1\ncore_policy=force\n"
                  "region=/r/file.cache\n",
                  &l, err, sizeof err) == VGPU_LIMITS_OK);
  vgpu_config c;
  memset(&c, 0, sizeof c);
  for (int i = 0; i < VGPU_MAX_DEVICES; i++) c.sm_limit[i] = 100;
  /* env raises device 0, removes the core limit, disables throttling, asks for oversubscription, moves the region */
  c.mem_limit[0] = 80ULL << 30;
  c.mem_limit[1] = 1ULL << 30; /* lowers device 1 (no file limit there) */
  c.mem_limit[2] = 5ULL << 20; /* a device the file does not list: the environment decides */
  c.policy = VGPU_POLICY_DISABLE;
  c.priority = 0;
  c.oversubscribe = true;
  c.region_from_env = true;
  snprintf(c.shared_cache, sizeof c.shared_cache, "/tmp/fresh.cache");
  int before = check_failures;
  vgpu_limits_apply(&c, &l, NULL, NULL);
  CHECK_EQ_U(c.mem_limit[0], 4096ULL << 20);
  CHECK_EQ_U(c.sm_limit[0], 30);
  CHECK_EQ_U(c.mem_limit[1], 1ULL << 30);
  CHECK_EQ_U(c.sm_limit[1], 100);
  CHECK_EQ_U(c.mem_limit[2], 5ULL << 20);
  CHECK(c.policy == VGPU_POLICY_FORCE);
  CHECK(c.priority == 1);
  CHECK(!c.oversubscribe);
  CHECK(strcmp(c.shared_cache, "/r/file.cache") == 0);
  CHECK(c.from_file && c.any_mem_limit && c.any_sm_limit);
  /* env lowers: kept */
  memset(&c, 0, sizeof c);
  for (int i = 0; i < VGPU_MAX_DEVICES; i++) c.sm_limit[i] = 100;
  c.mem_limit[0] = 1024ULL << 20;
  c.sm_limit[0] = 10;
  c.policy = VGPU_POLICY_FORCE;
  c.priority = 5;
  vgpu_limits_apply(&c, &l, NULL, NULL);
  CHECK_EQ_U(c.mem_limit[0], 1024ULL << 20);
  CHECK_EQ_U(c.sm_limit[0], 10);
  CHECK(c.priority == 5);
  /* no env at all: the file */
  memset(&c, 0, sizeof c);
  for (int i = 0; i < VGPU_MAX_DEVICES; i++) c.sm_limit[i] = 100;
  vgpu_limits_apply(&c, &l, NULL, NULL);
  CHECK_EQ_U(c.mem_limit[0], 4096ULL << 20);
  CHECK(c.policy == VGPU_POLICY_FORCE);
  if (check_failures != before) fprintf(stderr, "precedence checks failed\n");
}

static void path_override_only_without_the_mounted_file(void) {
  char def[1024], other[1024];
  snprintf(def, sizeof def, "%s/default-limits", scratch_dir);
  snprintf(other, sizeof other, "%s/other-limits", scratch_dir);
  unlink(def);
  CHECK(strcmp(vgpu_limits_path(def, other), other) == 0);
  CHECK(strcmp(vgpu_limits_path(def, NULL), def) == 0);
  FILE *f = fopen(def, "w");
  CHECK(f != NULL);
  if (f) fclose(f);
  CHECK(strcmp(vgpu_limits_path(def, other), def) == 0); /* mounted: the env cannot move it */
  vgpu_limits l;
  char err[256];
  CHECK(vgpu_limits_read(def, &l, err, sizeof err) == VGPU_LIMITS_INVALID && strstr(err, "empty") != NULL);
  unlink(def);
  CHECK(vgpu_limits_read(def, &l, err, sizeof err) == VGPU_LIMITS_ABSENT);
  CHECK(vgpu_limits_read(scratch_dir, &l, err, sizeof err) == VGPU_LIMITS_INVALID); /* a directory */
  char golden[1024];
  snprintf(golden, sizeof golden, "%s/limits-v1-cuda.txt", golden_dir);
  CHECK(vgpu_limits_read(golden, &l, err, sizeof err) == VGPU_LIMITS_OK && l.devices == 2);
}

int main(int argc, char **argv) {
  if (argc < 3) return 64;
  golden_dir = argv[1];
  scratch_dir = argv[2];
  mkdir(scratch_dir, 0755);
  goldens_parse_to_the_documented_values();
  malformed_files_are_refused_with_a_reason();
  random_limits_round_trip();
  mutations_never_crash_the_reader();
  env_may_lower_but_never_raise();
  path_override_only_without_the_mounted_file();
  CHECK_DONE();
}
