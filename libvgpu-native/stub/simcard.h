/*
 * A simulated card for the stub runtimes: one serial execution queue on CLOCK_MONOTONIC, shared by every process
 * that maps the same file (STUB_SIM_CARD=<file>; without it the card is private to the process). A launched
 * "kernel" occupies the card for its configured device time after everything queued before it; launches are
 * asynchronous (a process may queue at most STUB_SIM_QUEUE_NS of its own work ahead, default 4 ms, then the launch
 * blocks, like a full hardware queue), and a synchronize sleeps until the caller's last kernel has finished.
 * Device time per process is recorded exactly (the durations are arithmetic, not CPU time), so shares measured on
 * it do not depend on how loaded the machine is; NVML-style utilisation is read back from it.
 */
#ifndef STUB_SIMCARD_H
#define STUB_SIMCARD_H

#include <stdint.h>

#define SIMCARD_PROCS 64
#define SIMCARD_RING 16384

typedef struct {
  uint64_t magic;
  uint32_t lock; /* spin lock; critical sections are a few instructions */
  uint32_t nproc;
  uint64_t free_at; /* ns: when the card is idle again */
  struct {
    int32_t pid;
    int32_t reserved;
    uint64_t busy_ns;  /* device time of all its kernels so far */
    uint64_t last_end; /* ns: when its last kernel finishes */
    uint64_t launches;
  } procs[SIMCARD_PROCS];
  uint64_t head; /* kernels recorded so far; ring[head % SIMCARD_RING] is the next */
  struct {
    int32_t pid;
    int32_t reserved;
    uint64_t start, end;
  } ring[SIMCARD_RING];
} simcard;

uint64_t simcard_now(void);
/* The card of this process (STUB_SIM_CARD or private); never NULL. */
simcard *simcard_get(void);
/* Queues a kernel of dur_ns for pid; returns when it will have finished. */
uint64_t simcard_launch(simcard *c, int32_t pid, uint64_t dur_ns);
/* Sleeps until pid's queued kernels have finished. */
void simcard_sync(simcard *c, int32_t pid);
/* Device time of pid's kernels (pid 0: all) inside [from, to). */
uint64_t simcard_busy(simcard *c, int32_t pid, uint64_t from, uint64_t to);
/* Cumulative device time of pid. */
uint64_t simcard_total_busy(simcard *c, int32_t pid);

#endif
