/* The dlsym override, the glibc dlsym behind it, and the name -> hook table for every hooked API (CUDA, NVML, ACL, rt*). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include "internal.h"

/* ---- glibc dlsym ---- */
typedef void *(*dlsym_fn)(void *, const char *);
static dlsym_fn real_dlsym_ptr;

static dlsym_fn find_real_dlsym(void) {
  static const char *versions[] = {"GLIBC_2.34", "GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.0", "GLIBC_2.3", "GLIBC_2.4"};
  for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
    void *p = dlvsym(RTLD_NEXT, "dlsym", versions[i]);
    if (p != NULL) return (dlsym_fn)p;
  }
  void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  for (size_t i = 0; libc != NULL && i < sizeof versions / sizeof versions[0]; i++) {
    void *p = dlvsym(libc, "dlsym", versions[i]);
    if (p != NULL) return (dlsym_fn)p;
  }
  return NULL;
}

static inline dlsym_fn get_real_dlsym(void) {
  dlsym_fn f = __atomic_load_n(&real_dlsym_ptr, __ATOMIC_ACQUIRE);
  if (__builtin_expect(f == NULL, 0)) {
    f = find_real_dlsym();
    __atomic_store_n(&real_dlsym_ptr, f, __ATOMIC_RELEASE);
  }
  return f;
}

void *vgpu_real_dlsym(void *handle, const char *name) {
  dlsym_fn f = get_real_dlsym();
  return f != NULL ? f(handle, name) : NULL;
}

/*
 * dlsym override: a lookup of a hooked CUDA/NVML name in a library that really
 * defines it returns our hook. Never initialises anything (no hang on early lookups),
 * and RTLD_NEXT is forwarded as a tail call so glibc still sees the caller's address.
 */
VGPU_EXPORT void *dlsym(void *handle, const char *name) {
  dlsym_fn f = get_real_dlsym();
  if (handle == RTLD_NEXT || !((name[0] == 'c' && name[1] == 'u') || (name[0] == 'r' && name[1] == 't') ||
                               strncmp(name, "acl", 3) == 0 || strncmp(name, "nvml", 4) == 0))
    return f(handle, name); /* sibling call: keeps the caller's return address for RTLD_NEXT */
  void *real = f(handle, name);
  if (real == NULL) return NULL;
  void *hook = vgpu_hook_by_name(name);
  return hook != NULL ? hook : real;
}

/* ---- name -> hook (for the dlsym override) ---- */
void *vgpu_hook_by_name(const char *name) {
  static const struct {
    const char *name;
    void *fn;
  } hooks[] = {
#define VGPU_ENTRY(n, since, until, params, args) {#n, (void *)n},
#define VGPU_NAMED_ENTRY(n, params, args) {#n, (void *)n},
      VGPU_CUDA_HOOKS(VGPU_ENTRY)
      VGPU_NVML_HOOKS(VGPU_NAMED_ENTRY)
      VGPU_ACL_HOOKS(VGPU_NAMED_ENTRY)
      VGPU_RT_HOOKS(VGPU_NAMED_ENTRY)
#undef VGPU_ENTRY
#undef VGPU_NAMED_ENTRY
  };
  for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++)
    if (strcmp(hooks[i].name, name) == 0) return hooks[i].fn;
  return NULL;
}
