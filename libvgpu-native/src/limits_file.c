/* The container limits file (include/vgpu/limits_file.h, docs/limits-file.md): reader, canonical writer, merge. */
#define _GNU_SOURCE
#include "vgpu/limits_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static vgpu_limits_status fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static vgpu_limits_status fail(char *err, size_t errlen, unsigned line, const char *fmt, ...) {
  if (err == NULL || errlen == 0) return VGPU_LIMITS_INVALID;
  int n = line != 0 ? snprintf(err, errlen, "line %u: ", line) : 0;
  if (n < 0 || (size_t)n >= errlen) return VGPU_LIMITS_INVALID;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return VGPU_LIMITS_INVALID;
}

static bool key_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'; }

/* Bits of what a device entry has seen. */
enum { SEEN_ID = 1, SEEN_MEM = 2, SEEN_CORE = 4, SEEN_SCHED = 8 };
/* Bits of the global keys seen. */
enum { G_VERSION = 1, G_KIND = 2, G_DEVICES = 4, G_PRIORITY = 8, G_POLICY = 16, G_OVERSUB = 32, G_REGION = 64 };

static unsigned global_bit(const char *k, size_t klen) {
  static const struct {
    const char *name;
    unsigned bit;
  } keys[] = {{"version", G_VERSION}, {"kind", G_KIND},          {"devices", G_DEVICES}, {"priority", G_PRIORITY},
              {"core_policy", G_POLICY}, {"oversubscribe", G_OVERSUB}, {"region", G_REGION}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (strlen(keys[i].name) == klen && memcmp(keys[i].name, k, klen) == 0) return keys[i].bit;
  return 0;
}

static bool copy_value(char *dst, size_t cap, const char *v, size_t vlen) {
  if (vlen == 0 || vlen >= cap || memchr(v, '\0', vlen) != NULL) return false;
  memcpy(dst, v, vlen);
  dst[vlen] = '\0';
  return true;
}

static int parse_number(const char *v, size_t vlen, uint64_t max, uint64_t *out) {
  char buf[32];
  if (vlen == 0 || vlen >= sizeof buf) return -1;
  for (size_t i = 0; i < vlen; i++)
    if (v[i] < '0' || v[i] > '9') return -1;
  memcpy(buf, v, vlen);
  buf[vlen] = '\0';
  return vgpu_parse_uint(buf, max, out);
}

static bool value_is(const char *v, size_t vlen, const char *word) {
  return vlen == strlen(word) && memcmp(v, word, vlen) == 0;
}

vgpu_limits_status vgpu_limits_parse(const char *text, size_t len, vgpu_limits *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  out->priority = 1;
  out->core_policy = VGPU_POLICY_FORCE;
  if (len > VGPU_LIMITS_MAX_BYTES) return fail(err, errlen, 0, "longer than %d bytes", VGPU_LIMITS_MAX_BYTES);
  if (len == 0) return fail(err, errlen, 0, "empty");
  if (text[len - 1] != '\n') return fail(err, errlen, 0, "the last line is not terminated by a newline");
  unsigned seen_global = 0, seen_dev[VGPU_MAX_DEVICES] = {0};
  bool have_version = false;
  unsigned line = 0;
  for (size_t pos = 0; pos < len;) {
    const char *l = text + pos;
    const char *nl = memchr(l, '\n', len - pos);
    size_t ll = (size_t)(nl - l);
    pos += ll + 1;
    line++;
    if (memchr(l, '\r', ll) != NULL) return fail(err, errlen, line, "carriage return (the file uses LF line ends)");
    if (ll == 0 || l[0] == '#') continue;
    const char *eq = memchr(l, '=', ll);
    if (eq == NULL) return fail(err, errlen, line, "not a key=value line");
    size_t klen = (size_t)(eq - l), vlen = ll - klen - 1;
    const char *v = eq + 1;
    for (size_t i = 0; i < klen; i++)
      if (!key_char(l[i])) return fail(err, errlen, line, "key '%.*s' has a character outside [a-z0-9._]", (int)klen, l);
    if (klen == 0) return fail(err, errlen, line, "empty key");
    uint64_t n;
    if (!have_version) {
      if (klen != 7 || memcmp(l, "version", 7) != 0)
        return fail(err, errlen, line, "the first line must be version=%u", VGPU_LIMITS_VERSION);
      if (parse_number(v, vlen, UINT32_MAX, &n) != 0) return fail(err, errlen, line, "version is not a number");
      if (n != VGPU_LIMITS_VERSION)
        return fail(err, errlen, line, "version %llu is not supported (this libvgpu reads version %u)",
                    (unsigned long long)n, VGPU_LIMITS_VERSION);
      out->version = (uint32_t)n;
      have_version = true;
      continue;
    }
    unsigned g = global_bit(l, klen);
    if (g != 0) {
      if (seen_global & g) return fail(err, errlen, line, "duplicate key %.*s", (int)klen, l);
      seen_global |= g;
    }
    switch (g) {
      case G_VERSION:
        return fail(err, errlen, line, "duplicate key version");
      case G_KIND:
        if (value_is(v, vlen, "cuda")) out->kind = VGPU_LIMITS_CUDA;
        else if (value_is(v, vlen, "npu")) out->kind = VGPU_LIMITS_NPU;
        else return fail(err, errlen, line, "kind must be cuda or npu");
        continue;
      case G_DEVICES:
        if (parse_number(v, vlen, VGPU_MAX_DEVICES, &n) != 0 || n == 0)
          return fail(err, errlen, line, "devices must be 1..%d", VGPU_MAX_DEVICES);
        out->devices = (uint32_t)n;
        continue;
      case G_PRIORITY:
        if (parse_number(v, vlen, 1000, &n) != 0) return fail(err, errlen, line, "priority must be 0..1000");
        out->priority = (int32_t)n;
        continue;
      case G_POLICY:
        if (value_is(v, vlen, "force")) out->core_policy = VGPU_POLICY_FORCE;
        else if (value_is(v, vlen, "default")) out->core_policy = VGPU_POLICY_DEFAULT;
        else return fail(err, errlen, line, "core_policy must be force or default");
        continue;
      case G_OVERSUB:
        if (value_is(v, vlen, "true")) out->oversubscribe = true;
        else if (!value_is(v, vlen, "false")) return fail(err, errlen, line, "oversubscribe must be true or false");
        continue;
      case G_REGION:
        if (!copy_value(out->region, sizeof out->region, v, vlen))
          return fail(err, errlen, line, "region must be a path of 1..%d bytes", VGPU_PATH_MAX - 1);
        continue;
      default:
        break;
    }
    if (klen <= 7 || memcmp(l, "device.", 7) != 0) continue; /* a key added by a later minor revision */
    const char *p = l + 7, *end = l + klen;
    uint64_t idx = 0;
    const char *dot = memchr(p, '.', (size_t)(end - p));
    if (dot == NULL || parse_number(p, (size_t)(dot - p), VGPU_MAX_DEVICES - 1, &idx) != 0 ||
        (dot - p > 1 && *p == '0'))
      return fail(err, errlen, line, "device index in '%.*s' must be 0..%d", (int)klen, l, VGPU_MAX_DEVICES - 1);
    const char *field = dot + 1;
    size_t flen = (size_t)(end - field);
    unsigned bit = value_is(field, flen, "id")             ? SEEN_ID
                   : value_is(field, flen, "memory_mib")   ? SEEN_MEM
                   : value_is(field, flen, "core_percent") ? SEEN_CORE
                   : value_is(field, flen, "scheduler")    ? SEEN_SCHED
                                                           : 0;
    if (bit == 0) continue; /* a device field added by a later minor revision */
    if (seen_dev[idx] & bit) return fail(err, errlen, line, "duplicate key %.*s", (int)klen, l);
    seen_dev[idx] |= bit;
    vgpu_limits_device *d = &out->device[idx];
    if (bit == SEEN_ID && !copy_value(d->id, sizeof d->id, v, vlen))
      return fail(err, errlen, line, "device id must be 1..%d bytes", VGPU_LIMITS_ID_MAX - 1);
    if (bit == SEEN_MEM) {
      if (parse_number(v, vlen, UINT64_MAX >> 20, &n) != 0)
        return fail(err, errlen, line, "memory_mib must be a number of MiB below 2^44");
      d->memory_mib = n;
    }
    if (bit == SEEN_CORE) {
      if (parse_number(v, vlen, 100, &n) != 0) return fail(err, errlen, line, "core_percent must be 0..100");
      d->core_percent = (uint32_t)n;
    }
    if (bit == SEEN_SCHED && !copy_value(d->scheduler, sizeof d->scheduler, v, vlen))
      return fail(err, errlen, line, "scheduler must be a path of 1..%d bytes", VGPU_PATH_MAX - 1);
  }
  if (!have_version) return fail(err, errlen, 0, "no version line");
  if (!(seen_global & G_KIND)) return fail(err, errlen, 0, "kind is missing");
  if (!(seen_global & G_DEVICES)) return fail(err, errlen, 0, "devices is missing");
  for (uint32_t i = 0; i < VGPU_MAX_DEVICES; i++) {
    unsigned need = SEEN_ID | SEEN_MEM | SEEN_CORE;
    if (i < out->devices && (seen_dev[i] & need) != need)
      return fail(err, errlen, 0, "device.%u needs id, memory_mib and core_percent", i);
    if (i >= out->devices && seen_dev[i] != 0)
      return fail(err, errlen, 0, "device.%u is listed but devices=%u", i, out->devices);
    if (out->kind != VGPU_LIMITS_NPU && (seen_dev[i] & SEEN_SCHED))
      return fail(err, errlen, 0, "device.%u.scheduler is only valid with kind=npu", i);
  }
  if (out->kind != VGPU_LIMITS_CUDA && out->oversubscribe)
    return fail(err, errlen, 0, "oversubscribe=true is only valid with kind=cuda");
  return VGPU_LIMITS_OK;
}

typedef struct {
  char *buf;
  size_t cap, len;
  bool overflow;
} out_buf;

static void put(out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out_buf *o, const char *fmt, ...) {
  if (o->overflow) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= o->cap - o->len) o->overflow = true;
  else o->len += (size_t)n;
}

