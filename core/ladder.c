/*
** ladder.c: sorted array + cursor for unchanged positions, treap for
** changed ones (see liq_ladder.h).
*/
#include "liq_ladder.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "liq_alloc.h"
#include "liq_par.h"

#define DEAD 0x80000000u
#define ID_MASK 0x7fffffffu

/* ---- kinds ---------------------------------------------------------------- */

static int keys_init(liq_ladder_keys *k, size_t n, int stored, int dynamic) {
  k->n = n;
  k->dynamic = dynamic;
  k->key0 = stored ? liq_dense_calloc(n ? n : 1, sizeof *k->key0) : NULL;
  k->in_tree = dynamic ? calloc(n ? n : 1, 1) : NULL;
  if ((stored && !k->key0) || (dynamic && (!k->in_tree || liq_treap_forest_init(&k->tree, n)))) {
    liq_ladder_keys_free(k);
    return -1;
  }
  return 0;
}

int liq_ladder_keys_init(liq_ladder_keys *k, size_t n, int dynamic) {
  memset(k, 0, sizeof *k);
  return keys_init(k, n, 1, dynamic);
}

int liq_ladder_keys_init_computed(liq_ladder_keys *k, size_t n, int dynamic,
                                  double (*key_of)(const void *ctx, uint32_t id),
                                  const void *ctx) {
  memset(k, 0, sizeof *k);
  k->key_of = key_of;
  k->ctx = ctx;
  return keys_init(k, n, 0, dynamic);
}

double liq_ladder_keys_key0(const liq_ladder_keys *k, uint32_t id) {
  return k->key0 ? k->key0[id] : k->key_of(k->ctx, id);
}

void liq_ladder_keys_free(liq_ladder_keys *k) {
  liq_dense_free(k->key0);
  free(k->in_tree);
  liq_treap_forest_free(&k->tree);
  memset(k, 0, sizeof *k);
}

/* ---- Fenwick tree of tombstones (1-based internally) ---------------------- */

/* Key of array entry i (live or not). */
static double array_key(const liq_ladder *l, size_t i) {
  return l->akey ? l->akey[i] : liq_ladder_keys_key0(l->k, l->ids[i] & ID_MASK);
}

/* Tombstones among ids[0..i). */
static size_t dead_before(const liq_ladder *l, size_t i) {
  size_t c = 0;
  if (l->fen == NULL) return 0;
  for (; i > 0; i &= i - 1) c += l->fen[i];
  return c;
}

static void mark_dead(liq_ladder *l, size_t i) {
  l->ids[i] |= DEAD;
  l->dead++;
  for (i++; i <= l->n; i += i & (~i + 1)) l->fen[i]++;
}

/* Skip tombstones at the cursor. */
static void skip_dead(liq_ladder *l) {
  while (l->head < l->n && (l->ids[l->head] & DEAD)) {
    l->head++;
    l->dead--;
  }
}

/* Live array members. */
static size_t array_size(const liq_ladder *l) {
  return l->n - l->head - l->dead;
}

/* Index of the k-th live array member, k < array_size. */
static size_t array_kth_index(const liq_ladder *l, size_t k) {
  size_t pos = 0, step = 1, rem;
  if (l->dead == 0) return l->head + k;
  /* The (alive before head + k + 1)-th live entry overall: descend. */
  rem = (l->head - dead_before(l, l->head)) + k + 1;
  while (step * 2 <= l->n) step *= 2;
  for (; step > 0; step /= 2) {
    if (pos + step <= l->n) {
      size_t alive = step - l->fen[pos + step];
      if (alive < rem) {
        pos += step;
        rem -= alive;
      }
    }
  }
  return pos;   /* 1-based pos + 1 holds it: 0-based pos */
}

static uint32_t array_kth(const liq_ladder *l, size_t k) {
  return l->ids[array_kth_index(l, k)] & ID_MASK;
}

/* ---- ladders -------------------------------------------------------------- */

void liq_ladder_init(liq_ladder *l, liq_ladder_keys *k) {
  memset(l, 0, sizeof *l);
  l->k = k;
  l->root = LIQ_TREAP_NIL;
}

