/*
 * Stub libcuda.so.1 for CPU-only tests: fake devices with a configurable total
 * (STUB_CUDA_TOTAL_MEM, size with k/m/g suffix, default 80g; STUB_CUDA_DEVICES, default 2;
 * STUB_CUDA_SMS, default 132), fake pointers from a counter, a real OOM at the fake total,
 * versioned cuGetProcAddress(_v2) answers, and a record of which variant was called last.
 * STUB_CUDA_LAUNCH_NS makes each launch busy-wait that long (CPU time). STUB_CUDA_KERNEL_NS instead gives each
 * launch that much device time on the simulated card (stub/simcard.h, shared through STUB_SIM_CARD): launches are
 * asynchronous, cuCtxSynchronize waits for them, and the stub NVML reports utilisation from the card.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/cuda_abi.h"
#include "simcard.h"
#include "stubmem.h"

#define EXPORT __attribute__((visibility("default")))
#define MAXDEV 16

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ndev = -1;
static int sms = 132;
static long launch_ns;
static unsigned long long kernel_ns; /* STUB_CUDA_KERNEL_NS: device time per launch on the simulated card */
static unsigned long long ctx_mem; /* STUB_CUDA_CONTEXT_MEM: device memory a new context takes */
static int primary_made[MAXDEV];
static unsigned long long ctx_serial;
static unsigned long long launches;
static __thread int cur_dev = -1;
static __thread const char *last_call = "";
static int initialised;

/* ---- processes with a context, as NVML lists them: PIDs of the node's namespace ---- */
/* STUB_HOST_PROC=<dir>: a procfs of the node's PID namespace (bind-mounted before entering a PID namespace), whose
 * "self" is this process's host PID, as the real driver sees it. Without it the host PID is getpid(). */