static bool one_line(const char *s) { return s[0] != '\0' && strpbrk(s, "\r\n") == NULL; }

size_t vgpu_limits_format(const vgpu_limits *l, char *buf, size_t cap) {
  if (buf == NULL || cap == 0 || l->devices == 0 || l->devices > VGPU_MAX_DEVICES ||
      (l->kind != VGPU_LIMITS_CUDA && l->kind != VGPU_LIMITS_NPU) || l->priority < 0 || l->priority > 1000 ||
      (l->core_policy != VGPU_POLICY_FORCE && l->core_policy != VGPU_POLICY_DEFAULT))
    return 0;
  out_buf o = {buf, cap, 0, false};
  put(&o, "version=%u\nkind=%s\ndevices=%u\n", VGPU_LIMITS_VERSION, l->kind == VGPU_LIMITS_CUDA ? "cuda" : "npu",
      l->devices);
  for (uint32_t i = 0; i < l->devices; i++) {
    const vgpu_limits_device *d = &l->device[i];
    if (!one_line(d->id) || d->core_percent > 100 || d->memory_mib > (UINT64_MAX >> 20)) return 0;
    put(&o, "device.%u.id=%s\ndevice.%u.memory_mib=%llu\ndevice.%u.core_percent=%u\n", i, d->id, i,
        (unsigned long long)d->memory_mib, i, d->core_percent);
    if (d->scheduler[0] != '\0') {
      if (l->kind != VGPU_LIMITS_NPU || !one_line(d->scheduler)) return 0;
      put(&o, "device.%u.scheduler=%s\n", i, d->scheduler);
    }
  }
  put(&o, "priority=%d\ncore_policy=%s\noversubscribe=%s\n", l->priority,
      l->core_policy == VGPU_POLICY_FORCE ? "force" : "default", l->oversubscribe ? "true" : "false");
  if (l->region[0] != '\0') {
    if (!one_line(l->region)) return 0;
    put(&o, "region=%s\n", l->region);
  }
  return o.overflow ? 0 : o.len;
}

