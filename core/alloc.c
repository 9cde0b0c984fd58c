/*
** alloc.c: memory for large dense arrays (see liq_alloc.h).
**
** Every block starts with a header just before the caller's pointer: the
** bytes asked for, and the length of its own mapping (0: from malloc).  A
** mapped block is [p - page, p + len): the page before the 2 MiB-aligned
** p holds the header; the slack mapped for the alignment is unmapped at
** once, so the block costs only what is touched.
*/
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS, MADV_HUGEPAGE */

#include "liq_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define LIQ_DENSE_MAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LIQ_DENSE_MAP 0
#endif
#endif
#if !defined(LIQ_DENSE_MAP) && defined(__unix__)
#define LIQ_DENSE_MAP 1
#endif
#ifndef LIQ_DENSE_MAP
#define LIQ_DENSE_MAP 0
#endif

#if LIQ_DENSE_MAP
#include <sys/mman.h>
#include <unistd.h>
#endif

typedef struct dense_header {
  size_t bytes;    /* asked for */
  size_t mapped;   /* length of the block's own mapping; 0: malloc'd */
} dense_header;

#define HEADER ((sizeof(dense_header) + 15) / 16 * 16)   /* keeps malloc's alignment */

static dense_header *header_of(void *p) {
  return (dense_header *)(void *)((char *)p - HEADER);
}

/* n * size, or SIZE_MAX when it overflows (no block is that big). */
static size_t product(size_t n, size_t size) {
  return size != 0 && n > SIZE_MAX / size ? SIZE_MAX : n * size;
}

#if LIQ_DENSE_MAP
static size_t page_size(void) {
  long p = sysconf(_SC_PAGESIZE);
  return p >= (long)HEADER ? (size_t)p : 4096;
}

/* A mapping of 'bytes' (zeroed by the kernel) at a 2 MiB boundary, its
** length rounded up to whole huge pages: a tail of small pages would cost
** a fault every 4 KiB (up to 511), the slack of the last huge page at most
** 2 MiB of memory. */
static void *map_block(size_t bytes) {
  const size_t align = LIQ_DENSE_HUGE_MIN;
  size_t page = page_size(), len = (bytes + align - 1) / align * align, total = len + align;
  char *base, *p, *end;
  dense_header *h;
  if (len < bytes || total < len) return NULL;
  base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return NULL;
  /* p - page >= base and p + len <= base + total (base is page-aligned). */
  p = (char *)(((uintptr_t)base + page + align - 1) / align * align);
  end = base + total;
  if (p - page > base) munmap(base, (size_t)(p - page - base));
  if (end > p + len) munmap(p + len, (size_t)(end - (p + len)));
#ifdef MADV_HUGEPAGE
  (void)madvise(p, len, MADV_HUGEPAGE);   /* advice: without it, small pages */
#endif
  h = header_of(p);
  h->bytes = bytes;
  h->mapped = len + page;
  return p;
}
#endif

/* Does a block of this size get its own mapping on huge pages? */
static int huge_size(size_t bytes) {
  return LIQ_DENSE_MAP && bytes >= LIQ_DENSE_HUGE_MIN && bytes <= LIQ_DENSE_HUGE_MAX;
}

static void *dense_alloc(size_t bytes, int zero) {
  dense_header *h;
  if (bytes == SIZE_MAX) return NULL;
#if LIQ_DENSE_MAP
  if (huge_size(bytes)) {
    /* A mapping needs up to 4 MiB more address space than the array (whole
    ** huge pages, and the slack of the alignment until it is unmapped):
    ** where that is refused (ulimit -v, a full map count), malloc. */
    void *p = map_block(bytes);
    if (p != NULL) return p;
  }
#endif
  if (bytes > SIZE_MAX - HEADER) return NULL;
  h = zero ? calloc(1, HEADER + bytes) : malloc(HEADER + bytes);
  if (h == NULL) return NULL;
  h->bytes = bytes;
  h->mapped = 0;
  return (char *)h + HEADER;
}

void *liq_dense_alloc(size_t n, size_t size) {
  return dense_alloc(product(n, size), 0);
}

void *liq_dense_calloc(size_t n, size_t size) {
  return dense_alloc(product(n, size), 1);
}

void liq_dense_free(void *p) {
  dense_header *h;
  if (p == NULL) return;
  h = header_of(p);
#if LIQ_DENSE_MAP
  if (h->mapped) {
    munmap((char *)p - page_size(), h->mapped);
    return;
  }
#endif
  free(h);
}

void *liq_dense_realloc(void *p, size_t n, size_t size) {
  size_t bytes = product(n, size);
  dense_header *h;
  void *q;
  if (p == NULL) return liq_dense_alloc(n, size);
  if (bytes == SIZE_MAX) return NULL;
  h = header_of(p);
  if (h->mapped == 0 && !huge_size(bytes)) {
    if (bytes > SIZE_MAX - HEADER) return NULL;
    h = realloc(h, HEADER + bytes);
    if (h == NULL) return NULL;
    h->bytes = bytes;
    return (char *)h + HEADER;
  }
  q = dense_alloc(bytes, 0);
  if (q == NULL) return NULL;
  memcpy(q, p, h->bytes < bytes ? h->bytes : bytes);
  liq_dense_free(p);
  return q;
}
