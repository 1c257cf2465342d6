#ifndef FL_KERNELS_H
#define FL_KERNELS_H

#include <stddef.h>

/// Running softmax statistics of one row of a logit tile (see VocabularyStream.swift):
/// updates *max, *sum (Σe^{z−max}), *weighted (Σe^{z−max}·z) and *above (#{z > answer});
/// writes e^{z−max} to weights when it is not NULL; returns the factor earlier sums were
/// rescaled by (a new maximum). Returns the tile's own maximum in *tile_max.
double fl_row_update(const float *z, long width, float *max, double *sum, double *weighted, long *above,
                     float answer, float *weights, float *tile_max);

/// Σ w[i]·z[i].
double fl_dot(const float *w, const float *z, long width);

#endif
