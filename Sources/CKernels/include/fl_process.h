#ifndef FL_PROCESS_H
#define FL_PROCESS_H

/// Asks the kernel to SIGKILL this process when the thread that started it ends (a study's
/// runner killed with SIGKILL), then checks that `parent` is still the parent: a runner that
/// died before the request leaves nobody to signal. Returns 0, or -1 when the parent is gone.
int fl_die_with_parent(int parent);

#endif
