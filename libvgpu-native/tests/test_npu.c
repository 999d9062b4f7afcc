/*
 * Ascend front end on the stub runtime (libascendcl.so over libruntime.so), run with LD_PRELOAD=libvgpu.so.
 * One binary, one subcommand per CTest case (the env differs per case). STUB_ACL_DIRECT=1 runs the same cases with
 * an ACL that reaches the runtime internally, so only the ACL-level hooks see ACL calls.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../stub/runtime_api.h"
#include "check.h"

#define MIB (1ULL << 20)
#define OOM ACL_ERROR_RT_MEMORY_ALLOCATION

static uint64_t (*stat_fn(const char *name))(void) { return (uint64_t(*)(void))dlsym(RTLD_DEFAULT, name); }

static size_t free_now(void) {
  size_t f = 0, t = 0;
  CHECK(aclrtGetMemInfo(1, &f, &t) == ACL_SUCCESS);
  return f;
}

static aclrtPhysicalMemProp acl_prop(int dev) {
  aclrtPhysicalMemProp p;
  memset(&p, 0, sizeof p);
  p.location.type = ACL_MEM_LOCATION_TYPE_DEVICE;
  p.location.id = (uint32_t)dev;
  return p;
}

/* NPU_MEM_QUOTA=64 (MiB) on device 0, NPU_MEM_QUOTA_1=32 on device 1, 1 GiB cards: every path to device memory */
static int quota(void) {
  CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
  size_t f = 0, t = 0;
  CHECK(aclrtGetMemInfo(1, &f, &t) == ACL_SUCCESS && t == 64 * MIB && f == 64 * MIB);
  CHECK(rtMemGetInfoEx(1, &f, &t) == RT_ERROR_NONE && t == 64 * MIB && f == 64 * MIB);
  CHECK(rtMemGetInfo(&f, &t) == RT_ERROR_NONE && t == 64 * MIB && f == 64 * MIB);
  /* each ACL and rt allocator: the whole quota allocates, one byte more is the runtime's OOM, nothing allocated */
  static const char *names[] = {"aclrtMalloc", "aclrtMallocCached", "aclrtMallocAlign32", "rtMalloc", "rtMallocCached"};
  for (int k = 0; k < 5; k++) {
    void *a = NULL, *b = NULL;
    aclError rc1, rc2;
    switch (k) {
      case 0: rc1 = aclrtMalloc(&a, 64 * MIB, 0); rc2 = aclrtMalloc(&b, 1, 0); break;
      case 1: rc1 = aclrtMallocCached(&a, 64 * MIB, 0); rc2 = aclrtMallocCached(&b, 1, 0); break;
      case 2: rc1 = aclrtMallocAlign32(&a, 64 * MIB, 0); rc2 = aclrtMallocAlign32(&b, 1, 0); break;
      case 3: rc1 = rtMalloc(&a, 64 * MIB, 0, 0); rc2 = rtMalloc(&b, 1, 0, 0); break;
      default: rc1 = rtMallocCached(&a, 64 * MIB, 0, 0); rc2 = rtMallocCached(&b, 1, 0, 0); break;
    }
    if (rc1 != ACL_SUCCESS || rc2 != OOM) fprintf(stderr, "%s: %d then %d\n", names[k], rc1, rc2);
    CHECK(rc1 == ACL_SUCCESS && rc2 == OOM);
    CHECK_EQ_U(stub_npu_used(0), 64 * MIB); /* the refused byte never reached the runtime */
    CHECK_EQ_U(free_now(), 0);              /* charged once, though ACL went through rtMalloc */
    CHECK((k < 3 ? aclrtFree(a) : rtFree(a)) == ACL_SUCCESS);
    CHECK_EQ_U(free_now(), 64 * MIB);
  }
  /* memory from rtMalloc freed with aclrtFree and the other way round */
  void *a = NULL, *b = NULL;
  CHECK(rtMalloc(&a, 40 * MIB, 0, 0) == RT_ERROR_NONE && aclrtMalloc(&b, 24 * MIB, 0) == ACL_SUCCESS);
  CHECK_EQ_U(free_now(), 0);
  CHECK(aclrtFree(a) == ACL_SUCCESS && rtFree(b) == RT_ERROR_NONE);
  CHECK_EQ_U(free_now(), 64 * MIB);
  /* VMM-style physical allocations at both layers, per handle */
  aclrtPhysicalMemProp ap = acl_prop(0);
  aclrtDrvMemHandle h1 = NULL, h2 = NULL;
  CHECK(aclrtMallocPhysical(&h1, 48 * MIB, &ap, 0) == ACL_SUCCESS);
  CHECK(aclrtMallocPhysical(&h2, 17 * MIB, &ap, 0) == OOM);
  rtDrvMemProp_t rp = {.side = 1, .devid = 0};
  rtDrvMemHandle h3 = NULL;
  CHECK(rtMallocPhysical(&h3, 16 * MIB, &rp, 0) == RT_ERROR_NONE);
  CHECK(rtMallocPhysical(&h2, 1, &rp, 0) == OOM);
  CHECK_EQ_U(free_now(), 0);
  CHECK(aclrtFreePhysical(h1) == ACL_SUCCESS && rtFreePhysical(h3) == RT_ERROR_NONE);
  CHECK_EQ_U(free_now(), 64 * MIB);
  /* a model's weights are allocated inside ACL through rtMalloc (aclmdlLoad* is not hooked): charged at rt*.
   * (An ACL that reaches the runtime internally hides this path; CANN's goes through the exported rt* symbols.) */
  const char *direct = getenv("STUB_ACL_DIRECT");
  if (direct == NULL || *direct != '1') {
    uint32_t model, model2;
    CHECK(aclmdlLoadFromMem("model", 60 * MIB, &model) == ACL_SUCCESS);
    CHECK_EQ_U(free_now(), 4 * MIB);
    CHECK(aclmdlLoadFromMem("model", 8 * MIB, &model2) == OOM);
    CHECK(aclmdlUnload(model) == ACL_SUCCESS);
    CHECK_EQ_U(free_now(), 64 * MIB);
  }
  /* a free of memory the library never saw still reaches the runtime */
  void *u = NULL;
  CHECK(stub_rt_alloc_untracked(&u, MIB) == RT_ERROR_NONE);
  unsigned long long frees = stub_npu_frees();
  CHECK(aclrtFree(u) == ACL_SUCCESS);
  CHECK_EQ_U(stub_npu_frees(), frees + 1);
  /* device 1 has its own quota */
  CHECK(aclrtSetDevice(1) == ACL_SUCCESS);
  CHECK(aclrtGetMemInfo(1, &f, &t) == ACL_SUCCESS && t == 32 * MIB);
  CHECK(aclrtMalloc(&a, 32 * MIB, 0) == ACL_SUCCESS && aclrtMalloc(&b, 1, 0) == OOM);
  CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
  CHECK(aclrtMalloc(&b, 64 * MIB, 0) == ACL_SUCCESS); /* device 0 unaffected */
  CHECK(aclrtFree(b) == ACL_SUCCESS);
  CHECK(aclrtSetDevice(1) == ACL_SUCCESS && aclrtFree(a) == ACL_SUCCESS);
  CHECK_DONE();
}