/* Members in the treap part (none in a kind without one). */
static size_t tree_size(const liq_ladder *l) {
  return l->root == LIQ_TREAP_NIL ? 0 : liq_treap_size(&l->k->tree, l->root);
}

/* Forget the treap part (clearing its members' flags). */
static void clear_tree(liq_ladder *l) {
  size_t i, m = tree_size(l);
  for (i = 0; i < m; i++) l->k->in_tree[liq_treap_kth(&l->k->tree, l->root, i)] = 0;
  l->root = LIQ_TREAP_NIL;
}

void liq_ladder_free(liq_ladder *l) {
  liq_dense_free(l->ids);
  free(l->fen);
  free(l->akey);
  l->ids = NULL;
  l->fen = NULL;
  l->akey = NULL;
  l->n = l->head = l->dead = l->finger = 0;
}

void liq_ladder_build(liq_ladder *l, uint32_t *ids, size_t m) {
  clear_tree(l);
  liq_ladder_free(l);
  l->ids = ids;
  l->n = m;
}

size_t liq_ladder_size(const liq_ladder *l) {
  return array_size(l) + tree_size(l);
}

double liq_ladder_key(const liq_ladder *l, uint32_t id) {
  if (l->root != LIQ_TREAP_NIL && l->k->in_tree[id]) return l->k->tree.key[id];
  return liq_ladder_keys_key0(l->k, id);   /* a live array member */
}

/* (ka, a) before (kb, b)? */
static int before(double ka, uint32_t a, double kb, uint32_t b) {
  return ka < kb || (ka == kb && a < b);
}

int liq_ladder_first(const liq_ladder *l, uint32_t *id) {
  int in_array = l->head < l->n, in_tree = l->root != LIQ_TREAP_NIL;
  uint32_t a, t;
  if (!in_array && !in_tree) return 0;
  if (!in_tree) {
    *id = l->ids[l->head];
    return 1;
  }
  t = liq_treap_first(&l->k->tree, l->root);
  if (!in_array) {
    *id = t;
    return 1;
  }
  a = l->ids[l->head];
  *id = before(l->k->tree.key[t], t, liq_ladder_keys_key0(l->k, a), a) ? t : a;
  return 1;
}

uint32_t liq_ladder_kth(const liq_ladder *l, size_t k) {
  const liq_treap_forest *f = &l->k->tree;
  size_t na = array_size(l), nt = tree_size(l);
  size_t want = k + 1, lo, hi;
  if (nt == 0) return array_kth(l, k);
  if (na == 0) return liq_treap_kth(f, l->root, k);
  /* Take i from the array and want - i from the treap: binary search on i. */
  lo = want > nt ? want - nt : 0;
  hi = want < na ? want : na;
  while (lo < hi) {
    size_t i = lo + (hi - lo) / 2, j = want - i;
    uint32_t a = array_kth(l, i), t = liq_treap_kth(f, l->root, j - 1);
    if (before(liq_ladder_keys_key0(l->k, a), a, f->key[t], t)) lo = i + 1;  /* too few from the array */
    else hi = i;
  }
  {
    size_t i = lo, j = want - lo;
    uint32_t a, t;
    if (i == 0) return liq_treap_kth(f, l->root, j - 1);
    if (j == 0) return array_kth(l, i - 1);
    a = array_kth(l, i - 1);
    t = liq_treap_kth(f, l->root, j - 1);
    return before(liq_ladder_keys_key0(l->k, a), a, f->key[t], t) ? t : a;
  }
}

/* Is array entry i before the bound x (key < x; strict: key <= x)? */
static int before_bound(const liq_ladder *l, size_t i, double x, int strict) {
  double k = array_key(l, i);
  return strict ? k <= x : k < x;
}

