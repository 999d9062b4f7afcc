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
#endif
