/*
** sink_thread.c: a run's rows written by a writer thread (see
** liq_sink_thread.h).
**
** Rows are copied into fixed blocks; the engine fills one block at a time
** and queues it when full, the writer takes queued blocks in order and
** returns them to a free list.  At most LIQ_SINK_BLOCKS blocks exist: when
** none is free the engine waits (the writer is that far behind).
**
** A block packs its rows back to back, each a kind tag and the row itself
** (a liquidation row takes 120 bytes, not the 520 of a step row), so the
** whole queue is 4 MB and stays in the cache the two threads share while
** a run streams millions of rows through it.
*/
#include "liq_sink_thread.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LIQ_SINK_BLOCK_BYTES (256 * 1024)
#define LIQ_SINK_BLOCKS      16

enum { ROW_STEP, ROW_LIQ, ROW_ADL };

/* A row in a block: its kind (an int) in REC_HEAD bytes, then the row,
** padded to a multiple of REC_ALIGN (every row type's alignment divides
** it, so each row is aligned in place). */
#define REC_ALIGN 8
#define REC_HEAD  REC_ALIGN
#define REC_SIZE(type) \
  (REC_HEAD + (sizeof(type) + REC_ALIGN - 1) / REC_ALIGN * REC_ALIGN)
_Static_assert(_Alignof(liq_step_row) <= REC_ALIGN &&
               _Alignof(liq_liquidation_row) <= REC_ALIGN &&
               _Alignof(liq_adl_row) <= REC_ALIGN && sizeof(int) <= REC_HEAD,
               "sink rows must fit REC_ALIGN");

typedef struct block {
  struct block *next;
  size_t used;                /* bytes of rows in bytes[] */
  _Alignas(REC_ALIGN) unsigned char bytes[LIQ_SINK_BLOCK_BYTES];
} block;

struct liq_sink_thread {
  liq_sink inner;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;          /* queue grew, a block was freed, or stop */
  block *queue_head, *queue_tail;
  block *free_list;
  block *filling;             /* the engine's current block (engine only) */
  int stop;                   /* no more blocks will be queued */
  int status;                 /* the inner sink's first error, LIQ_OK */
  liq_err err;
};

/* Pass one block's rows to the inner sink (writer thread; no lock held).
** Only kinds whose callback the inner sink has are ever queued. */
static int write_block(liq_sink_thread *t, const block *b, liq_err *err) {
  size_t at = 0;
  int rc = LIQ_OK;
  while (at < b->used && rc == LIQ_OK) {
    const void *row = b->bytes + at + REC_HEAD;
    int kind;
    memcpy(&kind, b->bytes + at, sizeof kind);
    switch (kind) {
      case ROW_STEP:
        rc = t->inner.step(t->inner.ud, row, err);
        at += REC_SIZE(liq_step_row);
        break;
      case ROW_LIQ:
        rc = t->inner.liquidation(t->inner.ud, row, err);
        at += REC_SIZE(liq_liquidation_row);
        break;
      default:
        rc = t->inner.adl(t->inner.ud, row, err);
        at += REC_SIZE(liq_adl_row);
        break;
    }
  }
  return rc;
}

static void *writer_main(void *arg) {
  liq_sink_thread *t = arg;
  liq_err err;
  liq_err_clear(&err);
  pthread_mutex_lock(&t->mu);
  for (;;) {
    block *b;
    int failed;
    while (t->queue_head == NULL && !t->stop) pthread_cond_wait(&t->cv, &t->mu);
    b = t->queue_head;
    if (b == NULL) break;                /* stopped and drained */
    t->queue_head = b->next;
    if (t->queue_head == NULL) t->queue_tail = NULL;
    failed = t->status != LIQ_OK;
    pthread_mutex_unlock(&t->mu);
    {
      int rc = failed ? LIQ_OK : write_block(t, b, &err);
      pthread_mutex_lock(&t->mu);
      if (rc != LIQ_OK && t->status == LIQ_OK) {
        t->status = rc;
        t->err = err;
      }
    }
    b->used = 0;
    b->next = t->free_list;
    t->free_list = b;
    pthread_cond_broadcast(&t->cv);
  }
  pthread_mutex_unlock(&t->mu);
  return NULL;
}

/* Append block b to the writer's queue (lock held). */
static void queue_block(liq_sink_thread *t, block *b) {
  b->next = NULL;
  if (t->queue_tail) t->queue_tail->next = b;
  else t->queue_head = b;
  t->queue_tail = b;
}

