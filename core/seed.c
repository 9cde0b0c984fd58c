/*
** seed.c: deterministic seeds for the random streams of a run (see
** liq_seed.h).
*/
#include "liq_seed.h"

static uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t liq_seed(uint64_t base, uint64_t replicate, uint64_t stream) {
  uint64_t x = splitmix64(base);
  x = splitmix64(x ^ splitmix64(replicate + 0x632BE59BD9B4E019ULL));
  x = splitmix64(x ^ splitmix64(stream + 0x85157AF5ULL * 0x2545F4914F6CDD1DULL));
  return x;
}
