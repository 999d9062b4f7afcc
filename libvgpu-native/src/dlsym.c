/* The dlsym override and the name -> hook table for every hooked API (CUDA, NVML, ACL, rt*): the top of the library,
 * above the hooks. The glibc dlsym it forwards to lives below everything, in real_dlsym.c. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include "internal.h"

/*
 * dlsym override: a lookup of a hooked CUDA/NVML name in a library that really
 * defines it returns our hook. Never initialises anything (no hang on early lookups),
 * and RTLD_NEXT is forwarded as a tail call so glibc still sees the caller's address.
 */
VGPU_EXPORT void *dlsym(void *handle, const char *name) {
  vgpu_dlsym_fn f = vgpu_glibc_dlsym();
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
