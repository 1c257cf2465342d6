#include "fl_bit_strings.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>

// The per-row loops of reading bit strings and putting a full cube in order, which run once per
// string (2^26 of them at most): kept in C, free of bounds and overflow checks.

static long bit_indices(const unsigned char *bits, long rows, int n, uint64_t *index) {
    for (long r = 0; r < rows; r++) {
        const unsigned char *row = bits + r * n;
        uint64_t x = 0, seen = 0;
        int i = 0;
        // Eight bytes at a time: a word of 0/1 bytes packs into one byte of bits by one multiply
        // (byte j lands on bit 56 + j), and any other byte value shows in its upper seven bits.
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, row + i, 8);
            seen |= w;
            x |= (((w & 0x0101010101010101ULL) * 0x0102040810204080ULL) >> 56) << i;
        }
        for (; i < n; i++) {
            seen |= row[i];
            x |= (uint64_t)(row[i] & 1) << i;
        }
        if (seen & 0xFEFEFEFEFEFEFEFEULL) return r;
        index[r] = x;
    }
    return -1;
}

long fl_place_strings(const uint64_t *index, long count, long first, uint64_t *seen, uint32_t *order) {
    for (long r = 0; r < count; r++) {
        uint64_t x = index[r], bit = (uint64_t)1 << (x & 63);
        if (seen[x >> 6] & bit) return r;
        seen[x >> 6] |= bit;
        if (order) order[first + r] = (uint32_t)x;
    }
    return -1;
}

long fl_first_out_of_place(const uint64_t *index, long count, long first) {
    for (long r = 0; r < count; r++) {
        if (index[r] != (uint64_t)(first + r)) return r;
    }
    return -1;
}

static void scatter(const double *block, long rows, long stride, const uint32_t *order, long first, double *values) {
    if (order) {
        for (long r = 0; r < rows; r++) values[order[first + r]] = block[r * stride];
    } else {
        for (long r = 0; r < rows; r++) values[first + r] = block[r * stride];
    }
}

// values[index[r]] = block[r·stride], returning the first r whose slot was filled already (not NaN).
static long scatter_new(const double *block, long rows, long stride, const uint64_t *index, double *values) {
    long repeated = -1;
    for (long r = 0; r < rows; r++) {
        double *slot = values + index[r];
        if (repeated < 0 && *slot == *slot) repeated = r;
        *slot = block[r * stride];
    }
    return repeated;
}

double *fl_alloc_cube(size_t count) {
    size_t bytes = count * sizeof(double);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

void fl_free_cube(double *values, size_t count) {
    if (values) munmap(values, count * sizeof(double));
}

struct fl_cube {
    double *values;
    size_t count;
    _Atomic size_t next;  // the next 2 MiB chunk to fill
    pthread_t helper;
    int populating;
};

// Fills the memory with NaN, a 2 MiB chunk at a time taken from a shared counter, so the caller
// can join in when it needs the memory: the page faults happen here rather than in the scatter
// (fresh memory's first touch is slow), and NaN marks the slots no string has filled yet.
static void *populate(void *argument) {
    fl_cube *cube = argument;
    const size_t chunk = (2 << 20) / sizeof(double);
    for (;;) {
        size_t at = atomic_fetch_add(&cube->next, 1) * chunk;
        if (at >= cube->count) return NULL;
        size_t end = at + chunk < cube->count ? at + chunk : cube->count;
        for (size_t i = at; i < end; i++) cube->values[i] = __builtin_nan("");
    }
}

fl_cube *fl_cube_create(size_t count) {
    fl_cube *cube = malloc(sizeof *cube);
    if (!cube) return NULL;
    cube->count = count;
    atomic_init(&cube->next, 0);
    cube->values = fl_alloc_cube(count);
    if (!cube->values) { free(cube); return NULL; }
    cube->populating = pthread_create(&cube->helper, NULL, populate, cube) == 0;
    if (!cube->populating) populate(cube);
    return cube;
}

double *fl_cube_values(fl_cube *cube) {
    populate(cube);  // help with what is left
    if (cube->populating) { pthread_join(cube->helper, NULL); cube->populating = 0; }
    return cube->values;
}

void fl_cube_destroy(fl_cube *cube) {
    if (!cube) return;
    fl_free_cube(fl_cube_values(cube), cube->count);
    free(cube);
}

// A block of many rows is split between two threads (the machine has two cores): the second
// half on a helper thread, the first here. Each half touches its own rows only.
enum { SPLIT_ROWS = 1 << 14 };

typedef struct {
    const unsigned char *bits;
    const double *block;
    const uint32_t *order;
    uint64_t *index;
    double *values;
    long rows, stride, first, result;
    int n;
} half;

static void *indices_half(void *argument) {
    half *h = argument;
    h->result = bit_indices(h->bits, h->rows, h->n, h->index);
    return NULL;
}

static void *scatter_new_half(void *argument) {
    half *h = argument;
    h->result = scatter_new(h->block, h->rows, h->stride, h->index, h->values);
    return NULL;
}

static void *scatter_half(void *argument) {
    half *h = argument;
    scatter(h->block, h->rows, h->stride, h->order, h->first, h->values);
    return NULL;
}

long fl_bit_indices(const unsigned char *bits, long rows, int n, uint64_t *index) {
    long mid = rows / 2;
    half second = {bits + mid * n, NULL, NULL, index + mid, NULL, rows - mid, 0, 0, -1, n};
    pthread_t helper;
    if (rows < SPLIT_ROWS || pthread_create(&helper, NULL, indices_half, &second) != 0) return bit_indices(bits, rows, n, index);
    long bad = bit_indices(bits, mid, n, index);
    pthread_join(helper, NULL);
    if (bad >= 0) return bad;
    return second.result >= 0 ? mid + second.result : -1;
}

void fl_scatter(const double *block, long rows, long stride, const uint32_t *order, long first, double *values) {
    long mid = rows / 2;
    half second = {NULL, block + mid * stride, order, NULL, values, rows - mid, stride, first + mid, 0, 0};
    pthread_t helper;
    if (rows < SPLIT_ROWS || pthread_create(&helper, NULL, scatter_half, &second) != 0) {
        scatter(block, rows, stride, order, first, values);
        return;
    }
    scatter(block, mid, stride, order, first, values);
    pthread_join(helper, NULL);
}

long fl_scatter_new(const double *block, long rows, long stride, const uint64_t *index, double *values) {
    long mid = rows / 2;
    half second = {NULL, block + mid * stride, NULL, (uint64_t *)index + mid, values, rows - mid, stride, 0, -1, 0};
    pthread_t helper;
    if (rows < SPLIT_ROWS || pthread_create(&helper, NULL, scatter_new_half, &second) != 0) return scatter_new(block, rows, stride, index, values);
    long first = scatter_new(block, mid, stride, index, values);
    pthread_join(helper, NULL);
    if (first >= 0) return first;
    return second.result >= 0 ? mid + second.result : -1;
}