/* First index in [head, n) whose key is >= x (strict = 1: > x).  Galloping
** from the last answer (the finger): a price that moved a little between
** steps costs O(log distance) key reads, not O(log n). */
static size_t array_bound(liq_ladder *l, double x, int strict) {
  size_t lo = l->head, hi = l->n, f = l->finger, step;
  if (f < lo) f = lo;
  if (f > hi) f = hi;
  /* Invariant: entries below lo are before x, entries from hi on are not. */
  if (f < hi && before_bound(l, f, x, strict)) {
    lo = f + 1;
    for (step = 1; f + step < hi; step *= 2) {
      if (!before_bound(l, f + step, x, strict)) {
        hi = f + step;
        break;
      }
      lo = f + step + 1;
    }
  } else {
    hi = f;
    for (step = 1; f >= lo + step; step *= 2) {
      if (before_bound(l, f - step, x, strict)) {
        lo = f - step + 1;
        break;
      }
      hi = f - step;
    }
  }
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (before_bound(l, mid, x, strict)) lo = mid + 1;
    else hi = mid;
  }
  l->finger = lo;
  return lo;
}

static size_t array_count(liq_ladder *l, double x, int strict) {
  size_t i = array_bound(l, x, strict);
  return (i - l->head) - (dead_before(l, i) - dead_before(l, l->head));
}

size_t liq_ladder_count_below(liq_ladder *l, double x) {
  return array_count(l, x, 0) + liq_treap_count_below(&l->k->tree, l->root, x);
}

size_t liq_ladder_count_at_most(liq_ladder *l, double x) {
  return array_count(l, x, 1) + liq_treap_count_at_most(&l->k->tree, l->root, x);
}

/* Merge the treap into a new array when it has grown past an eighth of
** the array (and a few thousand): queries stay near O(1) and the treap
** small.  Without memory the treap simply stays. */
static void maybe_compact(liq_ladder *l) {
  liq_treap_forest *f = &l->k->tree;
  size_t nt = tree_size(l), na = array_size(l), i = l->head, j = 0, m = 0;
  uint32_t *ids, *tree_ids;
  if (nt < 4096 || nt < na / 8) return;
  ids = liq_dense_alloc(na + nt, sizeof *ids);
  tree_ids = malloc(nt * sizeof *tree_ids);
  if (!ids || !tree_ids) {
    liq_dense_free(ids);
    free(tree_ids);
    return;
  }
  for (j = 0; j < nt; j++) tree_ids[j] = liq_treap_kth(f, l->root, j);
  j = 0;
  while (i < l->n || j < nt) {
    uint32_t a;
    if (i < l->n && (l->ids[i] & DEAD)) {
      i++;
      continue;
    }
    if (j >= nt) a = l->ids[i++];
    else if (i >= l->n) a = tree_ids[j++];
    else if (before(liq_ladder_keys_key0(l->k, l->ids[i]), l->ids[i], f->key[tree_ids[j]],
                    tree_ids[j]))
      a = l->ids[i++];
    else
      a = tree_ids[j++];
    ids[m++] = a;
  }
  for (j = 0; j < nt; j++) {
    uint32_t t = tree_ids[j];
    if (l->k->key0) l->k->key0[t] = f->key[t];   /* computed keys: the same */
    l->k->in_tree[t] = 0;
  }
  free(tree_ids);
  l->root = LIQ_TREAP_NIL;
  liq_ladder_free(l);
  l->ids = ids;
  l->n = m;
}

void liq_ladder_insert(liq_ladder *l, uint32_t id, double key) {
  assert(l->k->dynamic);
  l->k->tree.key[id] = key;
  l->k->in_tree[id] = 1;
  l->root = liq_treap_insert(&l->k->tree, l->root, id);
  maybe_compact(l);
}

int liq_ladder_pop_upto(liq_ladder *l, double x, int inclusive, uint32_t *id) {
  uint32_t a;
  double k;
  if (l->root == LIQ_TREAP_NIL) {   /* the common case: the cursor alone */
    if (l->head >= l->n) return 0;
    a = l->ids[l->head];
    k = liq_ladder_keys_key0(l->k, a);
    if (!(inclusive ? k <= x : k < x)) return 0;
    l->head++;
    skip_dead(l);
    *id = a;
    return 1;
  }
  if (!liq_ladder_first(l, &a)) return 0;
  k = liq_ladder_key(l, a);
  if (!(inclusive ? k <= x : k < x)) return 0;
  liq_ladder_erase(l, a);
  *id = a;
  return 1;
}

