/*
 * Per-call cost of cuLaunchKernel and cuMemAlloc_v2+cuMemFree_v2 against the stub driver.
 * Linked directly against the stub libcuda.so.1; run it with and without LD_PRELOAD=libvgpu.so
 * (scripts/bench.sh does both and prints the table). Prints: launch_ns=<x> allocfree_ns=<y>
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../src/cuda_abi.h"

CUresult cuInit(unsigned int);
CUresult cuDevicePrimaryCtxRetain(CUcontext *, CUdevice);
CUresult cuCtxSetCurrent(CUcontext);
CUresult cuMemAlloc_v2(CUdeviceptr *, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuLaunchKernel(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream,
                        void **, void **);

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long n_launch = argc > 1 ? atol(argv[1]) : 2000000;
  long n_alloc = argc > 2 ? atol(argv[2]) : 500000;
  CUcontext c;
  if (cuInit(0) || cuDevicePrimaryCtxRetain(&c, 0) || cuCtxSetCurrent(c)) return 1;
  CUdeviceptr p;
  for (int i = 0; i < 1000; i++) { /* warm up (first call initialises libvgpu) */
    cuLaunchKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL);
    if (cuMemAlloc_v2(&p, 4096) == 0) cuMemFree_v2(p);
  }
  double t0 = now_ns();
  for (long i = 0; i < n_launch; i++) cuLaunchKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL);
  double t1 = now_ns();
  for (long i = 0; i < n_alloc; i++) {
    if (cuMemAlloc_v2(&p, 4096) != 0) return 2;
    cuMemFree_v2(p);
  }
  double t2 = now_ns();
  printf("launch_ns=%.1f allocfree_ns=%.1f\n", (t1 - t0) / (double)n_launch, (t2 - t1) / (double)n_alloc);
  return 0;
}
