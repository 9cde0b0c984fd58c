/*
** liq_seed.h: deterministic seeds for a run's random streams.  Each
** replicate of a scenario draws its price path and its book from separate
** streams, so that changing one never shifts the other.
*/
#ifndef LIQ_SEED_H
#define LIQ_SEED_H

#include <stdint.h>

/* Deterministic seed for one random stream: a SplitMix64 hash of the base
** seed, a replicate index and a stream id (LIQ_STREAM_*). */
enum { LIQ_STREAM_PATH = 1, LIQ_STREAM_BOOK = 2 };
uint64_t liq_seed(uint64_t base, uint64_t replicate, uint64_t stream);

#endif /* LIQ_SEED_H */
