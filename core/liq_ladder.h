/*
** liq_ladder.h: an ordered set of position ids for the engine (private).
**
** Most positions never change between entry and liquidation, so a ladder
** keeps them in a plain array sorted by (key, id) with a cursor: taking the
** first is a cursor move, the k-th is an index.  Positions that did change
** (re-keyed after a partial close, a top-up, ADL, a re-key under tiers) go
** into a small order-statistic treap (liq_treap.h), merged on the fly by
** every query; when the treap outgrows a share of the array, both are
** merged into a new array.  Erasing an array member away from the cursor
** leaves a tombstone, counted in a Fenwick tree made at the first one.
**
** A ladder kind (liq_ladder_keys) holds, by id, the keys of every ladder of
** that kind (one ladder per book side; an id is in one ladder at most):
** key0[id] for array members, the treap's key for treap members.  Ids are
** below 2^31 (bit 31 marks a tombstone).
**
** Order is (key, id) ascending throughout, exactly as the treap's, so
** replacing one by the other changes no result.
*/
#ifndef LIQ_LADDER_H
#define LIQ_LADDER_H

#include <stddef.h>
#include <stdint.h>

#include "liq_treap.h"

typedef struct liq_ladder_keys {
  size_t   n;          /* ids 0..n-1 */
  double  *key0;       /* key of an array member, by id; NULL: computed */
  double (*key_of)(const void *ctx, uint32_t id);  /* computed keys */
  const void *ctx;
  int      dynamic;    /* 0: no treap part (nothing is ever inserted) */
  uint8_t *in_tree;    /* 1 while the id is in a ladder's treap */
  liq_treap_forest tree;
} liq_ladder_keys;

typedef struct liq_ladder {
  liq_ladder_keys *k;
  uint32_t *ids;       /* array part by (key0, id); bit 31: erased */
  size_t    n;         /* length of ids */
  size_t    head;      /* ids[0..head) are gone; ids[head] is live if head < n */
  size_t    dead;      /* tombstones in [head, n) */
  uint32_t *fen;       /* Fenwick tree of tombstones by index (NULL: none yet) */
  double   *akey;      /* computed kinds, from the first tombstone: keys by index */
  size_t    finger;    /* where the last count's search ended */
  uint32_t  root;      /* treap part */
} liq_ladder;

/* Zeroed key arrays for ids 0..n-1, for keys written for most ids (dense
** memory, liq_alloc.h); with 'dynamic' 0 the kind has no treap and
** liq_ladder_insert() must not be called (a book whose positions never
** change).  0 on success, -1 when out of memory. */
int  liq_ladder_keys_init(liq_ladder_keys *k, size_t n, int dynamic);
/* A kind whose array keys are not stored but computed by key_of(ctx, id),
** which must give, for every live array member, the key it was added with
** (a position's key is a function of its state, and a changed position
** leaves the array).  Saves 8 bytes an id. */
int  liq_ladder_keys_init_computed(liq_ladder_keys *k, size_t n, int dynamic,
                                   double (*key_of)(const void *ctx, uint32_t id),
                                   const void *ctx);
/* key0[id], or the computed key. */
double liq_ladder_keys_key0(const liq_ladder_keys *k, uint32_t id);
void liq_ladder_keys_free(liq_ladder_keys *k);

/* An empty ladder of kind k. */
void liq_ladder_init(liq_ladder *l, liq_ladder_keys *k);
void liq_ladder_free(liq_ladder *l);

/* Replace the ladder's content by ids[0..m), sorted by (key0, id) (key0
** set by the caller, or computed).  The ladder takes ownership of 'ids'
** (from liq_dense_alloc(), liq_alloc.h; may be NULL when m is 0). */
void liq_ladder_build(liq_ladder *l, uint32_t *ids, size_t m);

/* Sort ids[0..m), given in ascending id order, by (key0, id) of kind k:
** a radix sort of 32-bit order-keeping prefixes of the keys, ties of
** prefixes sorted by comparison; on liq_par_threads() threads from
** LIQ_PAR_MIN_ITEMS ids up (the same order for any count; key_of is then
** called from several threads at once).  Scratch: 12 bytes an id.  0 on
** success, -1 when out of memory (ids then in an unspecified order). */
int  liq_ladder_sort_ids(const liq_ladder_keys *k, uint32_t *ids, size_t m);

size_t   liq_ladder_size(const liq_ladder *l);
/* The first id (smallest (key, id)); 0 when the ladder is empty. */
int      liq_ladder_first(const liq_ladder *l, uint32_t *id /* OUT */);
/* The key of member id. */
double   liq_ladder_key(const liq_ladder *l, uint32_t id);
/* The k-th (0-based) id, k < size. */
uint32_t liq_ladder_kth(const liq_ladder *l, size_t k);
/* Members with key < x, and with key <= x (not const: the search starts
** from where the last one ended). */
size_t   liq_ladder_count_below(liq_ladder *l, double x);
size_t   liq_ladder_count_at_most(liq_ladder *l, double x);

/* Add id (in no ladder of this kind) with 'key'; the kind is dynamic. */
void liq_ladder_insert(liq_ladder *l, uint32_t id, double key);
/* Take the first member when its key is <= x (inclusive) or < x; 1 when
** one was taken (*id), else 0. */
int  liq_ladder_pop_upto(liq_ladder *l, double x, int inclusive, uint32_t *id /* OUT */);
/* Remove member id.  Its key must be the one it was added with. */
void liq_ladder_erase(liq_ladder *l, uint32_t id);

#endif /* LIQ_LADDER_H */
