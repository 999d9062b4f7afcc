/*
 * Not linked against the driver: hooks reached through the global scope before anything is initialised,
 * and a driver whose constructor calls back into a hook while libvgpu is loading it (STUB_CUDA_CTOR_REENTER=1).
 * Must not hang (CTest timeout), crash or charge anything.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include "../src/cuda_abi.h"
#include "check.h"

typedef CUresult (*init_fn)(unsigned);
typedef CUresult (*alloc_fn)(CUdeviceptr *, size_t);
typedef CUresult (*info_fn)(size_t *, size_t *);
typedef CUresult (*retain_fn)(CUcontext *, CUdevice);
typedef CUresult (*setcur_fn)(CUcontext);

int main(void) {
  /* libcuda is not loaded yet: these resolve to the preloaded hooks */
  alloc_fn alloc = (alloc_fn)dlsym(RTLD_DEFAULT, "cuMemAlloc_v2");
  init_fn init = (init_fn)dlsym(RTLD_DEFAULT, "cuInit");
  CHECK(alloc != NULL && init != NULL);
  if (alloc == NULL || init == NULL) CHECK_DONE();
  CUdeviceptr p = 0;
  CHECK(alloc(&p, 1 << 20) != CUDA_SUCCESS); /* before cuInit / without a context: the driver's error, no crash */
  CHECK(init(0) == CUDA_SUCCESS);            /* loads the driver; its constructor re-enters cuInit */
  void *h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
  CHECK(h != NULL);
  if (h == NULL) CHECK_DONE();
  int (*ctor_result)(void) = (int (*)(void))dlsym(h, "stub_cuda_ctor_result");
  CHECK(ctor_result != NULL && ctor_result() != -1); /* the re-entrant call happened and returned */
  retain_fn retain = (retain_fn)dlsym(h, "cuDevicePrimaryCtxRetain");
  setcur_fn setcur = (setcur_fn)dlsym(h, "cuCtxSetCurrent");
  info_fn info = (info_fn)dlsym(h, "cuMemGetInfo_v2");
  CUcontext c;
  CHECK(retain(&c, 0) == CUDA_SUCCESS && setcur(c) == CUDA_SUCCESS);
  size_t f = 0, t = 0;
  CHECK(info(&f, &t) == CUDA_SUCCESS);
  CHECK(t == 64 << 20 && f == 64 << 20); /* the failed early allocation left no charge */
  CHECK(alloc(&p, 64 << 20) == CUDA_SUCCESS);
  CHECK(alloc(&p, 1) == CUDA_ERROR_OUT_OF_MEMORY);
  CHECK_DONE();
}
