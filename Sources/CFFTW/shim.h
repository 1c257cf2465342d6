#include <fftw3.h>
// The version text, which Swift cannot import as an array of unknown size.
static inline const char *fl_fftwf_version(void) { return fftwf_version; }
