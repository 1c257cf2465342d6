#ifndef FL_KERNELS_H
#define FL_KERNELS_H

#include <stddef.h>
#include "fl_walsh_hadamard.h"
#include "fl_bit_strings.h"
#include "fl_process.h"

/// Running softmax statistics of one row of a logit tile (see VocabularyStream.swift):
/// updates *max, *sum (Σe^{z−max}), *weighted (Σe^{z−max}·z) and *above (#{z > answer});
/// writes e^{z−max} to weights when it is not NULL; returns the factor earlier sums were
/// rescaled by (a new maximum). Returns the tile's own maximum in *tile_max. Folds the tile into
/// the running top-k: top [k] sorted descending and top_columns, columns numbered from `start`
/// (ties keep the earlier column).
double fl_row_update(const float *z, long width, float *max, double *sum, double *weighted, long *above,
                     float answer, float *weights, float *tile_max, float *top, long *top_columns, long k, long start);

/// Σ w[i]·z[i].
double fl_dot(const float *w, const float *z, long width);

/// fl_row_update and fl_dot without the run-time choice of AVX2: the tests check both give the same bits.
double fl_row_update_generic(const float *z, long width, float *max, double *sum, double *weighted, long *above,
                             float answer, float *weights, float *tile_max, float *top, long *top_columns, long k, long start);
double fl_dot_generic(const float *w, const float *z, long width);

/// float16 words to float32, exactly: the CPU's F16C conversion when it has one (eight at a
/// time), otherwise bit manipulation. Words are in the machine's byte order.
void fl_widen_f16(const unsigned short *words, float *out, size_t count);

/// bfloat16 words to float32, exactly (the word is the float's upper half).
void fl_widen_bf16(const unsigned short *words, float *out, size_t count);

/// Serves every allocation of at least `bytes` by mmap, returned on free (glibc's threshold
/// otherwise grows after the first such free; see fourierlens/main.swift).
void fl_fix_mmap_threshold(size_t bytes);

/// Sets OpenBLAS up before the first call: threads that sleep as soon as a call ends
/// (OPENBLAS_THREAD_TIMEOUT, unless set), and, when OpenBLAS fell back to its generic
/// "Prescott" kernels on a CPU it does not know (and OPENBLAS_CORETYPE is unset), the right core
/// type, which needs the program run again (execv of /proc/self/exe with `argv`).
void fl_openblas_configure(char **argv);

/// The null's permuted-row magnitudes at k = 0…bins−1 through G = X Xᵀ [p × p]: lag[m] =
/// Σ_a G[π(a), π(a−m mod p)] (a ascending), energy[k] = Σ_m lag[m]·cos(2πkm/p) (m ascending,
/// cosines_by_lag [p × bins]), written as √max(energy, 0). lag and row are p scratch values.
void fl_permuted_energy(const double *g, const long *order, long p, long bins, const double *cosines_by_lag,
                        double *lag, double *row, double *energy);

#endif
