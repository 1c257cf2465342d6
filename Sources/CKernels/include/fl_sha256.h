#ifndef FL_SHA256_H
#define FL_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// SHA-256 (FIPS 180-4), fed in pieces: a study keys each task by the hash of its inputs' bytes.
typedef struct {
    uint32_t state[8];
    uint64_t length;          /* bytes fed so far */
    unsigned char block[64];
    size_t used;              /* bytes waiting in block */
} fl_sha256_context;

void fl_sha256_init(fl_sha256_context *context);
void fl_sha256_update(fl_sha256_context *context, const void *bytes, size_t count);
void fl_sha256_final(fl_sha256_context *context, unsigned char digest[32]);

#endif