/* NPU_CORE_PERCENT=50: every launch path reaches the runtime and waits for its turn exactly once */
static int launches(void) {
  uint64_t (*outer)(void) = stat_fn("vgpu_stat_npu_launches"), (*metered)(void) = stat_fn("vgpu_stat_npu_metered_launches");
  CHECK(outer != NULL && metered != NULL);
  if (outer == NULL || metered == NULL) CHECK_DONE();
  CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
  uint32_t model;
  CHECK(aclmdlLoadFromMem("model", MIB, &model) == ACL_SUCCESS);
  uint64_t o0 = outer(), m0 = metered(), d0 = stub_npu_launches();
  CHECK(aclrtLaunchKernel(NULL, 8, NULL, 0, NULL) == ACL_SUCCESS);      /* -> rtKernelLaunchWithHandleV2 */
  CHECK(aclmdlExecute(model, NULL, NULL) == ACL_SUCCESS);               /* -> rtModelExecute */
  CHECK(aclmdlExecuteAsync(model, NULL, NULL, NULL) == ACL_SUCCESS);    /* -> rtModelExecute */
  CHECK(rtKernelLaunch(NULL, 8, NULL, 0, NULL, NULL) == RT_ERROR_NONE);
  CHECK(rtKernelLaunchWithFlagV2(NULL, 8, NULL, NULL, NULL, 0, NULL) == RT_ERROR_NONE);
  CHECK(rtKernelLaunchWithHandleV2(NULL, 0, 8, NULL, NULL, NULL, NULL) == RT_ERROR_NONE);
  CHECK(rtAicpuKernelLaunchWithFlag(NULL, 1, NULL, NULL, NULL, 0) == RT_ERROR_NONE);
  CHECK(rtAicpuKernelLaunchExWithArgs(0, "op", 1, NULL, NULL, NULL, 0) == RT_ERROR_NONE);
  CHECK(rtModelExecute(NULL, NULL, 0) == RT_ERROR_NONE);
  CHECK_EQ_U(stub_npu_launches() - d0, 9); /* all reached the device */
  CHECK_EQ_U(outer() - o0, 9);             /* counted once each, though ACL went through rt* */
  CHECK_EQ_U(metered() - m0, 9);           /* and each waited for its turn once */
  CHECK(aclmdlUnload(model) == ACL_SUCCESS);
  CHECK_DONE();
}

