/*
** liq_treap.h: an order-statistic treap over position ids (engine-private).
**
** A forest: one set of node arrays indexed by position id serves several
** trees (one per book side), because a position lives in one tree at most.
** Nodes are ordered by (key[id], id) ascending.  Priorities are a hash of
** the id, so the shape (and every result) is deterministic.  Operations
** are O(log n) expected: insert, erase, first, k-th, and counts of keys
** below a value.  Recursion depth is the tree height (about 2 log2 n).
*/
#ifndef LIQ_TREAP_H
#define LIQ_TREAP_H

#include <stddef.h>
#include <stdint.h>

#define LIQ_TREAP_NIL 0u

typedef struct liq_treap_forest {
  size_t    n;      /* ids 0..n-1; node of id i is i + 1 */
  uint32_t *l, *r;  /* children (node numbers, 0 = none) */
  uint32_t *sz;     /* subtree sizes */
  double   *key;    /* key[id] while id is in a tree */
} liq_treap_forest;

/* Allocate for ids 0..n-1 (zeroed, so the pages of ids never inserted
** are never touched).  Returns 0 on success, -1 when out of memory. */
int  liq_treap_forest_init(liq_treap_forest *f, size_t n);
void liq_treap_forest_free(liq_treap_forest *f);

/* Build a tree from ids already sorted by (key, id); keys must be set.
** O(m).  Returns the root. */
uint32_t liq_treap_build(liq_treap_forest *f, const uint32_t *sorted_ids, size_t m);

uint32_t liq_treap_insert(liq_treap_forest *f, uint32_t root, uint32_t id);
uint32_t liq_treap_erase(liq_treap_forest *f, uint32_t root, uint32_t id);
size_t   liq_treap_size(const liq_treap_forest *f, uint32_t root);
/* Id of the smallest node; the tree must not be empty. */
uint32_t liq_treap_first(const liq_treap_forest *f, uint32_t root);
/* Id of the k-th smallest (0-based), k < size. */
uint32_t liq_treap_kth(const liq_treap_forest *f, uint32_t root, size_t k);
/* Number of nodes with key < x, and with key <= x. */
size_t   liq_treap_count_below(const liq_treap_forest *f, uint32_t root, double x);
size_t   liq_treap_count_at_most(const liq_treap_forest *f, uint32_t root, double x);

#endif /* LIQ_TREAP_H */
