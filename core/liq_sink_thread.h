/*
** liq_sink_thread.h: hand a run's rows to another sink in a writer thread.
**
** The engine's sink callbacks copy each row into a block; full blocks go to
** a writer thread that passes the rows, in the order the engine produced
** them, to the inner sink (the store), so the engine never waits on SQLite
** unless the writer falls a bounded number of blocks behind.  The inner
** sink is used by the writer thread only, from start to finish: nothing
** else may touch what it writes to in between.
**
** The first error of the inner sink is kept; the engine sees it (as the
** status of a later callback, which stops the run) and finish returns it
** with its message.  Rows after it are dropped.
*/
#ifndef LIQ_SINK_THREAD_H
#define LIQ_SINK_THREAD_H

#include "liq_engine.h"
#include "liq_err.h"

typedef struct liq_sink_thread liq_sink_thread;

/* Start the writer over 'inner' (borrowed until finish).  *out is the sink
** to give the engine.  Without memory or a thread, *t is NULL and *out is
** 'inner' itself: the rows are written synchronously, the same rows. */
void liq_sink_thread_start(const liq_sink *inner, liq_sink_thread **t /* OUT */,
                           liq_sink *out /* OUT */);

/* Write what is left, stop the thread and free it (t may be NULL).
** Returns the inner sink's first error (*err filled), else LIQ_OK. */
int liq_sink_thread_finish(liq_sink_thread *t, liq_err *err);

#endif /* LIQ_SINK_THREAD_H */