/* Queue the engine's full block and take a free one (waiting for the writer
** when none is free).  Returns the writer's status. */
static int hand_over(liq_sink_thread *t) {
  int status;
  pthread_mutex_lock(&t->mu);
  if (t->filling->used > 0) {
    queue_block(t, t->filling);
    t->filling = NULL;
    pthread_cond_broadcast(&t->cv);
  }
  while (t->filling == NULL) {
    if (t->free_list) {
      t->filling = t->free_list;
      t->free_list = t->filling->next;
    } else {
      pthread_cond_wait(&t->cv, &t->mu);
    }
  }
  status = t->status;
  pthread_mutex_unlock(&t->mu);
  return status;
}

/* Room for the next row, of kind 'kind' and REC_SIZE 'size'; *status is
** the status the engine should see. */
static void *next_slot(liq_sink_thread *t, int kind, size_t size, int *status) {
  unsigned char *r;
  *status = LIQ_OK;
  if (t->filling->used + size > LIQ_SINK_BLOCK_BYTES) *status = hand_over(t);
  r = t->filling->bytes + t->filling->used;
  t->filling->used += size;
  memcpy(r, &kind, sizeof kind);
  return r + REC_HEAD;
}

static int fail_status(int status, liq_err *err) {
  if (status == LIQ_OK) return LIQ_OK;
  /* The message is the writer's; finish copies it out. */
  return liq_errf(err, status, NULL, 0, "writing rows failed (see below)");
}

static int on_step(void *ud, const liq_step_row *r, liq_err *err) {
  liq_sink_thread *t = ud;
  int status;
  liq_step_row *slot = next_slot(t, ROW_STEP, REC_SIZE(liq_step_row), &status);
  *slot = *r;
  return fail_status(status, err);
}

static int on_liq(void *ud, const liq_liquidation_row *r, liq_err *err) {
  liq_sink_thread *t = ud;
  int status;
  liq_liquidation_row *slot = next_slot(t, ROW_LIQ, REC_SIZE(liq_liquidation_row),
                                        &status);
  *slot = *r;
  return fail_status(status, err);
}

static int on_adl(void *ud, const liq_adl_row *r, liq_err *err) {
  liq_sink_thread *t = ud;
  int status;
  liq_adl_row *slot = next_slot(t, ROW_ADL, REC_SIZE(liq_adl_row), &status);
  *slot = *r;
  return fail_status(status, err);
}

static void free_blocks(block *b) {
  while (b) {
    block *next = b->next;
    free(b);
    b = next;
  }
}

void liq_sink_thread_start(const liq_sink *inner, liq_sink_thread **out_t,
                           liq_sink *out) {
  liq_sink_thread *t = calloc(1, sizeof *t);
  int i;
  *out_t = NULL;
  *out = *inner;
  if (t == NULL) return;
  t->inner = *inner;
  for (i = 0; i < LIQ_SINK_BLOCKS; i++) {
    block *b = malloc(sizeof *b);
    if (b == NULL) break;
    b->used = 0;
    b->next = t->free_list;
    t->free_list = b;
  }
  if (i < 2 || pthread_mutex_init(&t->mu, NULL) != 0) {
    free_blocks(t->free_list);
    free(t);
    return;
  }
  if (pthread_cond_init(&t->cv, NULL) != 0) {
    pthread_mutex_destroy(&t->mu);
    free_blocks(t->free_list);
    free(t);
    return;
  }
  t->filling = t->free_list;
  t->free_list = t->filling->next;
  t->status = LIQ_OK;
  if (pthread_create(&t->thread, NULL, writer_main, t) != 0) {
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t->filling);
    free_blocks(t->free_list);
    free(t);
    return;
  }
  /* a NULL callback stays NULL: the engine then makes no such rows */
  out->step = inner->step ? on_step : NULL;
  out->liquidation = inner->liquidation ? on_liq : NULL;
  out->adl = inner->adl ? on_adl : NULL;
  out->ud = t;
  *out_t = t;
}

int liq_sink_thread_finish(liq_sink_thread *t, liq_err *err) {
  int status;
  if (t == NULL) return LIQ_OK;
  pthread_mutex_lock(&t->mu);
  if (t->filling->used > 0) {
    queue_block(t, t->filling);
  } else {
    t->filling->next = t->free_list;
    t->free_list = t->filling;
  }
  t->filling = NULL;
  t->stop = 1;
  pthread_cond_broadcast(&t->cv);
  pthread_mutex_unlock(&t->mu);
  pthread_join(t->thread, NULL);
  status = t->status;
  if (status != LIQ_OK) *err = t->err;
  pthread_cond_destroy(&t->cv);
  pthread_mutex_destroy(&t->mu);
  free_blocks(t->free_list);
  free(t);
  return status;
}
