#include "fl_kernels.h"
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

// Eight lanes through the compiler's vector extension: one loop body, always SIMD, whatever
// the auto-vectoriser decides. The lens calls these for every logit of every layer.
typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));

__attribute__((always_inline)) static inline v8f load8(const float *p) { v8f v; memcpy(&v, p, sizeof v); return v; }
__attribute__((always_inline)) static inline void store8(float *p, v8f v) { memcpy(p, &v, sizeof v); }
__attribute__((always_inline)) static inline v8f splat(float x) { return (v8f){x, x, x, x, x, x, x, x}; }

// Cephes expf: range reduction by ln 2, a degree-6 polynomial, the exponent put back through
// the float's bits; within 2 ulp of libm on [-87, 88], and 0 below.
__attribute__((always_inline)) static inline v8f exp8(v8f x) {
    v8f lo = splat(-87.33f), hi = splat(88.72f);
    v8i small = x < lo;
    x = (v8f)((v8i)x & ~(x < lo)) + (v8f)((v8i)lo & (x < lo));
    x = (v8f)((v8i)x & ~(x > hi)) + (v8f)((v8i)hi & (x > hi));
    v8f t = x * 1.44269504f + 0.5f;
    v8i n = __builtin_convertvector(t, v8i);
    n -= (v8i)(__builtin_convertvector(n, v8f) > t) & 1;  // floor for negatives
    v8f nf = __builtin_convertvector(n, v8f);
    v8f r = x - nf * 0.693359375f - nf * -2.12194440e-4f;
    v8f p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    v8i bits = (n + 127) << 23;
    v8f result = p * (v8f)bits;
    return (v8f)((v8i)result & ~small);
}

// The lens's per-row reductions, compiled twice: for the baseline (SSE2, each v8f two halves) and
// for AVX2 (one register), chosen at run time. No multiply-add is fused in either (AVX2 without
// FMA; contraction off), so both give the same bits lane for lane.
#pragma clang fp contract(off)
__attribute__((always_inline))
static inline void top_insert(float *top, long *columns, long k, float value, long column) {
    long i = k - 1;
    while (i > 0 && top[i - 1] < value) {
        top[i] = top[i - 1];
        columns[i] = columns[i - 1];
        i--;
    }
    top[i] = value;
    columns[i] = column;
}

__attribute__((always_inline))
static inline double row_update(const float *z, long width, float *max, double *sum, double *weighted, long *above,
                                float answer, float *weights, float *tile_max, float *top, long *top_columns, long k,
                                long start) {
    float m = -INFINITY;
    long i = 0;
    v8f mv = splat(-INFINITY);
    for (; i + 8 <= width; i += 8) {
        v8f v = load8(z + i);
        mv = (v8f)(((v8i)v & (v > mv)) | ((v8i)mv & ~(v > mv)));
    }
    for (int l = 0; l < 8; l++) if (mv[l] > m) m = mv[l];
    for (; i < width; i++) if (z[i] > m) m = z[i];
    *tile_max = m;
    double rescale = 1.0;
    if (m > *max) {
        rescale = (*max == -INFINITY) ? 0.0 : exp((double)(*max - m));
        *sum *= rescale;
        *weighted *= rescale;
        *max = m;
    }
    v8f base = splat(*max), threshold = splat(answer);
    v8f s = splat(0), w = splat(0);
    v8i count = {0, 0, 0, 0, 0, 0, 0, 0};
    // The running top-k (sorted descending, ties in column order), in the same pass: columns in
    // ascending order, each against the k-th best so far; most tiles hold nothing above it.
    const int scan = k > 0 && m > top[k - 1];
    v8f kth = splat(scan ? top[k - 1] : INFINITY);
    i = 0;
    for (; i + 8 <= width; i += 8) {
        v8f v = load8(z + i);
        v8f e = exp8(v - base);
        s += e;
        w += e * v;
        count -= (v > threshold);  // true lanes are -1
        if (weights) store8(weights + i, e);
        v8i hit = v > kth;
        if (hit[0] | hit[1] | hit[2] | hit[3] | hit[4] | hit[5] | hit[6] | hit[7]) {
            for (int l = 0; l < 8; l++)
                if (z[i + l] > top[k - 1]) top_insert(top, top_columns, k, z[i + l], start + i + l);
            kth = splat(top[k - 1]);
        }
    }
    double total = 0, total_weighted = 0;
    long total_above = 0;
    for (int l = 0; l < 8; l++) { total += s[l]; total_weighted += w[l]; total_above += count[l]; }
    for (; i < width; i++) {
        float e = expf(z[i] - *max);
        total += e;
        total_weighted += (double)e * z[i];
        if (z[i] > answer) total_above++;
        if (weights) weights[i] = e;
        if (scan && z[i] > top[k - 1]) top_insert(top, top_columns, k, z[i], start + i);
    }
    *sum += total;
    *weighted += total_weighted;
    *above += total_above;
    return rescale;
}

