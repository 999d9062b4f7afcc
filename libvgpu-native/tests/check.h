#ifndef VGPU_CHECK_H
#define VGPU_CHECK_H
#include <stdio.h>
#include <stdlib.h>

static int check_failures;
#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      check_failures++;                                                      \
    }                                                                        \
  } while (0)
#define CHECK_EQ_U(a, b)                                                                                       \
  do {                                                                                                        \
    unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);                             \
    if (a_ != b_) {                                                                                           \
      fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = %llu, %s = %llu\n", __FILE__, __LINE__, #a, a_, #b, b_); \
      check_failures++;                                                                                       \
    }                                                                                                         \
  } while (0)
#define CHECK_DONE()                                                      \
  do {                                                                    \
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures); \
    else fprintf(stderr, "all checks passed\n");                          \
    return check_failures ? 1 : 0;                                        \
  } while (0)

#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * N processes race one memory limit: each churns random 1..16 MiB allocations (a fifth of the steps free one),
 * then holds what it got and reports the runtime's own count of it; the runtime-side peak over all processes,
 * sampled at every allocation, must never pass the limit, and together they must have filled it.
 */
typedef struct {
  int workers;
  uint64_t limit;
  void (*setup)(void);                                   /* in each worker first */
  int (*alloc)(uint64_t *key, size_t bytes, uint64_t r); /* 0, or oom_code over the limit */
  int (*release)(uint64_t key, uint64_t r);              /* 0 */
  int oom_code;
  unsigned long long (*used)(void); /* the runtime's count of this process's device-0 memory */
  unsigned long long (*peak)(void); /* the runtime-side peak over all processes */
} race_ops;

static inline void race_worker(const race_ops *o, int up, int go) {
  o->setup();
  uint64_t seed = (uint64_t)getpid() * 2654435761u, keys[4096];
  int n = 0;
  for (int i = 0; i < 500 && n < 4096; i++) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    size_t sz = (size_t)(1 + seed % 16) << 20;
    if (seed % 5 == 0 && n > 0) { /* churn */
      CHECK(o->release(keys[--n], seed) == 0);
      continue;
    }
    int rc = o->alloc(&keys[n], sz, seed);
    if (rc == 0) n++;
    else CHECK(rc == o->oom_code);
  }
  uint64_t held = o->used(); /* hold what we have and report it: the runtime's own count is the truth */
  CHECK(write(up, &held, sizeof held) == sizeof held);
  char c;
  CHECK(read(go, &c, 1) == 1);
  while (n > 0) CHECK(o->release(keys[--n], 0) == 0);
  _exit(check_failures ? 1 : 0);
}

static inline void race_run(const race_ops *o, const char *what) {
  int up[2], go[2];
  pid_t kids[64];
  CHECK(o->workers <= 64 && pipe(up) == 0 && pipe(go) == 0);
  for (int w = 0; w < o->workers; w++) {
    kids[w] = fork();
    if (kids[w] == 0) race_worker(o, up[1], go[0]);
  }
  uint64_t sum = 0;
  for (int w = 0; w < o->workers; w++) {
    uint64_t h = 0;
    CHECK(read(up[0], &h, sizeof h) == sizeof h);
    sum += h;
  }
  unsigned long long peak = o->peak();
  fprintf(stderr, "%d %s hold %llu MiB together; runtime-side peak %llu MiB (limit %llu MiB)\n", o->workers, what,
          (unsigned long long)(sum >> 20), peak >> 20, (unsigned long long)(o->limit >> 20));
  CHECK(peak <= o->limit && peak >= o->limit - (16ULL << 20)); /* at no instant above the limit, and they filled it */
  CHECK(sum <= o->limit && sum >= o->limit - (uint64_t)o->workers * (16ULL << 20));
  char all[64];
  memset(all, 'g', sizeof all);
  CHECK(write(go[1], all, (size_t)o->workers) == o->workers);
  for (int w = 0; w < o->workers; w++) {
    int st;
    CHECK(waitpid(kids[w], &st, 0) == kids[w] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  close(up[0]), close(up[1]), close(go[0]), close(go[1]);
}
#endif
