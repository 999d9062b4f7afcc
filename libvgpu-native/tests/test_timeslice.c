/*
 * The time-slice scheduler's policy on a simulated clock (deterministic): containers that always have work get
 * their share of device time, a container alone gets no more than its share (hard cap), kernels longer than a
 * share are paid back as debt, an idle holder yields, stale containers are dropped. The simulation is the
 * stub card's model: one serial device queue, asynchronous launches with a bounded queue, a drain at turn end.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "vgpu/timeslice.h"

#define MS 1000000ULL

typedef struct {
  uint32_t share;
  uint64_t kernel_ns;
  uint64_t stop_at; /* stops wanting the card then (0: never) */
  /* state */
  int idx;
  uint64_t t;        /* the process's clock: when it acts next */
  uint64_t last_end; /* its last queued kernel ends */
  uint64_t busy;     /* device time of its kernels inside the measured window */
  int in_launch;     /* blocked in a launch (full queue) until t */
  int draining;      /* synchronizing at the end of its turn until t */
} sim_container;

/* Device time of [start, end) inside [from, to). */
static uint64_t overlap(uint64_t start, uint64_t end, uint64_t from, uint64_t to) {
  uint64_t a = start > from ? start : from, b = end < to ? end : to;
  return b > a ? b - a : 0;
}

/* Runs the containers for `total` ns, measuring device time after `warmup`. Returns the window length. */
static uint64_t simulate(sim_container *c, int n, uint64_t total, uint64_t warmup) {
  static vgpu_sched s;
  const uint64_t t0 = 1000 * MS, queue = 4 * MS, launch_cost = 10000, poll = 200000;
  vgpu_sched_init(&s, 0, t0);
  uint64_t dev_free = t0;
  for (int i = 0; i < n; i++) {
    c[i].idx = vgpu_sched_join(&s, 0x1000 + (uint64_t)i, 100 + i, c[i].share, t0);
    c[i].t = t0 + (uint64_t)i * 1000; /* they do not start in lockstep */
    c[i].last_end = t0;
    c[i].busy = 0;
    c[i].in_launch = 0;
    c[i].draining = 0;
  }
  const uint64_t from = t0 + warmup, to = t0 + total;
  for (;;) {
    int k = -1;
    for (int i = 0; i < n; i++) {
      if (c[i].stop_at != 0 && c[i].t >= t0 + c[i].stop_at) continue;
      if (k < 0 || c[i].t < c[k].t) k = i;
    }
    if (k < 0 || c[k].t >= to) break;
    sim_container *x = &c[k];
    uint64_t now = x->t, wake = 0;
    if (x->in_launch) { /* the launch returns */
      vgpu_sched_done(&s, x->idx, now);
      x->in_launch = 0;
    }
    if (x->draining) { /* its work has finished: the turn is over */
      vgpu_sched_release(&s, x->idx, now);
      x->draining = 0;
    }
    switch (vgpu_sched_acquire(&s, x->idx, now, &wake)) {
      case VGPU_SCHED_RUN: {
        uint64_t start = dev_free > now ? dev_free : now, end = start + x->kernel_ns;
        dev_free = end;
        x->last_end = end;
        x->busy += overlap(start, end, from, to);
        x->t = end - now > queue ? end - queue : now + launch_cost; /* a full queue blocks the launch */
        x->in_launch = 1;
        break;
      }
      case VGPU_SCHED_END_TURN:
        x->t = x->last_end > now ? x->last_end : now; /* drain, then release */
        x->draining = 1;
        break;
      default:
        x->t = wake > now + poll ? wake : now + poll;
        break;
    }
  }
  return to - from;
}

static void report_shares(const char *name, const sim_container *c, int n, uint64_t window) {
  uint64_t sum = 0;
  for (int i = 0; i < n; i++) sum += c[i].busy;
  fprintf(stderr, "%-28s", name);
  for (int i = 0; i < n; i++)
    fprintf(stderr, " target %2u%%: %5.1f%% of device time (%5.1f%% of wall)", c[i].share,
            100.0 * (double)c[i].busy / (double)(sum ? sum : 1), 100.0 * (double)c[i].busy / (double)window);
  fprintf(stderr, "\n");
}

static double wall_pct(const sim_container *c, uint64_t window) { return 100.0 * (double)c->busy / (double)window; }

#define NEAR(x, want, tol) CHECK((x) > (want) - (tol) && (x) < (want) + (tol))

static void three_containers_get_50_30_20(void) {
  sim_container c[3] = {{.share = 50, .kernel_ns = 1 * MS}, {.share = 30, .kernel_ns = 1 * MS},
                        {.share = 20, .kernel_ns = 1 * MS}};
  uint64_t w = simulate(c, 3, 10000 * MS, 500 * MS);
  report_shares("50/30/20, 1 ms kernels", c, 3, w);
  NEAR(wall_pct(&c[0], w), 50, 1.5);
  NEAR(wall_pct(&c[1], w), 30, 1.5);
  NEAR(wall_pct(&c[2], w), 20, 1.5);
}

static void two_containers_get_30_70_with_different_kernels(void) {
  sim_container c[2] = {{.share = 30, .kernel_ns = 3 * MS}, {.share = 70, .kernel_ns = 300000}};
  uint64_t w = simulate(c, 2, 10000 * MS, 500 * MS);
  report_shares("30/70, 3 ms vs 0.3 ms kernels", c, 2, w);
  NEAR(wall_pct(&c[0], w), 30, 1.5);
  NEAR(wall_pct(&c[1], w), 70, 1.5);
}