static void race_setup(void) {
  if (aclrtSetDevice(0) != ACL_SUCCESS) _exit(3);
}
static int race_alloc(uint64_t *key, size_t bytes, uint64_t r) { /* either layer */
  void *p = NULL;
  int rc = (r & 16) ? aclrtMalloc(&p, bytes, 0) : rtMalloc(&p, bytes, 0, 0);
  *key = (uint64_t)(uintptr_t)p;
  return rc;
}
static int race_free(uint64_t key, uint64_t r) {
  return (r & 8) ? aclrtFree((void *)(uintptr_t)key) : rtFree((void *)(uintptr_t)key);
}
static unsigned long long race_used(void) { return stub_npu_used(0); }

/* 8 processes race one 1 GiB quota through both layers: the runtime-side sum, sampled at every allocation, never
 * exceeds it */
static int race(void) {
  CHECK(aclrtSetDevice(0) == ACL_SUCCESS); /* maps the runtime's shared peak in this process too */
  race_ops o = {8, 1024 * MIB, race_setup, race_alloc, race_free, OOM, race_used, stub_npu_shared_peak};
  race_run(&o, "Ascend processes");
  CHECK_EQ_U(free_now(), 1024 * MIB);
  CHECK_DONE();
}

/* A process holding 768 MiB of a 1 GiB quota is killed with SIGKILL: its memory is reclaimed; a forked child has
 * its own slot, sees the parent's memory, and returns its own when it exits. */
static int kill_and_fork(void) {
  int up[2];
  CHECK(pipe(up) == 0);
  pid_t k = fork();
  if (k == 0) {
    void *p;
    char c = aclrtSetDevice(0) == ACL_SUCCESS && aclrtMalloc(&p, 768 * MIB, 0) == ACL_SUCCESS ? 'y' : 'n';
    if (write(up[1], &c, 1) != 1) _exit(2);
    for (;;) pause();
  }
  char c = 0;
  CHECK(read(up[0], &c, 1) == 1 && c == 'y');
  CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
  void *p, *q;
  CHECK(aclrtMalloc(&p, 512 * MIB, 0) == OOM); /* it is alive and holds 768 */
  kill(k, SIGKILL);
  waitpid(k, NULL, 0);
  CHECK(aclrtMalloc(&p, 1024 * MIB, 0) == ACL_SUCCESS); /* reclaimed on demand */
  CHECK(aclrtFree(p) == ACL_SUCCESS);
  CHECK(aclrtMalloc(&p, 512 * MIB, 0) == ACL_SUCCESS);
  pid_t f = fork();
  if (f == 0) {
    int bad = 0;
    if (aclrtSetDevice(0) != ACL_SUCCESS) bad |= 1;
    if (aclrtMalloc(&q, 512 * MIB, 0) != ACL_SUCCESS) bad |= 2; /* its own slot */
    if (aclrtMalloc(&q, 1, 0) != OOM) bad |= 4;                 /* and the parent's 512 count */
    _exit(bad);                                                 /* exits holding 512: returned with its slot */
  }
  int st;
  CHECK(waitpid(f, &st, 0) == f && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  CHECK(aclrtMalloc(&q, 512 * MIB, 0) == ACL_SUCCESS);
  CHECK(aclrtFree(q) == ACL_SUCCESS && aclrtFree(p) == ACL_SUCCESS);
  CHECK_EQ_U(free_now(), 1024 * MIB);
  CHECK_DONE();
}

/* No quota and no core share: everything passes through (the card's own totals, no waiting) */
static int passthrough(void) {
  uint64_t (*metered)(void) = stat_fn("vgpu_stat_npu_metered_launches");
  CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
  size_t f, t;
  CHECK(aclrtGetMemInfo(1, &f, &t) == ACL_SUCCESS && t == 64ULL << 30 && f == 64ULL << 30);
  void *p;
  CHECK(aclrtMalloc(&p, 60ULL << 30, 0) == ACL_SUCCESS);
  CHECK(aclrtMalloc(&p, 8ULL << 30, 0) == OOM); /* the runtime's own OOM, passed on */
  for (int i = 0; i < 1000; i++) CHECK(aclrtLaunchKernel(NULL, 8, NULL, 0, NULL) == ACL_SUCCESS);
  CHECK(metered != NULL && metered() == 0);
  CHECK_DONE();
}

int main(int argc, char **argv) {
  if (argc < 2) return 64;
  const char *t = argv[1];
  if (strcmp(t, "quota") == 0) return quota();
  if (strcmp(t, "launches") == 0) return launches();
  if (strcmp(t, "race") == 0) return race();
  if (strcmp(t, "kill_and_fork") == 0) return kill_and_fork();
  if (strcmp(t, "passthrough") == 0) return passthrough();
  fprintf(stderr, "unknown test %s\n", t);
  return 64;
}
