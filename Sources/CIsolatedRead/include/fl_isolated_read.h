#ifndef FL_ISOLATED_READ_H
#define FL_ISOLATED_READ_H

#include <hdf5.h>
#include <stddef.h>

// Variable-length strings read in a forked child process. libhdf5 1.10 does not check a
// damaged global heap before it copies from it: a bad heap ID or collection crashes it or loops
// for ever. The child does only the reads; a crash or a hang ends the child, not the program.

/// One thing to read: the attribute `attribute` of the open object `object`, or, when
/// `attribute` is NULL, all the values of the open dataset `object`. Both must hold
/// variable-length strings.
typedef struct {
    hid_t object;
    const char *attribute;
} fl_vlen_item;

typedef enum {
    FL_VLEN_FINISHED = 0,   // the child read every item and exited normally
    FL_VLEN_SIGNALLED = 1,  // the child died by signal `detail`
    FL_VLEN_TIMED_OUT = 2,  // the child sent nothing for the idle limit and was killed
    FL_VLEN_EXITED = 3,     // the child exited with status `detail` before finishing
    FL_VLEN_NO_CHILD = 4    // pipe or fork failed with errno `detail`
} fl_vlen_outcome;

/// What the child sent, item by item: one byte 1 (read) or 0 (libhdf5 refused), then for a read
/// item a uint64 count and, per string, a uint64 length (UINT64_MAX for a null string) and
/// its bytes; all integers in native byte order. `bytes` is malloc'ed: release it with free().
typedef struct {
    fl_vlen_outcome outcome;
    int detail;
    unsigned char *bytes;
    size_t length;
} fl_vlen_result;

/// Reads `items` in a forked child; waits while the child keeps sending and kills it after
/// `idle_milliseconds` without a byte. Call it from the only thread that uses libhdf5.
void fl_vlen_read_isolated(const fl_vlen_item *items, size_t count, int idle_milliseconds, fl_vlen_result *result);

#endif