static void a_container_alone_is_capped_at_its_share(void) {
  for (uint32_t share = 10; share <= 90; share += 20) {
    sim_container c[1] = {{.share = share, .kernel_ns = 1 * MS}};
    uint64_t w = simulate(c, 1, 5000 * MS, 500 * MS);
    char name[64];
    snprintf(name, sizeof name, "alone at %u%%", share);
    report_shares(name, c, 1, w);
    NEAR(wall_pct(&c[0], w), share, 1.5);
  }
}

static void kernels_longer_than_the_share_are_paid_back(void) {
  /* 40 ms kernels against a 20 ms grant per period: turns overrun, the debt is carried */
  sim_container c[2] = {{.share = 20, .kernel_ns = 40 * MS}, {.share = 80, .kernel_ns = 1 * MS}};
  uint64_t w = simulate(c, 2, 20000 * MS, 1000 * MS);
  report_shares("20 (40 ms kernels)/80", c, 2, w);
  NEAR(wall_pct(&c[0], w), 20, 2.5);
  NEAR(wall_pct(&c[1], w), 80, 2.5);
}

static void an_idle_container_does_not_give_its_share_away(void) {
  /* the 50 % container stops after 1 s: the others keep their caps, the card idles */
  sim_container c[3] = {{.share = 50, .kernel_ns = 1 * MS, .stop_at = 1000 * MS},
                        {.share = 30, .kernel_ns = 1 * MS},
                        {.share = 20, .kernel_ns = 1 * MS}};
  uint64_t w = simulate(c, 3, 6000 * MS, 2000 * MS);
  report_shares("50 stops, 30/20 continue", c, 3, w);
  CHECK(c[0].busy == 0);
  NEAR(wall_pct(&c[1], w), 30, 1.5);
  NEAR(wall_pct(&c[2], w), 20, 1.5);
}

static void an_idle_holder_yields_and_stale_entries_go(void) {
  static vgpu_sched s;
  uint64_t t = 5000 * MS, wake;
  vgpu_sched_init(&s, 0, t);
  int a = vgpu_sched_join(&s, 11, 1, 50, t), b = vgpu_sched_join(&s, 22, 2, 50, t);
  CHECK(a >= 0 && b >= 0 && a != b);
  CHECK(vgpu_sched_join(&s, 11, 3, 50, t) == a); /* the same container: the same entry */
  CHECK(vgpu_sched_acquire(&s, a, t, &wake) == VGPU_SCHED_RUN);
  CHECK(vgpu_sched_acquire(&s, b, t + 30 * MS, &wake) == VGPU_SCHED_WAIT); /* a's launch is in flight: busy */
  vgpu_sched_done(&s, a, t);
  CHECK(vgpu_sched_acquire(&s, b, t + 10 * MS, &wake) == VGPU_SCHED_WAIT); /* a holds the card, quiet 10 ms */
  CHECK(vgpu_sched_acquire(&s, b, t + 25 * MS, &wake) == VGPU_SCHED_RUN);  /* quiet 25 ms: b's turn */
  CHECK_EQ_U(s.e[a].used_ns, 0);                                          /* charged up to its last launch */
  CHECK(vgpu_sched_acquire(&s, a, t + 26 * MS, &wake) == VGPU_SCHED_WAIT);
  /* b's turn ends at its credit: drain, release, the card goes to a */
  vgpu_sched_done(&s, b, t + 25 * MS);
  CHECK(vgpu_sched_acquire(&s, b, t + 25 * MS + 50 * MS, &wake) == VGPU_SCHED_END_TURN);
  vgpu_sched_release(&s, b, t + 25 * MS + 52 * MS);
  CHECK_EQ_U(s.e[b].used_ns, 52 * MS);
  CHECK(s.e[b].credit_ns < 0); /* overran by the drain: debt */
  CHECK(vgpu_sched_acquire(&s, a, t + 78 * MS, &wake) == VGPU_SCHED_RUN);
  /* full card */
  for (int i = 0; i < VGPU_SCHED_MAX; i++) (void)vgpu_sched_join(&s, 1000 + (uint64_t)i, 9, 1, t);
  CHECK(vgpu_sched_join(&s, 99999, 9, 1, t) == -1);
  /* unseen for 10 s: dropped; a dropped holder's turn ends */
  vgpu_sched_reap(&s, t + 78 * MS + VGPU_SCHED_STALE_NS + 1);
  int used = 0;
  for (int i = 0; i < VGPU_SCHED_MAX; i++) used += s.e[i].key != 0;
  CHECK_EQ_U(used, 0);
  CHECK(s.holder == -1);
  CHECK(vgpu_sched_key("/tmp/a", 1, 2) != vgpu_sched_key("/tmp/a", 1, 3));
  CHECK(vgpu_sched_key("", 0, 0) != 0);
}

int main(void) {
  three_containers_get_50_30_20();
  two_containers_get_30_70_with_different_kernels();
  a_container_alone_is_capped_at_its_share();
  kernels_longer_than_the_share_are_paid_back();
  an_idle_container_does_not_give_its_share_away();
  an_idle_holder_yields_and_stale_entries_go();
  CHECK_DONE();
}
