/*
 * The container limits file: the one definition of the format the device plugin writes (read-only mount) and
 * libvgpu reads. Described byte for byte in docs/limits-file.md; golden files in tests/golden/ pin both the
 * C reader/writer (tests/test_limits.c) and the Java writer.
 *
 * Version 1, text, one `key=value` per line, LF-terminated, canonical order as vgpu_limits_format writes it:
 *
 *   version=1
 *   kind=cuda|npu
 *   devices=<n>
 *   device.<i>.id=<opaque id: GPU UUID, NPU physical id>          (for i in 0..n-1, in this order)
 *   device.<i>.memory_mib=<MiB, 0 = no limit>
 *   device.<i>.core_percent=<0..100; 0 and 100 = no limit>
 *   device.<i>.scheduler=<path>                                     (npu only, optional)
 *   priority=<0..1000>
 *   core_policy=force|default
 *   oversubscribe=true|false
 *   region=<path>                                                  (optional)
 *
 * Precedence (vgpu_limits_apply): the file wins; an environment variable may only lower a limit it sets, never
 * raise or remove it. No library behaviour is switched off by the environment while the file is present.
 */
#ifndef VGPU_LIMITS_FILE_H
#define VGPU_LIMITS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgpu/core.h"

#define VGPU_LIMITS_VERSION 1u
/* Where the device plugin mounts the file (read-only). */
#define VGPU_LIMITS_DEFAULT_PATH "/etc/vgpu/limits"
/* Another path, honoured only while VGPU_LIMITS_DEFAULT_PATH does not exist (tests, non-Kubernetes use). */
#define VGPU_ENV_LIMITS_FILE "VGPU_LIMITS_FILE"
#define VGPU_LIMITS_MAX_BYTES 65536
#define VGPU_LIMITS_ID_MAX 128

typedef enum { VGPU_LIMITS_CUDA = 1, VGPU_LIMITS_NPU = 2 } vgpu_limits_kind;

typedef struct {
  char id[VGPU_LIMITS_ID_MAX];
  uint64_t memory_mib;   /* 0 = no limit */
  uint32_t core_percent; /* 0 and 100 = no limit */
  char scheduler[VGPU_PATH_MAX]; /* npu: the card's time-slice registry; "" = none */
} vgpu_limits_device;

typedef struct {
  uint32_t version;
  vgpu_limits_kind kind;
  uint32_t devices;
  vgpu_limits_device device[VGPU_MAX_DEVICES];
  int32_t priority;             /* default 1 */
  vgpu_core_policy core_policy; /* force (default) or default; never disable */
  bool oversubscribe;           /* default false */
  char region[VGPU_PATH_MAX];   /* "" = not set */
} vgpu_limits;

/* Outcome of reading the file. */
typedef enum {
  VGPU_LIMITS_OK = 0,
  VGPU_LIMITS_ABSENT = 1,  /* no file: the environment alone decides */
  VGPU_LIMITS_INVALID = 2, /* present but unreadable or malformed: fail closed */
} vgpu_limits_status;

/* Parses text (need not be NUL-terminated). On error writes one sentence naming the line to err. */
vgpu_limits_status vgpu_limits_parse(const char *text, size_t len, vgpu_limits *out, char *err, size_t errlen);

/* Writes the canonical bytes of l into buf. Returns the length, or 0 when cap is too small or l is invalid. */
size_t vgpu_limits_format(const vgpu_limits *l, char *buf, size_t cap);

/* Reads and parses path. VGPU_LIMITS_ABSENT only when the file does not exist. */
vgpu_limits_status vgpu_limits_read(const char *path, vgpu_limits *out, char *err, size_t errlen);

/*
 * The path to read: VGPU_LIMITS_DEFAULT_PATH when it exists (the mounted file; the env cannot move it),
 * otherwise the env override if set, otherwise the default (absent). default_path is a parameter for tests.
 */
const char *vgpu_limits_path(const char *default_path, const char *env_override);

/*
 * Merges the file into a configuration loaded from the environment: for every device the file lists, a limit
 * is the lower of the two (0 = none for memory, 100 = none for cores), so the environment can lower but not
 * raise or remove it; priority the numerically larger (lower priority); the file's core policy unless the
 * environment is stricter (force), `disable` ignored; oversubscription only if both allow it; region and
 * scheduler paths from the file when it sets them. Each ignored loosening is reported once.
 */
void vgpu_limits_apply(vgpu_config *cfg, const vgpu_limits *l, vgpu_report_fn report, void *report_ctx);

/* The lower of two limits where 0 means none. */
static inline uint64_t vgpu_lower_limit(uint64_t a, uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return a < b ? a : b;
}

#endif
