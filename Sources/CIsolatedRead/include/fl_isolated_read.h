#ifndef FL_ISOLATED_READ_H
#define FL_ISOLATED_READ_H

#include <stddef.h>
#include <stdint.h>

// libhdf5's hid_t (int64_t since 1.10), spelt without its headers, which the Swift module CHDF5
// owns: including them here too would split their declarations between two modules.
typedef int64_t fl_hid;

// Variable-length strings read in a forked child process. libhdf5 1.10 does not check a
// damaged global heap before it copies from it: a bad heap ID or collection crashes it or loops
// for ever. The child does only the reads; a crash or a hang ends the child, not the program.

/// A dataset's creation properties, as `inspect` shows them. Reading them converts the
/// dataset's fill value, which for a variable-length string dataset is read from the heap too.
#define FL_MAX_CHUNK_RANK 32
#define FL_MAX_FILTERS 32
typedef struct {
    int id;
    unsigned first_value;   // the filter's first parameter (gzip's level), when it has one
    int has_first_value;
    char name[64];
} fl_filter;

typedef struct {
    int layout;             // an H5D_layout_t
    int chunk_rank;
    unsigned long long chunk[FL_MAX_CHUNK_RANK];
    int filter_count;
    fl_filter filters[FL_MAX_FILTERS];
} fl_creation;

/// Reads the creation properties of the open dataset of rank `rank`; -1 when libhdf5 refuses.
int fl_read_creation(fl_hid dataset, int rank, fl_creation *out);

typedef enum {
    FL_READ_ATTRIBUTE = 0,  // the strings of attribute `attribute` of `object`
    FL_READ_VALUES = 1,     // all the strings of the dataset `object`
    FL_READ_CREATION = 2    // the creation properties of the dataset `object` of rank `rank`
} fl_read_kind;

/// One thing to read from an open object.
typedef struct {
    fl_read_kind kind;
    fl_hid object;
    const char *attribute;
    int rank;
} fl_vlen_item;

typedef enum {
    FL_VLEN_FINISHED = 0,   // the child read every item and exited normally
    FL_VLEN_SIGNALLED = 1,  // the child died by signal `detail`
    FL_VLEN_TIMED_OUT = 2,  // the child sent nothing for the idle limit and was killed
    FL_VLEN_EXITED = 3,     // the child exited with status `detail` before finishing
    FL_VLEN_NO_CHILD = 4    // pipe or fork failed with errno `detail`
} fl_vlen_outcome;

/// What the child sent, item by item: one byte 1 (read) or 0 (libhdf5 refused), then for read
/// strings a uint64 count and, per string, a uint64 length (UINT64_MAX for a null string) and
/// its bytes, and for read creation properties the fl_creation itself; all in native byte
/// order. `bytes` is malloc'ed: release it with free().
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
