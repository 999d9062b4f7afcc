/*
 * vgpu-share: the compute share libvgpu gives containers sharing one card, measured on the stub runtimes' simulated
 * device clock (stub/simcard.h). Run it under LD_PRELOAD=libvgpu.so with the stub directory on LD_LIBRARY_PATH.
 * It forks one process per share, each a container of its own (own accounting region, own limit), all launching
 * kernels back to back on device 0 of one simulated card, and prints, per container, its device time inside the
 * measured window as a percentage of the window (the hard-cap share) and of the card's busy time:
 *
 *   share api=npu target=50 wall_pct=49.8 device_pct=49.9 error=-0.2 launches=1234
 *   summary api=npu shares=50,30,20 busy_pct=99.7 max_abs_error=0.3
 *
 *   vgpu-share --api cuda|npu --shares 50,30,20 [--seconds S] [--warmup-ms W] [--kernel-us K] [--grid G]
 *              [--tolerance P] [--starved-pct W] [--work DIR]
 * cuda: CUDA_DEVICE_SM_LIMIT=<share> with GPU_CORE_UTILIZATION_POLICY=force, kernels of G blocks (default 528:
 *       4 per SM of the stub's 132) taking K us of device time; the SM limiter corrects from the stub NVML's
 *       utilisation of the card. npu: NPU_CORE_PERCENT=<share>, one card registry (NPU_GLOBAL_SHM_PATH) shared by all.
 * Exit 3 when --tolerance is given and some container's wall_pct is above target + tolerance, or below target -
 * tolerance while it was not starved of CPU; 1 on a setup error. Starved: the container's launching thread waited
 * on the run queue (/proc/PID/schedstat) for more than --starved-pct (default 5) % of the window: on a loaded
 * machine a container that the kernel does not run cannot launch its share, and that shortfall is the machine's,
 * not the limiter's; it is printed (starved=yes) but not judged. A share above its cap is judged always: load
 * cannot push a container over it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../stub/runtime_api.h"

#define MAXC 8

/* nanoseconds the process's main thread has waited on a run queue (0 where schedstat is not available) */
static uint64_t runqueue_wait_ns(pid_t pid) {
  char path[64];
  unsigned long long run = 0, wait = 0;
  snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) return 0;
  if (fscanf(f, "%llu %llu", &run, &wait) != 2) wait = 0;
  fclose(f);
  return (uint64_t)wait;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
static void sleep_until(uint64_t t) {
  for (uint64_t n = now_ns(); n < t; n = now_ns()) {
    struct timespec ts = {(time_t)((t - n) / 1000000000ULL), (long)((t - n) % 1000000000ULL)};
    nanosleep(&ts, NULL);
  }
}
static void setenvf(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void setenvf(const char *name, const char *fmt, ...) {
  char v[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v, sizeof v, fmt, ap);
  va_end(ap);
  setenv(name, v, 1);
}

/* One container: launches until deadline; returns its number of launches as the exit status' carrier file. */
static int container(int npu, int i, unsigned share, const char *work, unsigned grid, uint64_t start, uint64_t end) {
  if (npu) {
    setenvf("NPU_CORE_PERCENT", "%u", share);
    setenvf("NPU_LOCAL_SHM_PATH", "%s/c%d.region", work, i);
    setenvf("NPU_GLOBAL_SHM_PATH", "%s/card.sched", work);
    if (aclrtSetDevice(0) != ACL_SUCCESS) return 10;
  } else {
    setenvf("CUDA_DEVICE_SM_LIMIT", "%u", share);
    setenv("GPU_CORE_UTILIZATION_POLICY", "force", 1);
    setenvf("CUDA_DEVICE_MEMORY_SHARED_CACHE", "%s/c%d.cache", work, i);
    CUcontext ctx;
    if (cuInit(0) != CUDA_SUCCESS || cuDevicePrimaryCtxRetain(&ctx, 0) != CUDA_SUCCESS ||
        cuCtxSetCurrent(ctx) != CUDA_SUCCESS)
      return 10;
  }
  sleep_until(start);
  unsigned long long n = 0;
  while (now_ns() < end) {
    int rc = npu ? aclrtLaunchKernel(NULL, 8, NULL, 0, NULL)
                 : cuLaunchKernel(NULL, grid, 1, 1, 128, 1, 1, 0, NULL, NULL, NULL);
    if (rc != 0) return 11;
    n++;
  }
  if (npu) aclrtSynchronizeDevice();
  else cuCtxSynchronize();
  char path[1100];
  snprintf(path, sizeof path, "%s/c%d.launches", work, i);
  FILE *f = fopen(path, "w");
  if (f != NULL) {
    fprintf(f, "%llu\n", n);
    fclose(f);
  }
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: vgpu-share --api cuda|npu --shares 50,30,20 [--seconds S] [--warmup-ms W] [--kernel-us K] "
                  "[--grid G] [--tolerance P] [--starved-pct W] [--work DIR]\n");
  exit(64);
}