EXPORT int stub_host_pid(void) {
  const char *hp = getenv("STUB_HOST_PROC");
  if (hp == NULL || *hp == '\0') return (int)getpid();
  char path[512], link[64];
  snprintf(path, sizeof path, "%s/self", hp);
  ssize_t n = readlink(path, link, sizeof link - 1);
  if (n <= 0) return (int)getpid();
  link[n] = '\0';
  return atoi(link);
}
static int host_alive(int pid) {
  const char *hp = getenv("STUB_HOST_PROC");
  char path[512];
  snprintf(path, sizeof path, "%s/%d", hp != NULL && *hp ? hp : "/proc", pid);
  return access(path, F_OK) == 0;
}
#define MAXPROCS 64
/* STUB_CUDA_PROCS=<file>: the list is shared by every process using the file (one card, many processes). */
static struct proc_entry {
  int pid;
  unsigned devmask;
} local_procs[MAXPROCS], *procs = local_procs;
static void procs_setup(void) {
  const char *f = getenv("STUB_CUDA_PROCS");
  if (f == NULL || *f == '\0') return;
  int fd = open(f, O_RDWR | O_CREAT, 0600);
  if (fd >= 0 && ftruncate(fd, sizeof local_procs) == 0) {
    void *m = mmap(NULL, sizeof local_procs, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m != MAP_FAILED) procs = m;
  }
  if (fd >= 0) close(fd);
}
static void procs_add(int dev) {
  int me = stub_host_pid();
  for (int i = 0; i < MAXPROCS; i++) {
    int p = __atomic_load_n(&procs[i].pid, __ATOMIC_ACQUIRE);
    if (p == me) {
      __atomic_fetch_or(&procs[i].devmask, 1u << dev, __ATOMIC_ACQ_REL);
      return;
    }
  }
  for (int i = 0; i < MAXPROCS; i++) {
    int p = __atomic_load_n(&procs[i].pid, __ATOMIC_ACQUIRE);
    if ((p == 0 || !host_alive(p)) && __atomic_compare_exchange_n(&procs[i].pid, &p, me, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      __atomic_store_n(&procs[i].devmask, 1u << dev, __ATOMIC_RELEASE);
      return;
    }
  }
}
/* Live processes with a context on dev (for the stub NVML). */
EXPORT int stub_cuda_procs(int dev, unsigned *pids, int max) {
  int n = 0;
  for (int i = 0; i < MAXPROCS && n < max; i++) {
    int p = __atomic_load_n(&procs[i].pid, __ATOMIC_ACQUIRE);
    if (p != 0 && (__atomic_load_n(&procs[i].devmask, __ATOMIC_ACQUIRE) & (1u << dev)) && host_alive(p))
      pids[n++] = (unsigned)p;
  }
  return n;
}

static void setup(void) {
  if (ndev >= 0) return;
  procs_setup();
  const char *d = getenv("STUB_CUDA_DEVICES");
  stubmem_setup(stubmem_parse_size(getenv("STUB_CUDA_TOTAL_MEM"), 80ULL << 30), getenv("STUB_CUDA_SHARED_USED"));
  sms = (int)stubmem_parse_size(getenv("STUB_CUDA_SMS"), 132);
  launch_ns = (long)stubmem_parse_size(getenv("STUB_CUDA_LAUNCH_NS"), 0);
  kernel_ns = stubmem_parse_size(getenv("STUB_CUDA_KERNEL_NS"), 0);
  ctx_mem = stubmem_parse_size(getenv("STUB_CUDA_CONTEXT_MEM"), 0);
  int n = d ? atoi(d) : 2;
  ndev = n < 1 ? 1 : n > MAXDEV ? MAXDEV : n;
}

#define CALLED(name) (last_call = name)

EXPORT const char *stub_cuda_last_call(void) { return last_call; }
EXPORT unsigned long long stub_cuda_frees(void) { return stubmem_frees(); }
EXPORT unsigned long long stub_cuda_shared_peak(void) { return stubmem_shared_peak(); }
EXPORT unsigned long long stub_cuda_launches(void) { return launches; }
EXPORT unsigned long long stub_cuda_used(int dev) { return stubmem_used(dev); }

static CUresult do_alloc(unsigned long long *out, unsigned long long size, int dev, int kind) {
  setup();
  if (dev < 0) return CUDA_ERROR_INVALID_CONTEXT;
  switch (stubmem_alloc(out, size, dev, kind)) {
    case STUBMEM_OK: return CUDA_SUCCESS;
    case STUBMEM_OOM: return CUDA_ERROR_OUT_OF_MEMORY;
    default: return CUDA_ERROR_INVALID_VALUE;
  }
}

static CUresult do_free(unsigned long long key, int kind) {
  return stubmem_free(key, kind) == STUBMEM_OK ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

/* Allocates without going through any exported entry point (an "untracked" allocation). */
EXPORT CUresult stub_cuda_alloc_untracked(unsigned long long *out, unsigned long long size) {
  return do_alloc(out, size, cur_dev < 0 ? 0 : cur_dev, 0);
}

EXPORT CUresult cuInit(unsigned int flags) {
  (void)flags;
  setup();
  initialised = 1;
  CALLED("cuInit");
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDriverGetVersion(int *v) {
  *v = 12040;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetCount(int *n) {
  setup();
  if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
  *n = ndev;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGet(CUdevice *d, int ordinal) {
  setup();
  if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
  if (ordinal < 0 || ordinal >= ndev) return 101; /* CUDA_ERROR_INVALID_DEVICE */
  *d = ordinal;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
  (void)d;
  strncpy(name, "Stub GPU", (size_t)len);
  if (len > 0) name[len - 1] = '\0';
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetAttribute(int *v, int attr, CUdevice d) {
  setup();
  (void)d;
  *v = attr == CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT ? sms : 1;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d) {
  setup();
  if (d < 0 || d >= ndev) return 101;
  *bytes = stubmem_total();
  CALLED("cuDeviceTotalMem_v2");
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceTotalMem(unsigned int *bytes, CUdevice d) {
  setup();
  (void)d;
  *bytes = (unsigned int)(stubmem_total() > 0xffffffffULL ? 0xffffffffULL : stubmem_total());
  CALLED("cuDeviceTotalMem");
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice d) {
  setup();
  if (d < 0 || d >= ndev) return 101;
  pthread_mutex_lock(&mu);
  if (!primary_made[d]) {
    primary_made[d] = 1;
    stubmem_adjust(d, (long long)ctx_mem);
  }
  pthread_mutex_unlock(&mu);
  procs_add(d);
  *ctx = (CUcontext)(uintptr_t)(d + 1);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
  (void)d;
  return CUDA_SUCCESS;
}
/* Internal calls never go through exported (interposable) symbols, as in a real driver. */
static CUresult ctx_create(CUcontext *ctx, unsigned int flags, CUdevice d) {
  (void)flags;
  setup();
  if (d < 0 || d >= ndev) return 101;
  pthread_mutex_lock(&mu);
  stubmem_adjust(d, (long long)ctx_mem);
  *ctx = (CUcontext)(uintptr_t)((unsigned long long)(d + 1) + 256 * ++ctx_serial);
  pthread_mutex_unlock(&mu);
  procs_add(d);
  cur_dev = d;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxCreate_v2(CUcontext *ctx, unsigned int flags, CUdevice d) {
  CALLED("cuCtxCreate_v2");
  return ctx_create(ctx, flags, d);
}
EXPORT CUresult cuCtxCreate_v3(CUcontext *ctx, CUexecAffinityParam *affinity, int naffinity, unsigned int flags,
                               CUdevice d) {
  (void)affinity, (void)naffinity;
  CALLED("cuCtxCreate_v3");
  return ctx_create(ctx, flags, d);
}
EXPORT CUresult cuCtxCreate_v4(CUcontext *ctx, CUctxCreateParams *cparams, unsigned int flags, CUdevice d) {
  (void)cparams;
  CALLED("cuCtxCreate_v4");
  return ctx_create(ctx, flags, d);
}
EXPORT CUresult cuCtxSetCurrent(CUcontext ctx) {
  cur_dev = ctx == NULL ? -1 : (int)((uintptr_t)ctx & 0xff) - 1;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxGetCurrent(CUcontext *ctx) {
  *ctx = cur_dev < 0 ? NULL : (CUcontext)(uintptr_t)(cur_dev + 1);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxGetDevice(CUdevice *d) {
  if (cur_dev < 0) return CUDA_ERROR_INVALID_CONTEXT;
  *d = cur_dev;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxSynchronize(void) {
  if (kernel_ns > 0) simcard_sync(simcard_get(), stub_host_pid());
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxDestroy_v2(CUcontext ctx) {
  if ((uintptr_t)ctx < 256) return CUDA_ERROR_INVALID_CONTEXT; /* primary contexts are not destroyed */
  int d = (int)((uintptr_t)ctx & 0xff) - 1;
  pthread_mutex_lock(&mu);
  stubmem_adjust(d, -(long long)ctx_mem);
  pthread_mutex_unlock(&mu);
  if (cur_dev == d) cur_dev = -1;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemGetInfo_v2(size_t *f, size_t *t) {
  setup();
  if (cur_dev < 0) return CUDA_ERROR_INVALID_CONTEXT;
  *t = stubmem_total();
  *f = stubmem_total() - stubmem_used(cur_dev);
  CALLED("cuMemGetInfo_v2");
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemAlloc(CUdeviceptr_v1 *p, unsigned int size) {
  unsigned long long q;
  CUresult rc = do_alloc(&q, size, cur_dev, 0);
  if (rc == CUDA_SUCCESS) *p = (CUdeviceptr_v1)(q & 0xffffffffu);
  CALLED("cuMemAlloc");
  return rc;
}
EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t size) {
  CALLED("cuMemAlloc_v2");
  return do_alloc(p, size, cur_dev, 0);
}
EXPORT CUresult cuMemAllocPitch_v2(CUdeviceptr *p, size_t *pitch, size_t w, size_t h, unsigned int elem) {
  (void)elem;
  CALLED("cuMemAllocPitch_v2");
  size_t pt = (w + 511) / 512 * 512;
  CUresult rc = do_alloc(p, (unsigned long long)pt * h, cur_dev, 0);
  if (rc == CUDA_SUCCESS) *pitch = pt;
  return rc;
}
EXPORT CUresult cuMemAllocManaged(CUdeviceptr *p, size_t size, unsigned int flags) {
  (void)flags;
  CALLED("cuMemAllocManaged");
  return do_alloc(p, size, cur_dev, 0);
}
EXPORT CUresult cuMemFree_v2(CUdeviceptr p) {
  CALLED("cuMemFree_v2");
  return do_free(p, 0);
}
static CUresult capture_alloc(CUstream s, CUdeviceptr *p, size_t size);
EXPORT CUresult cuMemAllocAsync(CUdeviceptr *p, size_t size, CUstream s) {
  CALLED("cuMemAllocAsync");
  CUresult rc = capture_alloc(s, p, size);
  return rc != CUDA_ERROR_NOT_FOUND ? rc : do_alloc(p, size, cur_dev, 0);
}
EXPORT CUresult cuMemAllocAsync_ptsz(CUdeviceptr *p, size_t size, CUstream s) {
  (void)s;
  CALLED("cuMemAllocAsync_ptsz");
  return do_alloc(p, size, cur_dev, 0);
}
EXPORT CUresult cuMemAllocFromPoolAsync(CUdeviceptr *p, size_t size, CUmemoryPool pool, CUstream s) {
  (void)s;
  (void)pool;
  CALLED("cuMemAllocFromPoolAsync");
  return do_alloc(p, size, cur_dev, 0);
}
EXPORT CUresult cuMemAllocFromPoolAsync_ptsz(CUdeviceptr *p, size_t size, CUmemoryPool pool, CUstream s) {
  (void)s;
  (void)pool;
  CALLED("cuMemAllocFromPoolAsync_ptsz");
  return do_alloc(p, size, cur_dev, 0);
}
EXPORT CUresult cuMemFreeAsync(CUdeviceptr p, CUstream s) {
  (void)s;
  CALLED("cuMemFreeAsync");
  return do_free(p, 0);
}
EXPORT CUresult cuMemFreeAsync_ptsz(CUdeviceptr p, CUstream s) {
  (void)s;
  CALLED("cuMemFreeAsync_ptsz");
  return do_free(p, 0);
}
EXPORT CUresult cuMemCreate(CUmemGenericAllocationHandle *h, size_t size, const CUmemAllocationProp *prop,
                            unsigned long long flags) {
  (void)flags;
  CALLED("cuMemCreate");
  int dev = prop && prop->location.type == CU_MEM_LOCATION_TYPE_DEVICE ? prop->location.id : 0;
  return do_alloc(h, size, dev, 1);
}
EXPORT CUresult cuMemRelease(CUmemGenericAllocationHandle h) {
  CALLED("cuMemRelease");
  return do_free(h, 1);
}
EXPORT CUresult cuArrayCreate_v2(CUarray *a, const CUDA_ARRAY_DESCRIPTOR *d) {
  unsigned long long p;
  CALLED("cuArrayCreate_v2");
  CUresult rc = do_alloc(&p, (unsigned long long)d->Width * (d->Height ? d->Height : 1) * 4 * d->NumChannels,
                         cur_dev, 2);
  if (rc == CUDA_SUCCESS) *a = (CUarray)(uintptr_t)p;
  return rc;
}
EXPORT CUresult cuArray3DCreate_v2(CUarray *a, const CUDA_ARRAY3D_DESCRIPTOR *d) {
  unsigned long long p;
  CALLED("cuArray3DCreate_v2");
  CUresult rc = do_alloc(&p,
                         (unsigned long long)d->Width * (d->Height ? d->Height : 1) * (d->Depth ? d->Depth : 1) * 4 *
                             d->NumChannels,
                         cur_dev, 2);
  if (rc == CUDA_SUCCESS) *a = (CUarray)(uintptr_t)p;
  return rc;
}
EXPORT CUresult cuArrayDestroy(CUarray a) {
  CALLED("cuArrayDestroy");
  return do_free((unsigned long long)(uintptr_t)a, 2);
}

static void busy(void) {
  __atomic_fetch_add(&launches, 1, __ATOMIC_RELAXED);
  if (kernel_ns > 0) simcard_launch(simcard_get(), stub_host_pid(), kernel_ns);
  if (launch_ns <= 0) return;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  do {
    clock_gettime(CLOCK_MONOTONIC, &b);
  } while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < launch_ns);
}

#define KPARAMS                                                                                             \
  (CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,       \
   unsigned int bz, unsigned int shmem, CUstream s, void **params, void **extra)
#define UNUSED_K (void)f, (void)gx, (void)gy, (void)gz, (void)bx, (void)by, (void)bz, (void)shmem, (void)s, (void)params
EXPORT CUresult cuLaunchKernel KPARAMS {
  UNUSED_K, (void)extra;
  CALLED("cuLaunchKernel");
  busy();
  return CUDA_SUCCESS;
}
EXPORT CUresult cuLaunchKernel_ptsz KPARAMS {
  UNUSED_K, (void)extra;
  CALLED("cuLaunchKernel_ptsz");
  busy();
  return CUDA_SUCCESS;
}
EXPORT CUresult cuLaunchCooperativeKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
                                          unsigned int bx, unsigned int by, unsigned int bz, unsigned int shmem,
                                          CUstream s, void **params) {
  UNUSED_K;
  CALLED("cuLaunchCooperativeKernel");
  busy();
  return CUDA_SUCCESS;
}
EXPORT CUresult cuLaunchCooperativeKernel_ptsz(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
                                               unsigned int bx, unsigned int by, unsigned int bz, unsigned int shmem,
                                               CUstream s, void **params) {
  UNUSED_K;
  CALLED("cuLaunchCooperativeKernel_ptsz");
  busy();
  return CUDA_SUCCESS;
}
EXPORT CUresult cuLaunchKernelEx(const CUlaunchConfig *c, CUfunction f, void **params, void **extra) {
  (void)c, (void)f, (void)params, (void)extra;
  CALLED("cuLaunchKernelEx");
  busy();
  return CUDA_SUCCESS;
}
EXPORT CUresult cuLaunchKernelEx_ptsz(const CUlaunchConfig *c, CUfunction f, void **params, void **extra) {
  (void)c, (void)f, (void)params, (void)extra;
  CALLED("cuLaunchKernelEx_ptsz");
  busy();
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGraphLaunch(CUgraphExec g, CUstream s) {
  (void)g, (void)s;
  CALLED("cuGraphLaunch");
  busy();
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGraphLaunch_ptsz(CUgraphExec g, CUstream s) {
  (void)g, (void)s;
  CALLED("cuGraphLaunch_ptsz");
  busy();
  return CUDA_SUCCESS;
}
EXPORT CUresult cuModuleLoadData(CUmodule *m, const void *image) {
  (void)image;
  *m = (CUmodule)(uintptr_t)0x1000;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuModuleGetFunction(CUfunction *f, CUmodule m, const char *name) {
  (void)m, (void)name;
  *f = (CUfunction)(uintptr_t)0x2000;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuModuleUnload(CUmodule m) {
  (void)m;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGetErrorString(CUresult e, const char **s) {
  *s = e == 0 ? "no error" : e == 2 ? "out of memory" : "stub error";
  return CUDA_SUCCESS;
}

/* ---- graphs: memory allocation nodes get an address when added and device memory when instantiated ---- */
#define MAXGRAPH 64
#define MAXNODE 64
static struct stub_graph {
  int used;
  int nnodes;
  struct stub_node {
    int type;
    CUDA_MEM_ALLOC_NODE_PARAMS alloc;
  } nodes[MAXNODE];
} graphs[MAXGRAPH];
static struct {
  int used;
  int nalloc;
  unsigned long long keys[MAXNODE];
} execs[MAXGRAPH];
static CUstream capture_stream; /* the one stream being captured, or NULL */
static CUgraph capture_graph;

EXPORT CUresult cuGraphCreate(CUgraph *g, unsigned int flags) {
  (void)flags;
  pthread_mutex_lock(&mu);
  for (int i = 0; i < MAXGRAPH; i++)
    if (!graphs[i].used) {
      memset(&graphs[i], 0, sizeof graphs[i]);
      graphs[i].used = 1;
      *g = (CUgraph)&graphs[i];
      pthread_mutex_unlock(&mu);
      return CUDA_SUCCESS;
    }
  pthread_mutex_unlock(&mu);
  return CUDA_ERROR_OUT_OF_MEMORY;
}
EXPORT CUresult cuGraphDestroy(CUgraph g) {
  ((struct stub_graph *)g)->used = 0;
  return CUDA_SUCCESS;
}
static CUresult add_node(CUgraph g, int type, CUDA_MEM_ALLOC_NODE_PARAMS *p, CUgraphNode *out) {
  struct stub_graph *sg = (struct stub_graph *)g;
  if (sg == NULL || sg->nnodes >= MAXNODE) return CUDA_ERROR_INVALID_VALUE;
  struct stub_node *n = &sg->nodes[sg->nnodes++];
  n->type = type;
  if (p != NULL) {
    p->dptr = stubmem_address(p->bytesize); /* fixed when the node is added; memory comes at instantiation */
    n->alloc = *p;
  }
  if (out != NULL) *out = (CUgraphNode)n;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGraphAddMemAllocNode(CUgraphNode *node, CUgraph g, const CUgraphNode *deps, size_t ndeps,
                                       CUDA_MEM_ALLOC_NODE_PARAMS *p) {
  (void)deps, (void)ndeps;
  CALLED("cuGraphAddMemAllocNode");
  if (p == NULL || p->bytesize == 0) return CUDA_ERROR_INVALID_VALUE;
  return add_node(g, CU_GRAPH_NODE_TYPE_MEM_ALLOC, p, node);
}
EXPORT CUresult cuGraphAddEmptyNode(CUgraphNode *node, CUgraph g, const CUgraphNode *deps, size_t ndeps) {
  (void)deps, (void)ndeps;
  return add_node(g, 5, NULL, node);
}
EXPORT CUresult cuGraphGetNodes(CUgraph g, CUgraphNode *nodes, size_t *n) {
  struct stub_graph *sg = (struct stub_graph *)g;
  if (sg == NULL || n == NULL) return CUDA_ERROR_INVALID_VALUE;
  if (nodes != NULL)
    for (size_t i = 0; i < *n && i < (size_t)sg->nnodes; i++) nodes[i] = (CUgraphNode)&sg->nodes[i];
  *n = (size_t)sg->nnodes;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGraphNodeGetType(CUgraphNode node, int *type) {
  *type = ((struct stub_node *)node)->type;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGraphMemAllocNodeGetParams(CUgraphNode node, CUDA_MEM_ALLOC_NODE_PARAMS *p) {
  struct stub_node *n = (struct stub_node *)node;
  if (n->type != CU_GRAPH_NODE_TYPE_MEM_ALLOC) return CUDA_ERROR_INVALID_VALUE;
  *p = n->alloc;
  return CUDA_SUCCESS;
}
static CUresult instantiate(CUgraphExec *exec, CUgraph g) {
  struct stub_graph *sg = (struct stub_graph *)g;
  int e = -1;
  pthread_mutex_lock(&mu);
  for (int i = 0; i < MAXGRAPH && e < 0; i++)
    if (!execs[i].used) e = i;
  if (e >= 0) execs[e].used = 1;
  pthread_mutex_unlock(&mu);
  if (e < 0) return CUDA_ERROR_OUT_OF_MEMORY;
  execs[e].nalloc = 0;
  for (int i = 0; i < sg->nnodes; i++) {
    if (sg->nodes[i].type != CU_GRAPH_NODE_TYPE_MEM_ALLOC) continue;
    unsigned long long key;
    CUresult rc = do_alloc(&key, sg->nodes[i].alloc.bytesize, sg->nodes[i].alloc.poolProps.location.id, 3);
    if (rc != CUDA_SUCCESS) {
      while (execs[e].nalloc > 0) do_free(execs[e].keys[--execs[e].nalloc], 3);
      execs[e].used = 0;
      return rc;
    }
    execs[e].keys[execs[e].nalloc++] = key;
  }
  *exec = (CUgraphExec)&execs[e];
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGraphInstantiate_v2(CUgraphExec *exec, CUgraph g, CUgraphNode *err, char *log, size_t n) {
  (void)err, (void)log, (void)n;
  CALLED("cuGraphInstantiate_v2");
  return instantiate(exec, g);
}
EXPORT CUresult cuGraphInstantiateWithFlags(CUgraphExec *exec, CUgraph g, unsigned long long flags) {
  (void)flags;
  CALLED("cuGraphInstantiateWithFlags");
  return instantiate(exec, g);
}
EXPORT CUresult cuGraphInstantiateWithParams(CUgraphExec *exec, CUgraph g, CUDA_GRAPH_INSTANTIATE_PARAMS *p) {
  (void)p;
  CALLED("cuGraphInstantiateWithParams");
  return instantiate(exec, g);
}
EXPORT CUresult cuGraphInstantiateWithParams_ptsz(CUgraphExec *exec, CUgraph g, CUDA_GRAPH_INSTANTIATE_PARAMS *p) {
  (void)p;
  CALLED("cuGraphInstantiateWithParams_ptsz");
  return instantiate(exec, g);
}
EXPORT CUresult cuGraphExecDestroy(CUgraphExec exec) {
  CALLED("cuGraphExecDestroy");
  __typeof__(&execs[0]) x = (void *)exec;
  while (x->nalloc > 0) do_free(x->keys[--x->nalloc], 3);
  x->used = 0;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamBeginCapture_v2(CUstream s, int mode) {
  (void)mode;
  if (capture_stream != NULL || s == NULL) return CUDA_ERROR_INVALID_VALUE;
  CUresult rc = cuGraphCreate(&capture_graph, 0);
  if (rc == CUDA_SUCCESS) capture_stream = s;
  return rc;
}
EXPORT CUresult cuStreamEndCapture(CUstream s, CUgraph *g) {
  if (s == NULL || s != capture_stream) return CUDA_ERROR_INVALID_VALUE;
  *g = capture_graph;
  capture_stream = NULL;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamIsCapturing(CUstream s, int *status) {
  *status = s != NULL && s == capture_stream ? CU_STREAM_CAPTURE_STATUS_ACTIVE : CU_STREAM_CAPTURE_STATUS_NONE;
  return CUDA_SUCCESS;
}
/* cuMemAllocAsync on the capturing stream records an allocation node (CUDA_ERROR_NOT_FOUND: not capturing). */
static CUresult capture_alloc(CUstream s, CUdeviceptr *p, size_t size) {
  if (s == NULL || s != capture_stream) return CUDA_ERROR_NOT_FOUND;
  CUDA_MEM_ALLOC_NODE_PARAMS np;
  memset(&np, 0, sizeof np);
  np.poolProps.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  np.poolProps.location.id = cur_dev < 0 ? 0 : cur_dev;
  np.bytesize = size;
  CUresult rc = add_node(capture_graph, CU_GRAPH_NODE_TYPE_MEM_ALLOC, &np, NULL);
  if (rc == CUDA_SUCCESS) *p = np.dptr;
  return rc;
}

/* STUB_CUDA_CTOR_REENTER=1: while being loaded, call cuInit through the global scope (the preloaded hook),
 * as a driver or a profiler might: libvgpu must not deadlock or recurse if it is loading us right now. */
static int ctor_result = -1;
EXPORT int stub_cuda_ctor_result(void) { return ctor_result; }
__attribute__((constructor)) static void stub_ctor(void) {
  const char *e = getenv("STUB_CUDA_CTOR_REENTER");
  if (e == NULL || *e != '1') return;
  CUresult (*init)(unsigned) = (CUresult(*)(unsigned))dlsym(RTLD_DEFAULT, "cuInit");
  ctor_result = init != NULL ? init(0) : -2;
}

/* ---- cuGetProcAddress: base name + version + flags -> versioned entry point ---- */
EXPORT CUresult cuGetProcAddress(const char *symbol, void **pfn, int ver, cuuint64_t flags);
EXPORT CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int ver, cuuint64_t flags, int *status);

static const struct {
  const char *base;
  int min_ver;      /* this entry serves versions >= min_ver (entries of one base: newest first) */
  int ptds;         /* -1 any, 0 legacy only, 1 per-thread only */
  void *fn;
} table[] = {
    {"cuInit", 2000, -1, (void *)cuInit},
    {"cuDriverGetVersion", 2020, -1, (void *)cuDriverGetVersion},
    {"cuDeviceGet", 2000, -1, (void *)cuDeviceGet},
    {"cuDeviceGetCount", 2000, -1, (void *)cuDeviceGetCount},
    {"cuDeviceGetAttribute", 2000, -1, (void *)cuDeviceGetAttribute},
    {"cuDeviceTotalMem", 3020, -1, (void *)cuDeviceTotalMem_v2},
    {"cuDeviceTotalMem", 2000, -1, (void *)cuDeviceTotalMem},
    {"cuDevicePrimaryCtxRetain", 7000, -1, (void *)cuDevicePrimaryCtxRetain},
    {"cuCtxSetCurrent", 4000, -1, (void *)cuCtxSetCurrent},
    {"cuCtxCreate", 12050, -1, (void *)cuCtxCreate_v4},
    {"cuCtxCreate", 11040, -1, (void *)cuCtxCreate_v3},
    {"cuCtxCreate", 3020, -1, (void *)cuCtxCreate_v2},
    {"cuGraphAddMemAllocNode", 11040, -1, (void *)cuGraphAddMemAllocNode},
    {"cuGraphInstantiate", 12000, -1, (void *)cuGraphInstantiateWithFlags},
    {"cuGraphInstantiate", 11000, -1, (void *)cuGraphInstantiate_v2},
    {"cuGraphInstantiateWithFlags", 11040, -1, (void *)cuGraphInstantiateWithFlags},
    {"cuGraphInstantiateWithParams", 12000, 1, (void *)cuGraphInstantiateWithParams_ptsz},
    {"cuGraphInstantiateWithParams", 12000, 0, (void *)cuGraphInstantiateWithParams},
    {"cuGraphExecDestroy", 10000, -1, (void *)cuGraphExecDestroy},
    {"cuCtxDestroy", 4000, -1, (void *)cuCtxDestroy_v2},
    {"cuCtxGetDevice", 2000, -1, (void *)cuCtxGetDevice},
    {"cuMemGetInfo", 3020, -1, (void *)cuMemGetInfo_v2},
    {"cuMemAlloc", 3020, -1, (void *)cuMemAlloc_v2},
    {"cuMemAlloc", 2000, -1, (void *)cuMemAlloc},
    {"cuMemAllocPitch", 3020, -1, (void *)cuMemAllocPitch_v2},
    {"cuMemAllocManaged", 6000, -1, (void *)cuMemAllocManaged},
    {"cuMemFree", 3020, -1, (void *)cuMemFree_v2},
    {"cuMemAllocAsync", 11020, 1, (void *)cuMemAllocAsync_ptsz},
    {"cuMemAllocAsync", 11020, 0, (void *)cuMemAllocAsync},
    {"cuMemAllocFromPoolAsync", 11020, 1, (void *)cuMemAllocFromPoolAsync_ptsz},
    {"cuMemAllocFromPoolAsync", 11020, 0, (void *)cuMemAllocFromPoolAsync},
    {"cuMemFreeAsync", 11020, 1, (void *)cuMemFreeAsync_ptsz},
    {"cuMemFreeAsync", 11020, 0, (void *)cuMemFreeAsync},
    {"cuMemCreate", 10020, -1, (void *)cuMemCreate},
    {"cuMemRelease", 10020, -1, (void *)cuMemRelease},
    {"cuArrayCreate", 3020, -1, (void *)cuArrayCreate_v2},
    {"cuArray3DCreate", 3020, -1, (void *)cuArray3DCreate_v2},
    {"cuArrayDestroy", 2000, -1, (void *)cuArrayDestroy},
    {"cuLaunchKernel", 7000, 1, (void *)cuLaunchKernel_ptsz},
    {"cuLaunchKernel", 4000, 0, (void *)cuLaunchKernel},
    {"cuLaunchKernelEx", 11060, 1, (void *)cuLaunchKernelEx_ptsz},
    {"cuLaunchKernelEx", 11060, 0, (void *)cuLaunchKernelEx},
    {"cuLaunchCooperativeKernel", 9000, 1, (void *)cuLaunchCooperativeKernel_ptsz},
    {"cuLaunchCooperativeKernel", 9000, 0, (void *)cuLaunchCooperativeKernel},
    {"cuGraphLaunch", 10000, 1, (void *)cuGraphLaunch_ptsz},
    {"cuGraphLaunch", 10000, 0, (void *)cuGraphLaunch},
    {"cuGetProcAddress", 12000, -1, (void *)cuGetProcAddress_v2},
    {"cuGetProcAddress", 11030, -1, (void *)cuGetProcAddress},
    {"cuModuleLoadData", 2000, -1, (void *)cuModuleLoadData},
    {"cuModuleGetFunction", 2000, -1, (void *)cuModuleGetFunction},
};

/* STUB_CUDA_PROCADDR_THUNKS=1: answer with addresses that are not the exported symbols (as a driver may). */
static CUresult thunk_cuMemAlloc_v2(CUdeviceptr *p, size_t size) { return cuMemAlloc_v2(p, size); }
static CUresult thunk_cuLaunchKernel_ptsz KPARAMS { return cuLaunchKernel_ptsz(f, gx, gy, gz, bx, by, bz, shmem, s, params, extra); }
static CUresult thunk_cuLaunchKernel KPARAMS { return cuLaunchKernel(f, gx, gy, gz, bx, by, bz, shmem, s, params, extra); }
static CUresult thunk_cuCtxCreate_v4(CUcontext *ctx, CUctxCreateParams *params, unsigned int flags, CUdevice d) {
  return cuCtxCreate_v4(ctx, params, flags, d);
}

static CUresult lookup(const char *symbol, void **pfn, int ver, cuuint64_t flags, int *status) {
  int want_ptds = (flags & CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM) ? 1 : 0;
  int known = 0;
  if (pfn == NULL || symbol == NULL) return CUDA_ERROR_INVALID_VALUE;
  *pfn = NULL;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    if (strcmp(table[i].base, symbol) != 0) continue;
    known = 1;
    if (table[i].ptds != -1 && table[i].ptds != want_ptds) continue;
    if (ver < table[i].min_ver) continue;
    *pfn = table[i].fn;
    const char *th = getenv("STUB_CUDA_PROCADDR_THUNKS");
    if (th != NULL && *th == '1') {
      if (table[i].fn == (void *)cuMemAlloc_v2) *pfn = (void *)thunk_cuMemAlloc_v2;
      if (table[i].fn == (void *)cuLaunchKernel_ptsz) *pfn = (void *)thunk_cuLaunchKernel_ptsz;
      if (table[i].fn == (void *)cuLaunchKernel) *pfn = (void *)thunk_cuLaunchKernel;
      if (table[i].fn == (void *)cuCtxCreate_v4 && ver >= 13000) *pfn = (void *)thunk_cuCtxCreate_v4;
    }
    if (status) *status = CU_GET_PROC_ADDRESS_SUCCESS;
    return CUDA_SUCCESS;
  }
  if (status) *status = known ? CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT : CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  return CUDA_ERROR_NOT_FOUND;
}

EXPORT CUresult cuGetProcAddress(const char *symbol, void **pfn, int ver, cuuint64_t flags) {
  return lookup(symbol, pfn, ver, flags, NULL);
}
EXPORT CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int ver, cuuint64_t flags, int *status) {
  return lookup(symbol, pfn, ver, flags, status);
}

/* ---- the simulated card, for the stub NVML and the share harness ---- */
EXPORT uint64_t stub_cuda_busy_ns(int32_t pid) { return simcard_total_busy(simcard_get(), pid); }
/* Utilisation in percent of pid (0: the whole card) over the last window_ns; the PIDs active in it in *pids. */
EXPORT unsigned stub_cuda_sim_util(int32_t pid, uint64_t window_ns) {
  uint64_t now = simcard_now();
  uint64_t busy = simcard_busy(simcard_get(), pid, now - window_ns, now);
  unsigned u = (unsigned)(busy * 100 / window_ns);
  return u > 100 ? 100 : u;
}
EXPORT int stub_cuda_sim_active(int32_t *pids, int max) {
  simcard *c = simcard_get();
  int n = 0;
  for (uint32_t i = 0; i < c->nproc && i < SIMCARD_PROCS && n < max; i++)
    if (c->procs[i].pid != 0) pids[n++] = c->procs[i].pid;
  return n;
}
