#ifndef FL_BIT_STRINGS_H
#define FL_BIT_STRINGS_H

#include <stddef.h>
#include <stdint.h>

/// The cube index Σ bitᵢ·2ⁱ of each of `rows` strings of n ≤ 64 bits, stored one byte a bit,
/// row-major. Returns the first row holding a byte other than 0 or 1, or −1.
long fl_bit_indices(const unsigned char *bits, long rows, int n, uint64_t *index);

/// Marks each index in the bitmap `seen` and sets order[first + r] = index[r]; returns the first
/// r whose index was marked already (a string seen twice), or −1. `order` may be NULL.
long fl_place_strings(const uint64_t *index, long count, long first, uint64_t *seen, uint32_t *order);

/// The first r with index[r] ≠ first + r (rows not in cube order), or −1.
long fl_first_out_of_place(const uint64_t *index, long count, long first);

/// values[order[r]] = block[r·stride] for r < rows (values[first + r] when order is NULL).
void fl_scatter(const double *block, long rows, long stride, const uint32_t *order, long first, double *values);

/// `count` doubles on 2 MiB-aligned memory that the kernel is asked to back with huge pages:
/// scattering a cube's values in random order then costs a cache miss a value, not also a TLB
/// miss. NULL when the allocation fails. Free with fl_free_cube.
double *fl_alloc_cube(size_t count);
void fl_free_cube(double *values, size_t count);

/// values[index[r]] = block[r·stride] for r < rows, on slots that start as NaN: returns a row
/// whose slot was filled already (a string seen twice; which of the two copies, with two threads,
/// may vary), or −1.
long fl_scatter_new(const double *block, long rows, long stride, const uint64_t *index, double *values);

/// A cube's memory filled with NaN on a helper thread while the caller reads the bit strings
/// (the first touch of fresh memory costs about as much as the scatter itself), 2 MiB at a time.
/// fl_cube_values fills what is left alongside the helper, then waits for it. NULL when the
/// allocation fails.
typedef struct fl_cube fl_cube;
fl_cube *fl_cube_create(size_t count);
double *fl_cube_values(fl_cube *cube);
void fl_cube_destroy(fl_cube *cube);

#endif