int main(int argc, char **argv) {
  int npu = -1;
  unsigned shares[MAXC], n = 0, grid = 528;
  double seconds = 4, tolerance = -1, starved_pct = 5;
  unsigned long long warmup_ms = 1500, kernel_us = 1000;
  char work[1024] = "";
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (strcmp(k, "--api") == 0) npu = strcmp(v, "npu") == 0 ? 1 : strcmp(v, "cuda") == 0 ? 0 : -1;
    else if (strcmp(k, "--shares") == 0) {
      for (char *s = (char *)v; *s && n < MAXC;) {
        shares[n++] = (unsigned)strtoul(s, &s, 10);
        if (*s == ',') s++;
      }
    } else if (strcmp(k, "--seconds") == 0) seconds = atof(v);
    else if (strcmp(k, "--warmup-ms") == 0) warmup_ms = strtoull(v, NULL, 10);
    else if (strcmp(k, "--kernel-us") == 0) kernel_us = strtoull(v, NULL, 10);
    else if (strcmp(k, "--grid") == 0) grid = (unsigned)strtoul(v, NULL, 10);
    else if (strcmp(k, "--tolerance") == 0) tolerance = atof(v);
    else if (strcmp(k, "--starved-pct") == 0) starved_pct = atof(v);
    else if (strcmp(k, "--work") == 0) snprintf(work, sizeof work, "%s", v);
    else usage();
  }
  if (npu < 0 || n == 0 || seconds <= 0) usage();
  if (work[0] == '\0') {
    snprintf(work, sizeof work, "/tmp/vgpu-share.XXXXXX");
    if (mkdtemp(work) == NULL) return 1;
  } else {
    mkdir(work, 0755);
  }
  /* fresh card and fresh containers (a region keeps the limits its first process wrote) */
  static const char *const stale[] = {"card.sim", "card.sched", "c%u.cache", "c%u.region", "c%u.launches"};
  for (unsigned i = 0; i < MAXC; i++)
    for (size_t k = 0; k < sizeof stale / sizeof stale[0]; k++) {
      char name[64], path[1100];
      snprintf(name, sizeof name, stale[k], i);
      snprintf(path, sizeof path, "%s/%s", work, name);
      unlink(path);
    }
  setenvf("STUB_SIM_CARD", "%s/card.sim", work);
  setenvf(npu ? "STUB_NPU_KERNEL_NS" : "STUB_CUDA_KERNEL_NS", "%llu", kernel_us * 1000);
  uint64_t start = now_ns() + 300000000ULL, end = start + (uint64_t)(seconds * 1e9);
  pid_t kids[MAXC];
  for (unsigned i = 0; i < n; i++) {
    kids[i] = fork();
    if (kids[i] == 0) _exit(container(npu, (int)i, shares[i], work, grid, start, end));
    if (kids[i] < 0) return 1;
  }
  /* device time of each container inside [start + warmup, end): its cumulative device time at both ends (a kernel
   * counts when queued, at most the queue depth early: negligible over seconds) */
  uint64_t from = start + warmup_ms * 1000000ULL, window = end > from ? end - from : 1;
  uint64_t busy[MAXC], waited[MAXC], total = 0;
  sleep_until(from);
  for (unsigned i = 0; i < n; i++) {
    busy[i] = npu ? stub_npu_busy_ns(kids[i]) : stub_cuda_busy_ns(kids[i]);
    waited[i] = runqueue_wait_ns(kids[i]);
  }
  sleep_until(end);
  for (unsigned i = 0; i < n; i++) {
    busy[i] = (npu ? stub_npu_busy_ns(kids[i]) : stub_cuda_busy_ns(kids[i])) - busy[i];
    waited[i] = runqueue_wait_ns(kids[i]) - waited[i];
    total += busy[i];
  }
  int failed = 0;
  for (unsigned i = 0; i < n; i++) {
    int st;
    if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "vgpu-share: container %u failed (status %d)\n", i, st);
      failed = 1;
    }
  }
  if (failed) return 1;
  double worst = 0, judged = 0;
  for (unsigned i = 0; i < n; i++) {
    double wall = 100.0 * (double)busy[i] / (double)window, dev = 100.0 * (double)busy[i] / (double)(total ? total : 1);
    double err = wall - shares[i], wait_pct = 100.0 * (double)waited[i] / (double)window;
    int starved = wait_pct > starved_pct;
    if (err < 0 ? -err > worst : err > worst) worst = err < 0 ? -err : err;
    if (err > judged) judged = err;
    if (err < 0 && !starved && -err > judged) judged = -err;
    char path[1100];
    unsigned long long launches = 0;
    snprintf(path, sizeof path, "%s/c%u.launches", work, i);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
      if (fscanf(f, "%llu", &launches) != 1) launches = 0;
      fclose(f);
    }
    printf("share api=%s target=%u wall_pct=%.1f device_pct=%.1f error=%+.1f launches=%llu runqueue_wait_pct=%.1f%s\n",
           npu ? "npu" : "cuda", shares[i], wall, dev, err, launches, wait_pct,
           starved ? " starved=yes" : "");
  }
  printf("summary api=%s shares=", npu ? "npu" : "cuda");
  for (unsigned i = 0; i < n; i++) printf("%s%u", i ? "," : "", shares[i]);
  printf(" busy_pct=%.1f max_abs_error=%.1f judged_error=%.1f\n", 100.0 * (double)total / (double)window, worst,
         judged);
  return tolerance >= 0 && judged > tolerance ? 3 : 0;
}
