#include "fl_walsh_hadamard.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// The Walsh–Hadamard transform of 2^n doubles in place, in two cache-friendly sweeps instead of
// n passes over memory: the low bits' stages run on contiguous blocks that stay in L1, the high
// bits' stages on strips of STRIP columns of the [2^m × 2^low] matrix, gathered into a contiguous
// buffer that stays in L2 (one gather and one scatter per strip, so few TLB misses), where the
// spectrum's summaries are taken as each final value is written back.

enum { STRIP = 8, LOW_BITS = 11, HIGH_BITS = 13 };

// All stages of an FWHT over `len` items of `unit` contiguous doubles each (len a power of two):
// two stages per pass (radix 4), so each pass reads and writes the data once for two stages.
static void fwht_items(double *a, size_t len, size_t unit) {
    size_t h = 1;
    for (; 4 * h <= len; h *= 4) {
        size_t span = h * unit;
        for (size_t i = 0; i < len * unit; i += 4 * span) {
            double *x0 = a + i, *x1 = x0 + span, *x2 = x1 + span, *x3 = x2 + span;
            for (size_t j = 0; j < span; j++) {
                double s0 = x0[j] + x1[j], d0 = x0[j] - x1[j], s1 = x2[j] + x3[j], d1 = x2[j] - x3[j];
                x0[j] = s0 + s1; x1[j] = d0 + d1; x2[j] = s0 - s1; x3[j] = d0 - d1;
            }
        }
    }
    if (2 * h <= len) {  // an odd number of stages: one radix-2 pass
        size_t span = h * unit;
        for (size_t i = 0; i < len * unit; i += 2 * span) {
            double *x = a + i, *y = x + span;
            for (size_t j = 0; j < span; j++) {
                double u = x[j], v = y[j];
                x[j] = u + v; y[j] = u - v;
            }
        }
    }
}

// The largest |value| of the spectrum (index 0, the mean, left out), as a min-heap on |value|.
typedef struct {
    long k, count;
    long *index;
    double *value;
} top_heap;

static void heap_offer(top_heap *h, long index, double value) {
    double m = value < 0 ? -value : value;
    if (h->k == 0 || index == 0) return;
    if (h->count == h->k) {
        double root = h->value[0] < 0 ? -h->value[0] : h->value[0];
        if (m <= root) return;
        h->count--;  // replace the root: sift the last element down from the top, then insert
        long i = 0;
        long last_i = h->index[h->count];
        double last_v = h->value[h->count], last_m = last_v < 0 ? -last_v : last_v;
        for (;;) {
            long c = 2 * i + 1;
            if (c >= h->count) break;
            double cm = h->value[c] < 0 ? -h->value[c] : h->value[c];
            if (c + 1 < h->count) {
                double rm = h->value[c + 1] < 0 ? -h->value[c + 1] : h->value[c + 1];
                if (rm < cm) { c++; cm = rm; }
            }
            if (last_m <= cm) break;
            h->index[i] = h->index[c]; h->value[i] = h->value[c];
            i = c;
        }
        h->index[i] = last_i; h->value[i] = last_v;
    }
    long i = h->count++;
    while (i > 0) {
        long p = (i - 1) / 2;
        double pm = h->value[p] < 0 ? -h->value[p] : h->value[p];
        if (pm <= m) break;
        h->index[i] = h->index[p]; h->value[i] = h->value[p];
        i = p;
    }
    h->index[i] = index; h->value[i] = value;
}

// Energy by degree and the top coefficients of `count` final values starting at index `first`
// (scaled by `scale`), read with a stride, the degree of each being popcount(index).
static inline void summarise(const double *v, size_t stride, size_t count, size_t first, size_t index_step,
                             double scale, double *energy, top_heap *top) {
    for (size_t r = 0; r < count; r++) {
        size_t index = first + r * index_step;
        double c = v[r * stride] * scale;
        energy[__builtin_popcountll(index)] += c * c;
        double m = c < 0 ? -c : c;
        if (top->count < top->k) heap_offer(top, (long)index, c);
        else if (top->k > 0) {
            double root = top->value[0] < 0 ? -top->value[0] : top->value[0];
            if (m > root) heap_offer(top, (long)index, c);
        }
    }
}

