/* glibc's own dlsym, found once by symbol version: what every layer resolves real functions with. Calls nothing
 * of libvgpu, so it sits below the runtime, the hooks and the dlsym override. */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "internal.h"

static vgpu_dlsym_fn real_dlsym_ptr;

static vgpu_dlsym_fn find_real_dlsym(void) {
  static const char *versions[] = {"GLIBC_2.34", "GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.0", "GLIBC_2.3", "GLIBC_2.4"};
  for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
    void *p = dlvsym(RTLD_NEXT, "dlsym", versions[i]);
    if (p != NULL) return (vgpu_dlsym_fn)p;
  }
  void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  for (size_t i = 0; libc != NULL && i < sizeof versions / sizeof versions[0]; i++) {
    void *p = dlvsym(libc, "dlsym", versions[i]);
    if (p != NULL) return (vgpu_dlsym_fn)p;
  }
  return NULL;
}

vgpu_dlsym_fn vgpu_glibc_dlsym(void) {
  vgpu_dlsym_fn f = __atomic_load_n(&real_dlsym_ptr, __ATOMIC_ACQUIRE);
  if (__builtin_expect(f == NULL, 0)) {
    f = find_real_dlsym();
    __atomic_store_n(&real_dlsym_ptr, f, __ATOMIC_RELEASE);
  }
  return f;
}

void *vgpu_real_dlsym(void *handle, const char *name) {
  vgpu_dlsym_fn f = vgpu_glibc_dlsym();
  return f != NULL ? f(handle, name) : NULL;
}