void liq_ladder_erase(liq_ladder *l, uint32_t id) {
  size_t i;
  if (l->root != LIQ_TREAP_NIL && l->k->in_tree[id]) {
    l->root = liq_treap_erase(&l->k->tree, l->root, id);
    l->k->in_tree[id] = 0;
    return;
  }
  if (l->head < l->n && l->ids[l->head] == id) {   /* the cursor: a move */
    l->head++;
    skip_dead(l);
    return;
  }
  /* Find (key0[id], id) among [head, n) and leave a tombstone. */
  {
    double key = liq_ladder_keys_key0(l->k, id);
    size_t lo = l->head, hi = l->n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      uint32_t b = l->ids[mid] & ID_MASK;
      if (before(array_key(l, mid), b, key, id)) lo = mid + 1;
      else hi = mid;
    }
    i = lo;
  }
  if (i >= l->n || (l->ids[i] & ID_MASK) != id || (l->ids[i] & DEAD)) return;  /* not a member */
  if (l->fen == NULL) {
    /* The first tombstone: computed keys of the array are kept from now on,
    ** since a tombstone's position may change and its key with it. */
    if (l->k->key0 == NULL && l->akey == NULL) {
      size_t j;
      l->akey = malloc(l->n * sizeof *l->akey);
      for (j = l->head; l->akey && j < l->n; j++)
        l->akey[j] = liq_ladder_keys_key0(l->k, l->ids[j]);
    }
    if (l->k->key0 == NULL && l->akey == NULL) l->fen = NULL;
    else l->fen = calloc(l->n + 1, sizeof *l->fen);
    if (l->fen == NULL) {
      /* No memory for the index: close the gap instead, O(n). */
      memmove(l->ids + i, l->ids + i + 1, (l->n - i - 1) * sizeof *l->ids);
      if (l->akey) memmove(l->akey + i, l->akey + i + 1, (l->n - i - 1) * sizeof *l->akey);
      l->n--;
      return;
    }
  }
  mark_dead(l, i);
}

/* ---- sorting -------------------------------------------------------------- */

/* The bits of a double as an unsigned integer in the same order (-0 and +0
** alike, as the comparison treats them). */
static uint64_t order_bits(double x) {
  uint64_t u;
  if (x == 0.0) x = 0.0;
  memcpy(&u, &x, sizeof u);
  return (u >> 63) ? ~u : u | 0x8000000000000000ULL;
}

/*
** The sort: each key's order bits are cut to a 32-bit prefix that keeps
** their order (the offset from the smallest finite key, shifted right just
** enough; infinities at the ends), the (prefix, id) pairs are sorted by an
** LSD radix sort (three passes of 11 bits at most), and the rare runs of
** equal prefixes are put in (key, id) order by comparison.  Scratch: three
** 4-byte arrays of m.
*/
#define RADIX_BITS 11
#define RADIX_PASSES ((32 + RADIX_BITS - 1) / RADIX_BITS)
#define RADIX_BUCKETS ((size_t)1 << RADIX_BITS)
#define RADIX_COUNTS (RADIX_PASSES * RADIX_BUCKETS)   /* a sorter's digit counts */
#define SPLIT_SAMPLE 4096   /* prefixes sampled to choose a parallel sort's split points */
#define PREFIX_MAX 0xffffffffu

static const uint64_t NEG_INF_BITS = 0x000fffffffffffffULL;   /* order_bits(-inf) */
static const uint64_t POS_INF_BITS = 0xfff0000000000000ULL;   /* order_bits(+inf) */

/* The map from order bits to prefixes: finite keys in [lo, hi]. */
typedef struct prefix_map {
  uint64_t lo, hi;
  unsigned shift;
} prefix_map;

static void prefix_map_make(prefix_map *pm, uint64_t lo, uint64_t hi) {
  uint64_t span;
  if (lo > hi) lo = hi = POS_INF_BITS - 1;   /* no finite key */
  span = hi - lo;
  pm->lo = lo;
  pm->hi = hi;
  pm->shift = 0;
  while ((span >> pm->shift) > (uint64_t)PREFIX_MAX - 2) pm->shift++;
}