// One thread's share of the sweeps: low blocks [block_begin, block_end) of `width` values, then
// strips [strip_begin, strip_end) of the high stages, with its own summaries.
typedef struct {
    double *a;
    size_t width, rows, block_begin, block_end, strip_begin, strip_end;
    double scale;
    double energy[65];
    top_heap top;
    int failed;
} share;

static void low_sweep(share *s) {
    for (size_t b = s->block_begin; b < s->block_end; b++) fwht_items(s->a + b * s->width, s->width, 1);
}

static void high_sweep(share *s) {
    size_t rows = s->rows, width = s->width;
    if (rows == 1) {  // one block: the summaries alone
        if (s->strip_begin == 0 && s->strip_end > 0) summarise(s->a, 1, width, 0, 1, s->scale, s->energy, &s->top);
        return;
    }
    double *buffer = malloc(sizeof(double) * rows * STRIP);
    if (!buffer) { s->failed = 1; return; }
    for (size_t strip = s->strip_begin; strip < s->strip_end; strip++) {
        size_t c0 = strip * STRIP;
        double *a = s->a;
        for (size_t r = 0; r < rows; r++) memcpy(buffer + r * STRIP, a + r * width + c0, sizeof(double) * STRIP);
        fwht_items(buffer, rows, STRIP);
        for (size_t r = 0; r < rows; r++) memcpy(a + r * width + c0, buffer + r * STRIP, sizeof(double) * STRIP);
        // The final index of row r, column c is r·width + c: its degree is popcount(r) + popcount(c).
        for (size_t c = 0; c < STRIP; c++) summarise(buffer + c, STRIP, rows, c0 + c, width, s->scale, s->energy, &s->top);
    }
    free(buffer);
}

static void *second_thread(void *argument) {
    share *s = argument;
    low_sweep(s);
    return NULL;
}

static void *second_thread_high(void *argument) {
    high_sweep(argument);
    return NULL;
}

int fl_walsh_hadamard(double *a, int n, double scale, double *energy, long top_k, long *top_index,
                      double *top_value, long *top_count) {
    if (n < 0 || n > 40) return -1;
    size_t len = (size_t)1 << n;
    long k = top_k < 0 ? 0 : top_k;
    int low = n <= LOW_BITS + HIGH_BITS ? (n < LOW_BITS ? n : LOW_BITS) : n - HIGH_BITS;
    size_t width = (size_t)1 << low, rows = len >> low;
    size_t blocks = rows, strips = rows == 1 ? 1 : width / STRIP;
    // Two threads from 2^18 values on (the machine has two cores), each with its own summaries.
    int threads = n >= 18 ? 2 : 1;
    long *index2 = NULL;
    double *value2 = NULL;
    if (threads == 2) {
        index2 = malloc(sizeof(long) * (size_t)(k + 1));
        value2 = malloc(sizeof(double) * (size_t)(k + 1));
        if (!index2 || !value2) threads = 1;
    }
    share parts[2];
    memset(parts, 0, sizeof parts);
    for (int t = 0; t < threads; t++) {
        parts[t] = (share){a, width, rows, blocks * t / threads, blocks * (t + 1) / threads,
                           strips * t / threads, strips * (t + 1) / threads, scale, {0}, {k, 0, t ? index2 : top_index, t ? value2 : top_value}, 0};
    }
    pthread_t helper;
    int helped = threads == 2 && pthread_create(&helper, NULL, second_thread, &parts[1]) == 0;
    if (!helped) { parts[0].block_end = blocks; parts[0].strip_end = strips; threads = 1; }
    low_sweep(&parts[0]);
    if (helped) pthread_join(helper, NULL);
    helped = threads == 2 && pthread_create(&helper, NULL, second_thread_high, &parts[1]) == 0;
    if (threads == 2 && !helped) { high_sweep(&parts[1]); }
    high_sweep(&parts[0]);
    if (helped) pthread_join(helper, NULL);
    int failed = parts[0].failed || (threads == 2 && parts[1].failed);
    for (int d = 0; d <= n; d++) energy[d] = parts[0].energy[d] + (threads == 2 ? parts[1].energy[d] : 0);
    if (threads == 2) {
        for (long i = 0; i < parts[1].top.count; i++) heap_offer(&parts[0].top, parts[1].top.index[i], parts[1].top.value[i]);
    }
    free(index2);
    free(value2);
    *top_count = parts[0].top.count;
    return failed ? -2 : 0;
}
