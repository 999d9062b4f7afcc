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

#include "../src/npu_abi.h"
#include "check.h"

#define MIB (1ULL << 20)
#define OOM ACL_ERROR_RT_MEMORY_ALLOCATION

aclError aclrtSetDevice(int32_t);
aclError aclrtMalloc(void **, size_t, int);
aclError aclrtMallocCached(void **, size_t, int);
aclError aclrtMallocAlign32(void **, size_t, int);
aclError aclrtFree(void *);
aclError aclrtMallocPhysical(aclrtDrvMemHandle *, size_t, const aclrtPhysicalMemProp *, uint64_t);
aclError aclrtFreePhysical(aclrtDrvMemHandle);
aclError aclrtGetMemInfo(int, size_t *, size_t *);
aclError aclrtLaunchKernel(aclrtFuncHandle, uint32_t, const void *, size_t, aclrtStream);
aclError aclmdlLoadFromMem(const void *, size_t, uint32_t *);
aclError aclmdlUnload(uint32_t);
aclError aclmdlExecute(uint32_t, const aclmdlDataset *, aclmdlDataset *);
aclError aclmdlExecuteAsync(uint32_t, const aclmdlDataset *, aclmdlDataset *, aclrtStream);
rtError_t rtMalloc(void **, uint64_t, uint32_t, uint16_t);
rtError_t rtMallocCached(void **, uint64_t, uint32_t, uint16_t);
rtError_t rtFree(void *);
rtError_t rtMallocPhysical(rtDrvMemHandle *, size_t, rtDrvMemProp_t *, uint64_t);
rtError_t rtFreePhysical(rtDrvMemHandle);
rtError_t rtMemGetInfoEx(int, size_t *, size_t *);
rtError_t rtMemGetInfo(size_t *, size_t *);
rtError_t rtKernelLaunch(const void *, uint32_t, void *, uint32_t, rtSmDesc_t *, rtStream_t);
rtError_t rtKernelLaunchWithFlagV2(const void *, uint32_t, rtArgsEx_t *, rtSmDesc_t *, rtStream_t, uint32_t,
                                   const rtTaskCfgInfo_t *);
rtError_t rtKernelLaunchWithHandleV2(void *, uint64_t, uint32_t, rtArgsEx_t *, rtSmDesc_t *, rtStream_t,
                                     const rtTaskCfgInfo_t *);
rtError_t rtAicpuKernelLaunchWithFlag(const rtKernelLaunchNames_t *, uint32_t, const rtArgsEx_t *, rtSmDesc_t *,
                                      rtStream_t, uint32_t);
rtError_t rtAicpuKernelLaunchExWithArgs(uint32_t, const char *, uint32_t, const rtAicpuArgsEx_t *, rtSmDesc_t *,
                                        rtStream_t, uint32_t);
rtError_t rtModelExecute(rtModel_t, rtStream_t, uint32_t);
unsigned long long stub_npu_used(int);
unsigned long long stub_npu_frees(void);
unsigned long long stub_npu_shared_peak(void);
uint64_t stub_npu_launches(void);
rtError_t stub_rt_alloc_untracked(void **, uint64_t);

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

/* 8 processes race one 1 GiB quota: the runtime-side sum, sampled at every allocation, never exceeds it */
static int race(void) {
  enum { WORKERS = 8 };
  CHECK(aclrtSetDevice(0) == ACL_SUCCESS); /* maps the runtime's shared peak in this process too */
  int up[2], go[2];
  CHECK(pipe(up) == 0 && pipe(go) == 0);
  pid_t kids[WORKERS];
  for (int w = 0; w < WORKERS; w++) {
    kids[w] = fork();
    if (kids[w] == 0) {
      if (aclrtSetDevice(0) != ACL_SUCCESS) _exit(3);
      uint64_t seed = (uint64_t)getpid() * 2654435761u;
      void *ptrs[4096];
      int n = 0;
      for (int i = 0; i < 500 && n < 4096; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        size_t sz = (size_t)(1 + seed % 16) * MIB;
        if (seed % 5 == 0 && n > 0) {
          if ((seed & 8) ? aclrtFree(ptrs[--n]) : rtFree(ptrs[--n])) _exit(4);
          continue;
        }
        aclError rc = (seed & 16) ? aclrtMalloc(&ptrs[n], sz, 0) : rtMalloc(&ptrs[n], sz, 0, 0);
        if (rc == ACL_SUCCESS) n++;
        else if (rc != OOM) _exit(5);
      }
      uint64_t held = stub_npu_used(0);
      if (write(up[1], &held, sizeof held) != sizeof held) _exit(6);
      char c;
      if (read(go[0], &c, 1) != 1) _exit(7);
      while (n > 0) aclrtFree(ptrs[--n]);
      _exit(0);
    }
  }
  uint64_t sum = 0;
  for (int w = 0; w < WORKERS; w++) {
    uint64_t h = 0;
    CHECK(read(up[0], &h, sizeof h) == sizeof h);
    sum += h;
  }
  fprintf(stderr, "8 processes hold %llu MiB together; runtime-side peak %llu MiB (quota 1024 MiB)\n",
          (unsigned long long)(sum >> 20), stub_npu_shared_peak() >> 20);
  CHECK(stub_npu_shared_peak() <= 1024 * MIB);             /* at no instant above the quota */
  CHECK(stub_npu_shared_peak() >= 1024 * MIB - 16 * MIB);   /* and they did fill it */
  CHECK(sum <= 1024 * MIB && sum >= 1024 * MIB - 8 * 16 * MIB);
  char all[WORKERS];
  memset(all, 'g', sizeof all);
  CHECK(write(go[1], all, sizeof all) == sizeof all);
  for (int w = 0; w < WORKERS; w++) {
    int st;
    CHECK(waitpid(kids[w], &st, 0) == kids[w] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  CHECK(aclrtSetDevice(0) == ACL_SUCCESS);
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
