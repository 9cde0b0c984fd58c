/*
** funding_int.h: library-internal part of the funding module (funding.c),
** used by the scenario validator, which reads a funding file once when the
** scenario loads.  Programs use liq_funding.h.
*/
#ifndef LIQ_FUNDING_INT_H
#define LIQ_FUNDING_INT_H

#include <stddef.h>

#include "liq_funding.h"

/* Read a funding file's payments (ascending calc_time) into *events (a
** new array of *n, free with free()).  A bad file is LIQ_INPUT with its
** FILE:LINE; one that cannot be opened LIQ_IO. */
int liq_funding_read(const char *path, liq_funding_event **events /* OUT */,
                     size_t *n /* OUT */, liq_err *err);

#endif /* LIQ_FUNDING_INT_H */
