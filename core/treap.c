/*
** treap.c: an order-statistic treap over position ids (see liq_treap.h).
*/
#include "liq_treap.h"

#include <stdlib.h>

#define NODE(id) ((uint32_t)(id) + 1u)
#define ID(node) ((node) - 1u)

static uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

/* A node's priority: a hash of its number (0 for the empty node), computed
** rather than stored, so an untouched id costs no memory. */
#define PRI(node) hash32(node)

int liq_treap_forest_init(liq_treap_forest *f, size_t n) {
  size_t m = n + 1;
  f->n = n;
  f->l = calloc(m, sizeof *f->l);
  f->r = calloc(m, sizeof *f->r);
  f->sz = calloc(m, sizeof *f->sz);
  f->key = calloc(n ? n : 1, sizeof *f->key);
  if (!f->l || !f->r || !f->sz || !f->key) {
    liq_treap_forest_free(f);
    return -1;
  }
  return 0;
}

void liq_treap_forest_free(liq_treap_forest *f) {
  free(f->l);
  free(f->r);
  free(f->sz);
  free(f->key);
  f->l = f->r = f->sz = NULL;
  f->key = NULL;
  f->n = 0;
}

static void pull(liq_treap_forest *f, uint32_t t) {
  f->sz[t] = 1u + f->sz[f->l[t]] + f->sz[f->r[t]];
}

/* (key, id) of node a before node b? */
static int less(const liq_treap_forest *f, uint32_t a, uint32_t b) {
  double ka = f->key[ID(a)], kb = f->key[ID(b)];
  return ka < kb || (ka == kb && a < b);
}

uint32_t liq_treap_build(liq_treap_forest *f, const uint32_t *sorted_ids, size_t m) {
  /* Cartesian tree by priority (max-heap) with a stack of the right spine. */
  uint32_t *stack = NULL, *st = NULL, root;
  size_t top = 0, i, sp = 0;
  if (m == 0) return LIQ_TREAP_NIL;
  stack = malloc(m * sizeof *stack);
  st = malloc(2 * m * sizeof *st);
  if (stack == NULL || st == NULL) {  /* no memory: inserts, O(m log m) */
    free(stack);
    free(st);
    root = LIQ_TREAP_NIL;
    for (i = 0; i < m; i++) root = liq_treap_insert(f, root, sorted_ids[i]);
    return root;
  }
  for (i = 0; i < m; i++) {
    uint32_t t = NODE(sorted_ids[i]), last = LIQ_TREAP_NIL;
    f->l[t] = f->r[t] = LIQ_TREAP_NIL;
    f->sz[t] = 1;
    while (top > 0 && PRI(stack[top - 1]) < PRI(t)) last = stack[--top];
    f->l[t] = last;
    if (top > 0) f->r[stack[top - 1]] = t;
    stack[top++] = t;
  }
  root = stack[0];
  free(stack);
  /* Sizes bottom-up: an explicit post-order walk (bit 31 marks a node whose
  ** children are done; ids stay below 2^31 - 1, see liq_engine_run). */
  {
    st[sp++] = root;
    while (sp > 0) {
      uint32_t t = st[sp - 1];
      if (t & 0x80000000u) {
        sp--;
        pull(f, t & 0x7fffffffu);
        continue;
      }
      st[sp - 1] = t | 0x80000000u;
      if (f->l[t]) st[sp++] = f->l[t];
      if (f->r[t]) st[sp++] = f->r[t];
    }
    free(st);
  }
  return root;
}

/* Split t into nodes before 'pivot' (*a) and the rest (*b). */
static void split(liq_treap_forest *f, uint32_t t, uint32_t pivot, uint32_t *a,
                  uint32_t *b) {
  if (t == LIQ_TREAP_NIL) {
    *a = *b = LIQ_TREAP_NIL;
  } else if (less(f, t, pivot)) {
    split(f, f->r[t], pivot, &f->r[t], b);
    *a = t;
    pull(f, t);
  } else {
    split(f, f->l[t], pivot, a, &f->l[t]);
    *b = t;
    pull(f, t);
  }
}

static uint32_t merge(liq_treap_forest *f, uint32_t a, uint32_t b) {
  if (a == LIQ_TREAP_NIL) return b;
  if (b == LIQ_TREAP_NIL) return a;
  if (PRI(a) > PRI(b)) {
    f->r[a] = merge(f, f->r[a], b);
    pull(f, a);
    return a;
  }
  f->l[b] = merge(f, a, f->l[b]);
  pull(f, b);
  return b;
}

uint32_t liq_treap_insert(liq_treap_forest *f, uint32_t root, uint32_t id) {
  uint32_t t = NODE(id), a, b;
  f->l[t] = f->r[t] = LIQ_TREAP_NIL;
  f->sz[t] = 1;
  split(f, root, t, &a, &b);
  return merge(f, merge(f, a, t), b);
}

static uint32_t erase_node(liq_treap_forest *f, uint32_t t, uint32_t x) {
  if (t == LIQ_TREAP_NIL) return t;
  if (t == x) return merge(f, f->l[t], f->r[t]);
  if (less(f, x, t)) f->l[t] = erase_node(f, f->l[t], x);
  else f->r[t] = erase_node(f, f->r[t], x);
  pull(f, t);
  return t;
}

uint32_t liq_treap_erase(liq_treap_forest *f, uint32_t root, uint32_t id) {
  return erase_node(f, root, NODE(id));
}

size_t liq_treap_size(const liq_treap_forest *f, uint32_t root) {
  return f->sz[root];
}

uint32_t liq_treap_first(const liq_treap_forest *f, uint32_t root) {
  uint32_t t = root;
  while (f->l[t]) t = f->l[t];
  return ID(t);
}

uint32_t liq_treap_kth(const liq_treap_forest *f, uint32_t root, size_t k) {
  uint32_t t = root;
  for (;;) {
    size_t ls = f->sz[f->l[t]];
    if (k < ls) t = f->l[t];
    else if (k == ls) return ID(t);
    else { k -= ls + 1; t = f->r[t]; }
  }
}

size_t liq_treap_count_below(const liq_treap_forest *f, uint32_t root, double x) {
  size_t c = 0;
  uint32_t t = root;
  while (t) {
    if (f->key[ID(t)] < x) { c += f->sz[f->l[t]] + 1u; t = f->r[t]; }
    else t = f->l[t];
  }
  return c;
}

size_t liq_treap_count_at_most(const liq_treap_forest *f, uint32_t root, double x) {
  size_t c = 0;
  uint32_t t = root;
  while (t) {
    if (f->key[ID(t)] <= x) { c += f->sz[f->l[t]] + 1u; t = f->r[t]; }
    else t = f->l[t];
  }
  return c;
}
