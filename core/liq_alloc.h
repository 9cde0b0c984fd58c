/*
** liq_alloc.h: memory for large dense arrays, the ones that hold a value
** for every position and are written whole (the book's columns, ladder
** keys and ids, sort scratch).  An array of LIQ_DENSE_HUGE_MIN to
** LIQ_DENSE_HUGE_MAX bytes is mapped on its own, aligned to 2 MiB and
** marked for transparent huge pages (madvise(MADV_HUGEPAGE), where the
** system has it): an 8 MB column of a 10^6-position book costs 4 page
** faults instead of 2048, and its random reads miss the TLB less (W1, 10^6
** positions: 25 ms less system time).  Others come from malloc: above the
** cap, fresh huge pages cost more than they save where the memory comes
** from a VM host that takes free memory back (free page reporting): every
** array of a 10^7-position run on huge pages made its set-up 0.6 s slower.
** A mapping refused (it needs up to 4 MiB more address space than the
** array: ulimit -v) falls back to malloc.  AddressSanitizer builds always
** use malloc, which it checks.
**
** Not for arrays that are written sparsely (a value only for the
** positions a rule touches): one write maps a whole 2 MiB page there,
** where an untouched 4 KiB page of a calloc'd array costs no memory.
**
** Memory from these functions is freed with liq_dense_free() only.
*/
#ifndef LIQ_ALLOC_H
#define LIQ_ALLOC_H

#include <stddef.h>

#define LIQ_DENSE_HUGE_MIN ((size_t)2 << 20)    /* 2 MiB: one huge page */
#define LIQ_DENSE_HUGE_MAX ((size_t)16 << 20)   /* 16 MiB */

/* n elements of 'size' bytes, uninitialised; NULL when out of memory or
** when n * size overflows.  n = 0 gives a valid, freeable pointer. */
void *liq_dense_alloc(size_t n, size_t size);
/* The same, zeroed. */
void *liq_dense_calloc(size_t n, size_t size);
/* Resize to n elements of 'size' bytes, keeping the common prefix (as
** realloc: p may be NULL; on failure NULL and p is unchanged). */
void *liq_dense_realloc(void *p, size_t n, size_t size);
/* Free memory from the functions above (NULL: nothing). */
void  liq_dense_free(void *p);

#endif /* LIQ_ALLOC_H */