static uint32_t prefix_of(const prefix_map *pm, uint64_t b) {
  if (b < pm->lo) return 0;
  if (b > pm->hi) return PREFIX_MAX;
  return 1u + (uint32_t)((b - pm->lo) >> pm->shift);
}

/* The smallest and largest finite order bits of keys[ids[lo..hi)]. */
static void finite_range(const liq_ladder_keys *k, const uint32_t *ids, size_t lo,
                         size_t hi, uint64_t *min, uint64_t *max) {
  uint64_t a = UINT64_MAX, z = 0;
  size_t i;
  for (i = lo; i < hi; i++) {
    uint64_t b = order_bits(liq_ladder_keys_key0(k, ids[i]));
    if (b <= NEG_INF_BITS || b >= POS_INF_BITS) continue;
    if (b < a) a = b;
    if (b > z) z = b;
  }
  *min = a;
  *max = z;
}

/*
** Stable LSD radix sort of the n pairs (pre[i], ids[i]) by pre, with
** scratch arrays pre2 and ids2 of n and counts[RADIX_COUNTS].  The digit
** counts of every pass are taken in one read (a pass permutes the keys,
** not their digits); a pass whose digit is the same for every key is
** skipped.  Returns 1 when the result is in the scratch arrays, 0 when in
** (pre, ids).
*/
static int radix_lsd(uint32_t *pre, uint32_t *ids, uint32_t *pre2, uint32_t *ids2,
                     size_t n, size_t *counts) {
  size_t i;
  int pass, swapped = 0;
  if (n == 0) return 0;
  memset(counts, 0, RADIX_COUNTS * sizeof *counts);
  for (i = 0; i < n; i++) {
    uint32_t b = pre[i];
    for (pass = 0; pass < RADIX_PASSES; pass++)
      counts[(size_t)pass * RADIX_BUCKETS + ((b >> (pass * RADIX_BITS)) & (RADIX_BUCKETS - 1))]++;
  }
  for (pass = 0; pass < RADIX_PASSES; pass++) {
    unsigned shift = (unsigned)(pass * RADIX_BITS);
    size_t *count = counts + (size_t)pass * RADIX_BUCKETS, sum = 0, d;
    uint32_t *t;
    if (count[(pre[0] >> shift) & (RADIX_BUCKETS - 1)] == n) continue;   /* stays */
    for (d = 0; d < RADIX_BUCKETS; d++) {
      size_t c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (i = 0; i < n; i++) {
      size_t at = count[(pre[i] >> shift) & (RADIX_BUCKETS - 1)]++;
      pre2[at] = pre[i];
      ids2[at] = ids[i];
    }
    t = pre; pre = pre2; pre2 = t;
    t = ids; ids = ids2; ids2 = t;
    swapped ^= 1;
  }
  return swapped;
}

typedef struct bits_id { uint64_t bits; uint32_t id; } bits_id;

static int by_bits_id(const void *pa, const void *pb) {
  const bits_id *a = pa, *b = pb;
  if (a->bits != b->bits) return a->bits < b->bits ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

/* Put every run of equal prefixes in pre[0..n) (ids alongside, in id
** order: the radix sort is stable) in (key, id) order.  0, or -1 when out
** of memory. */
static int sort_runs(const liq_ladder_keys *k, const uint32_t *pre, uint32_t *ids, size_t n) {
  bits_id *buf = NULL;
  size_t a = 0, b, cap = 0, j;
  while (a < n) {
    int sorted = 1;
    uint64_t prev;
    for (b = a + 1; b < n && pre[b] == pre[a]; b++) {}
    if (b - a < 2) {
      a = b;
      continue;
    }
    prev = order_bits(liq_ladder_keys_key0(k, ids[a]));
    for (j = a + 1; j < b && sorted; j++) {   /* equal keys are in id order */
      uint64_t x = order_bits(liq_ladder_keys_key0(k, ids[j]));
      sorted = x >= prev;
      prev = x;
    }
    if (!sorted) {
      if (b - a > cap) {
        bits_id *nb = realloc(buf, (b - a) * sizeof *buf);
        if (nb == NULL) {
          free(buf);
          return -1;
        }
        buf = nb;
        cap = b - a;
      }
      for (j = a; j < b; j++) {
        buf[j - a].bits = order_bits(liq_ladder_keys_key0(k, ids[j]));
        buf[j - a].id = ids[j];
      }
      qsort(buf, b - a, sizeof *buf, by_bits_id);
      for (j = a; j < b; j++) ids[j] = buf[j - a].id;
    }
    a = b;
  }
  free(buf);
  return 0;
}

/* Sort the n pairs at (pre, ids) into ids, with scratch (pre2, ids2) of n. */
static int sort_pairs(const liq_ladder_keys *k, uint32_t *pre, uint32_t *ids, uint32_t *pre2,
                      uint32_t *ids2, size_t n, size_t *counts) {
  if (radix_lsd(pre, ids, pre2, ids2, n, counts)) {
    memcpy(ids, ids2, n * sizeof *ids);
    memcpy(pre, pre2, n * sizeof *pre);
  }
  return sort_runs(k, pre, ids, n);
}

/*
** A sort on a team of T threads: split the prefixes at T - 1 points chosen
** from a sample into T ranges of about equal size, move every pair (in
** order) to its range, then each thread sorts one range alone.  Pairs
** equal to a split point all go to the range above it, so the result is
** the same ids in the same order as one thread gives.
*/
typedef struct split_sort {
  const liq_ladder_keys *k;
  size_t    m;
  int       T;           /* the team's size */
  uint32_t *ids, *pre, *pre2, *ids2;
  uint64_t *lo, *hi;     /* [T]: each slice's finite range */
  size_t   *counts;      /* [T][RADIX_COUNTS] */
  size_t   *part;        /* [T][T]: slice t's pairs in range r */
  uint32_t *pivot;       /* [T - 1], ascending */
  uint32_t *sample;      /* [SPLIT_SAMPLE] */
  int      *rc;          /* [T] */
} split_sort;

static int cmp_u32(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  return (a > b) - (a < b);
}

static void choose_pivots(split_sort *j) {
  size_t s = j->m < SPLIT_SAMPLE ? j->m : SPLIT_SAMPLE, i;
  int r;
  for (i = 0; i < s; i++) j->sample[i] = j->pre[i * j->m / s];
  qsort(j->sample, s, sizeof *j->sample, cmp_u32);
  for (r = 1; r < j->T; r++) j->pivot[r - 1] = j->sample[s * (size_t)r / (size_t)j->T];
}

/* The range of prefix x: the number of split points at or below it. */
static int range_of(const split_sort *j, uint32_t x) {
  int r = 0;
  while (r < j->T - 1 && x >= j->pivot[r]) r++;
  return r;
}

static void split_thread(void *ctx, liq_par_team *tm) {
  split_sort *j = ctx;
  int T = liq_par_size(tm), t = liq_par_rank(tm), r, u;
  size_t lo = j->m * (size_t)t / (size_t)T, hi = j->m * ((size_t)t + 1) / (size_t)T, i;
  size_t *part = j->part + (size_t)t * (size_t)T, *counts = j->counts + (size_t)t * RADIX_COUNTS;
  size_t begin = 0, end;
  uint64_t a = UINT64_MAX, z = 0;
  prefix_map pm;
  if (t == 0) j->T = T;   /* read by range_of() from the next barrier on */
  finite_range(j->k, j->ids, lo, hi, &j->lo[t], &j->hi[t]);
  liq_par_barrier(tm);
  for (u = 0; u < T; u++) {   /* every thread makes the same map */
    if (j->lo[u] < a) a = j->lo[u];
    if (j->hi[u] > z) z = j->hi[u];
  }
  prefix_map_make(&pm, a, z);
  for (i = lo; i < hi; i++) j->pre[i] = prefix_of(&pm, order_bits(liq_ladder_keys_key0(j->k, j->ids[i])));
  liq_par_barrier(tm);
  if (t == 0) choose_pivots(j);
  liq_par_barrier(tm);
  for (r = 0; r < T; r++) part[r] = 0;
  for (i = lo; i < hi; i++) part[range_of(j, j->pre[i])]++;
  liq_par_barrier(tm);
  /* Range r holds the pairs of the ranges below it, then slice by slice:
  ** where this slice's pairs of range r go, and where this thread's range is. */
  {
    size_t at = 0, *where = counts;   /* [T], borrowed */
    for (r = 0; r < T; r++) {
      if (r == t) begin = at;
      for (u = 0; u < T; u++) {
        if (u == t) where[r] = at;
        at += j->part[(size_t)u * (size_t)T + (size_t)r];
      }
    }
    for (i = lo; i < hi; i++) {
      size_t d = where[range_of(j, j->pre[i])]++;
      j->pre2[d] = j->pre[i];
      j->ids2[d] = j->ids[i];
    }
  }
  end = begin;
  for (u = 0; u < T; u++) end += j->part[(size_t)u * (size_t)T + (size_t)t];
  liq_par_barrier(tm);
  /* Sort range t from (pre2, ids2) into ids (pre, ids there as scratch). */
  if (!radix_lsd(j->pre2 + begin, j->ids2 + begin, j->pre + begin, j->ids + begin,
                 end - begin, counts)) {
    memcpy(j->ids + begin, j->ids2 + begin, (end - begin) * sizeof *j->ids);
    memcpy(j->pre + begin, j->pre2 + begin, (end - begin) * sizeof *j->pre);
  }
  j->rc[t] = sort_runs(j->k, j->pre + begin, j->ids + begin, end - begin);
}

int liq_ladder_sort_ids(const liq_ladder_keys *k, uint32_t *ids, size_t m) {
  split_sort j;
  int threads = liq_par_threads(), rc = 0, t;
  if (m <= 1) return 0;
  if (m < LIQ_PAR_MIN_ITEMS || threads < 1) threads = 1;
  memset(&j, 0, sizeof j);
  j.k = k;
  j.m = m;
  j.T = threads;
  j.ids = ids;
  j.pre = liq_dense_alloc(m, sizeof *j.pre);
  j.pre2 = liq_dense_alloc(m, sizeof *j.pre2);
  j.ids2 = liq_dense_alloc(m, sizeof *j.ids2);
  j.counts = malloc((size_t)threads * RADIX_COUNTS * sizeof *j.counts);
  if (threads > 1) {
    j.part = malloc((size_t)threads * (size_t)threads * sizeof *j.part);
    j.pivot = malloc((size_t)threads * sizeof *j.pivot);
    j.sample = malloc(SPLIT_SAMPLE * sizeof *j.sample);
    j.lo = malloc((size_t)threads * sizeof *j.lo);
    j.hi = malloc((size_t)threads * sizeof *j.hi);
    j.rc = calloc((size_t)threads, sizeof *j.rc);
  }
  if (!j.pre || !j.pre2 || !j.ids2 || !j.counts ||
      (threads > 1 && (!j.part || !j.pivot || !j.sample || !j.lo || !j.hi || !j.rc))) {
    rc = -1;
  } else if (threads == 1) {
    prefix_map pm;
    uint64_t a, z;
    size_t i;
    finite_range(k, ids, 0, m, &a, &z);
    prefix_map_make(&pm, a, z);
    for (i = 0; i < m; i++) j.pre[i] = prefix_of(&pm, order_bits(liq_ladder_keys_key0(k, ids[i])));
    rc = sort_pairs(k, j.pre, ids, j.pre2, j.ids2, m, j.counts);
  } else {
    liq_par_run(threads, split_thread, &j);   /* a smaller team splits by its size */
    for (t = 0; t < j.T; t++)
      if (j.rc[t] != 0) rc = -1;
  }
  liq_dense_free(j.pre);
  liq_dense_free(j.pre2);
  liq_dense_free(j.ids2);
  free(j.counts);
  free(j.part);
  free(j.pivot);
  free(j.sample);
  free(j.lo);
  free(j.hi);
  free(j.rc);
  return rc;
}
