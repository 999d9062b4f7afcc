/*
 * Device memory of a stub runtime: fake addresses from a counter, per-device use against a configurable total
 * (a real out-of-memory beyond it), and optionally device 0's use summed over every process sharing a file, with
 * its peak, so a multi-process test can check what the "device" saw at every instant. Compiled into each stub.
 */
#ifndef STUB_STUBMEM_H
#define STUB_STUBMEM_H

enum { STUBMEM_OK = 0, STUBMEM_OOM = 1, STUBMEM_INVALID = 2 };

/* Decimal with an optional k/m/g suffix; dflt when unset. */
unsigned long long stubmem_parse_size(const char *s, unsigned long long dflt);
/* total: bytes per device; shared_used: path of the cross-process usage file, or NULL. */
void stubmem_setup(unsigned long long total, const char *shared_used);
int stubmem_alloc(unsigned long long *out, unsigned long long size, int dev, int kind);
int stubmem_free(unsigned long long key, int kind);
/* A fresh address range without memory behind it (graph nodes reserve addresses when added). */
unsigned long long stubmem_address(unsigned long long size);
/* Memory a device uses outside allocations (contexts). */
void stubmem_adjust(int dev, long long delta);
unsigned long long stubmem_total(void);
unsigned long long stubmem_used(int dev);
unsigned long long stubmem_frees(void);
unsigned long long stubmem_shared_peak(void);

#endif