vgpu_limits_status vgpu_limits_read(const char *path, vgpu_limits *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return VGPU_LIMITS_ABSENT;
    return fail(err, errlen, 0, "cannot open %s: %s", path, strerror(errno));
  }
  static __thread char text[VGPU_LIMITS_MAX_BYTES + 1];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, text + len, sizeof text - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return fail(err, errlen, 0, "cannot read %s: %s", path, strerror(e));
    }
    if (n == 0) break;
    len += (size_t)n;
    if (len == sizeof text) break;
  }
  close(fd);
  char inner[384] = "";
  vgpu_limits_status st = vgpu_limits_parse(text, len, out, inner, sizeof inner);
  if (st != VGPU_LIMITS_OK) return fail(err, errlen, 0, "limits file %s: %s", path, inner);
  return st;
}

const char *vgpu_limits_path(const char *default_path, const char *env_override) {
  struct stat sb;
  if (stat(default_path, &sb) == 0 || errno != ENOENT) return default_path; /* mounted: the env cannot move it */
  return env_override != NULL && *env_override ? env_override : default_path;
}

static void note(vgpu_report_fn report, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(vgpu_report_fn report, void *ctx, const char *fmt, ...) {
  if (report == NULL) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report(msg, ctx);
}

void vgpu_limits_apply(vgpu_config *cfg, const vgpu_limits *l, vgpu_report_fn report, void *report_ctx) {
  bool raised = false;
  for (uint32_t i = 0; i < l->devices && i < VGPU_MAX_DEVICES; i++) {
    uint64_t file_mem = l->device[i].memory_mib << 20;
    uint32_t file_core = l->device[i].core_percent == 0 ? 100 : l->device[i].core_percent;
    uint64_t mem = vgpu_lower_limit(file_mem, cfg->mem_limit[i]);
    uint32_t core = cfg->sm_limit[i] < file_core ? cfg->sm_limit[i] : file_core;
    if ((cfg->mem_limit[i] != 0 && mem < cfg->mem_limit[i]) || (cfg->sm_limit[i] < 100 && core < cfg->sm_limit[i]))
      raised = true;
    cfg->mem_limit[i] = mem;
    cfg->sm_limit[i] = core;
    if (l->device[i].scheduler[0] != '\0') {
      if (cfg->scheduler[i][0] != '\0' && strcmp(cfg->scheduler[i], l->device[i].scheduler) != 0)
        note(report, report_ctx, "device %u: the limits file's scheduler %s applies, not the environment's %s", i,
             l->device[i].scheduler, cfg->scheduler[i]);
      snprintf(cfg->scheduler[i], sizeof cfg->scheduler[i], "%s", l->device[i].scheduler);
    }
  }
  if (raised)
    note(report, report_ctx,
         "the environment asks for more than the limits file allows; the file's limits apply "
         "(device 0: %llu MiB, %u%% cores)",
         (unsigned long long)(cfg->mem_limit[0] >> 20), cfg->sm_limit[0]);
  vgpu_config_settle(cfg);
  if (cfg->policy == VGPU_POLICY_DISABLE && cfg->any_sm_limit)
    note(report, report_ctx, "core policy 'disable' ignored: the limits file sets a core limit");
  if (cfg->policy != VGPU_POLICY_FORCE) cfg->policy = l->core_policy;
  if (l->priority > cfg->priority) cfg->priority = l->priority;
  if (cfg->oversubscribe && !l->oversubscribe) {
    note(report, report_ctx, "oversubscription ignored: the limits file does not allow it");
    cfg->oversubscribe = false;
  }
  if (l->region[0] != '\0') {
    if (strcmp(cfg->shared_cache, l->region) != 0 && cfg->region_from_env)
      note(report, report_ctx, "the limits file's region %s applies, not the environment's %s", l->region,
           cfg->shared_cache);
    snprintf(cfg->shared_cache, sizeof cfg->shared_cache, "%s", l->region);
  }
  cfg->from_file = true;
}
