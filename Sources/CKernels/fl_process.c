#include "fl_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

int fl_die_with_parent(int parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return getppid() == parent ? 0 : -1;
    return getppid() == parent ? 0 : -1;
}