__attribute__((always_inline))
static inline double dot(const float *w, const float *z, long width) {
    v8f acc = splat(0);
    long i = 0;
    for (; i + 8 <= width; i += 8) acc += load8(w + i) * load8(z + i);
    double total = 0;
    for (int l = 0; l < 8; l++) total += acc[l];
    for (; i < width; i++) total += (double)w[i] * z[i];
    return total;
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static double row_update_avx2(const float *z, long width, float *max, double *sum, double *weighted, long *above,
                              float answer, float *weights, float *tile_max, float *top, long *top_columns, long k, long start) {
    return row_update(z, width, max, sum, weighted, above, answer, weights, tile_max, top, top_columns, k, start);
}

__attribute__((target("avx2")))
static double dot_avx2(const float *w, const float *z, long width) { return dot(w, z, width); }

static int has_avx2(void) {
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("avx2") ? 1 : 0;
    return known;
}
#endif
#pragma clang fp contract(on)

double fl_row_update(const float *z, long width, float *max, double *sum, double *weighted, long *above,
                     float answer, float *weights, float *tile_max, float *top, long *top_columns, long k, long start) {
#if defined(__x86_64__)
    if (has_avx2()) return row_update_avx2(z, width, max, sum, weighted, above, answer, weights, tile_max, top, top_columns, k, start);
#endif
    return row_update(z, width, max, sum, weighted, above, answer, weights, tile_max, top, top_columns, k, start);
}

double fl_dot(const float *w, const float *z, long width) {
#if defined(__x86_64__)
    if (has_avx2()) return dot_avx2(w, z, width);
#endif
    return dot(w, z, width);
}

/// The generic versions, for the test that both give the same bits.
double fl_row_update_generic(const float *z, long width, float *max, double *sum, double *weighted, long *above,
                             float answer, float *weights, float *tile_max, float *top, long *top_columns, long k, long start) {
    return row_update(z, width, max, sum, weighted, above, answer, weights, tile_max, top, top_columns, k, start);
}

double fl_dot_generic(const float *w, const float *z, long width) { return dot(w, z, width); }

// float16 → float32 without F16C: sign, exponent rebiased by 112, subnormals normalised.
static inline float half_to_float(unsigned short h) {
    unsigned int sign = (unsigned int)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff, bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        int shift = 0;
        while (!(mantissa & 0x400)) { mantissa <<= 1; shift++; }
        bits = sign | ((unsigned int)(113 - shift) << 23) | ((mantissa & 0x3ff) << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx,f16c")))
static void widen_f16_f16c(const unsigned short *words, float *out, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(words + i));
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
    }
    for (; i < count; i++) out[i] = half_to_float(words[i]);
}
#endif

void fl_widen_f16(const unsigned short *words, float *out, size_t count) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("f16c")) { widen_f16_f16c(words, out, count); return; }
#endif
    for (size_t i = 0; i < count; i++) out[i] = half_to_float(words[i]);
}

void fl_widen_bf16(const unsigned short *words, float *out, size_t count) {
    unsigned int *bits = (unsigned int *)out;  // the compiler vectorises this shift
    for (size_t i = 0; i < count; i++) bits[i] = (unsigned int)words[i] << 16;
}

#include <malloc.h>
void fl_fix_mmap_threshold(size_t bytes) { mallopt(M_MMAP_THRESHOLD, (int)bytes); }

// OpenBLAS picks its kernels by CPU model; Debian's 0.3.21 does not know newer Xeons and falls
// back to "Prescott" (SSE3), a fifth of the machine's sgemm rate. The same library runs the
// right kernels when told the core type before it loads.
extern char *openblas_get_corename(void);
extern void openblas_read_env(void);
extern void blas_thread_shutdown_(void);

static const char *better_core(void) {
    if (getenv("OPENBLAS_CORETYPE") != NULL) return NULL;
    const char *name = openblas_get_corename();
    if (name == NULL || strcmp(name, "Prescott") != 0) return NULL;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq")) return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

void fl_openblas_configure(char **argv) {
    // After each call OpenBLAS's threads spin (sched_yield) for 2^28 cycles before they sleep:
    // through the lens's per-row reductions between two sgemm calls they took a core's worth
    // of time from them. 2^4 cycles: they sleep at once, and waking them costs microseconds.
    int timeout_set = 0;
    if (getenv("OPENBLAS_THREAD_TIMEOUT") == NULL) {
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1);
        timeout_set = 1;
    }
    const char *core = better_core();
    if (core != NULL) {
        setenv("OPENBLAS_CORETYPE", core, 1);
        execv("/proc/self/exe", argv);
    }
    if (timeout_set) {
        // No new process needed for the timeout: the threads, stopped, start again at the next
        // call with the setting read anew.
        openblas_read_env();
        blas_thread_shutdown_();
    }
}

// The permutation null through the Gram matrix: the same sums, in the same order, as a plain
// loop (each lag over a ascending, each energy over m ascending), so the bits do not depend on
// how the loops are laid out for speed; no multiply-add is fused.
#pragma clang fp contract(off)
void fl_permuted_energy(const double *g, const long *order, long p, long bins, const double *cosines_by_lag,
                        double *lag, double *row, double *energy) {
    memset(lag, 0, sizeof(double) * (size_t)p);
    for (long a = 0; a < p; a++) {
        const double *source = g + order[a] * p;
        // row[m] = G[π(a), π(a − m mod p)]
        for (long m = 0; m <= a; m++) row[m] = source[order[a - m]];
        for (long m = a + 1; m < p; m++) row[m] = source[order[a - m + p]];
        for (long m = 0; m < p; m++) lag[m] += row[m];
    }
    memset(energy, 0, sizeof(double) * (size_t)bins);
    for (long m = 0; m < p; m++) {
        const double l = lag[m], *c = cosines_by_lag + m * bins;
        for (long k = 0; k < bins; k++) energy[k] += l * c[k];
    }
    for (long k = 0; k < bins; k++) energy[k] = 0 >= energy[k] ? 0 : sqrt(energy[k]);  // Swift's max(e, 0)
}
#pragma clang fp contract(on)
