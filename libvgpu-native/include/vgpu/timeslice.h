/*
 * Time-slice round-robin among the containers sharing one card (the Ascend compute limit). One registry file per
 * physical card (node-global, NPU_GLOBAL_SHM_PATH / the limits file's device.<i>.scheduler), mapped by every
 * process of every container on that card, robust-mutex protected like the accounting region.
 *
 * A container's core percentage is a share of device time, not a relative weight: time is cut into periods
 * (100 ms); each period a container is granted share x period of device time (credit). Containers that want the
 * card take exclusive turns in round-robin order; a turn lasts until the holder's credit is used up, then the
 * holder drains its queued work (a device synchronize) and is charged the turn's real length (turn start to drain
 * end), so work queued asynchronously is paid for. Overuse is carried into the next period as debt; unused credit
 * is dropped (no saving up while idle), except the part a waiting container could not use because others' turns
 * ran long (kept, up to one period's grant): a container gets at most its share even when the card is otherwise
 * idle (a hard cap), and exactly its share over time when it always has work. A holder that stops launching for 2 ms (with no launch in
 * flight: a launch blocked on a full device queue is work) loses its turn to a waiter; a container whose
 * processes are all gone is dropped.
 *
 * Everything below takes the time as a parameter and expects the registry lock held, so the policy is
 * unit-tested with a simulated clock (tests/test_timeslice.c).
 */
#ifndef VGPU_TIMESLICE_H
#define VGPU_TIMESLICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGPU_SCHED_MAGIC 0x3148435355504756ULL /* "VGPUSCH1" */
#define VGPU_SCHED_MAJOR 1u
#define VGPU_SCHED_MINOR 0u
#define VGPU_SCHED_MAX 32
#define VGPU_SCHED_PERIOD_NS 100000000ULL /* 100 ms */
#define VGPU_SCHED_IDLE_NS 20000000ULL    /* a holder this long without a launch (none in flight) yields */
#define VGPU_SCHED_POLL_NS 500000ULL      /* a waiter asks again at least this often */
#define VGPU_SCHED_HUNG_NS 1000000000ULL  /* ... and after this long also with one in flight (a process died in it) */
#define VGPU_SCHED_WANT_NS 20000000ULL    /* a container is waiting while one of its processes polled this recently */
#define VGPU_SCHED_STALE_NS 10000000000ULL /* a container unseen this long is dropped (PIDs of other namespaces
                                              cannot be checked) and joins again on its next launch */

typedef struct {
  uint64_t key;          /* the container: hash of its accounting region (path, device and inode); 0 = free */
  int32_t pid;           /* the container's last process to join, in its own PID namespace (information only) */
  uint32_t share;        /* percent of device time, 1..100 */
  uint64_t seen_ns;      /* last time one of its processes used the registry: stale after VGPU_SCHED_STALE_NS */
  int64_t credit_ns;     /* device time left in this period; negative = debt carried over */
  uint64_t used_ns;      /* device time charged in total */
  uint64_t want_ns;      /* last time one of its processes waited for a turn */
  uint64_t active_ns;    /* last launch while holding the card */
  uint64_t turns;
  int32_t inflight;      /* its processes inside a launch call while holding the card (a blocked launch is busy) */
  uint8_t reserved[12];
} vgpu_sched_entry;

typedef struct {
  uint64_t magic;
  uint32_t major, minor;
  uint64_t size;
  union {
    pthread_mutex_t lock; /* robust, process-shared */
    uint8_t lock_bytes[64];
  };
  uint64_t period_ns;
  uint64_t period_start_ns;
  int32_t holder;        /* entry holding the card, -1 none */
  uint32_t cursor;       /* round-robin position: the next entry to consider */
  uint64_t turn_start_ns;
  uint64_t turn_end_ns;  /* the holder may launch until then (its credit at grant time) */
  uint64_t handovers;
  uint8_t reserved[64];
  vgpu_sched_entry e[VGPU_SCHED_MAX];
} vgpu_sched;

_Static_assert(sizeof(vgpu_sched_entry) == 80, "vgpu_sched_entry layout changed: bump VGPU_SCHED_MAJOR");
_Static_assert(offsetof(vgpu_sched, e) == 200, "vgpu_sched layout changed: bump VGPU_SCHED_MAJOR");

typedef enum {
  VGPU_SCHED_RUN = 0,      /* the caller's container holds the card: launch */
  VGPU_SCHED_WAIT = 1,     /* not its turn (or no credit left this period): wait, then ask again */
  VGPU_SCHED_END_TURN = 2, /* its turn is used up: drain its work, then vgpu_sched_release */
} vgpu_sched_decision;

/* Initialises a fresh registry (period 0 = VGPU_SCHED_PERIOD_NS). */
void vgpu_sched_init(vgpu_sched *s, uint64_t period_ns, uint64_t now);
/* Finds or adds the container's entry; -1 when the card has VGPU_SCHED_MAX containers already. */
int vgpu_sched_join(vgpu_sched *s, uint64_t key, int32_t pid, uint32_t share, uint64_t now);
/* Starts new periods (credits) as time passes. */
void vgpu_sched_tick(vgpu_sched *s, uint64_t now);
/* Asks for the card for entry idx. *wake receives when asking again makes sense (WAIT). */
vgpu_sched_decision vgpu_sched_acquire(vgpu_sched *s, int idx, uint64_t now, uint64_t *wake);
/* After a launch that acquire() allowed returned (in flight -> done). */
void vgpu_sched_done(vgpu_sched *s, int idx, uint64_t now);
/* Ends idx's turn, charging it (turn start .. end_ns), and hands the card to the next waiter. */
void vgpu_sched_release(vgpu_sched *s, int idx, uint64_t end_ns);
/* Drops containers unseen for VGPU_SCHED_STALE_NS; a dropped holder's turn ends uncharged. */
void vgpu_sched_reap(vgpu_sched *s, uint64_t now);
/* FNV-1a of a string mixed with two numbers (the region file's device and inode): the container key. Never 0. */
uint64_t vgpu_sched_key(const char *s, uint64_t a, uint64_t b);

/* Opens or creates the registry at path (mmap'd); NULL with a sentence in err when refused. */
vgpu_sched *vgpu_sched_open(const char *path, char *err, size_t errlen);
/* Takes the robust lock; a holder that died inside leaves the registry consistent (every step is one store). */
void vgpu_sched_lock(vgpu_sched *s);
void vgpu_sched_unlock(vgpu_sched *s);

#endif
