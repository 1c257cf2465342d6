#define _GNU_SOURCE
#include "fl_isolated_read.h"

#include <hdf5.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(hid_t) == sizeof(fl_hid), "fl_hid must be libhdf5's hid_t");

// ---- libhdf5's API lock, held across fork(). A thread-safe libhdf5 lets one thread at a time
// into its API; a child forked while another thread is inside would inherit the lock held by a
// thread it does not have, and wait for ever. Holding the lock ourselves (it is recursive, and
// the child's only thread has the forking thread's id) keeps every other thread out until the
// fork is done. libhdf5 1.10 exports the lock (H5_g, whose first member is the API mutex) and
// its functions but declares them only in its private headers.
#ifdef H5_HAVE_THREADSAFE
extern char H5_g[];
extern herr_t H5TS_mutex_lock(void *mutex);
extern herr_t H5TS_mutex_unlock(void *mutex);
static void api_lock(void) { H5TS_mutex_lock(H5_g); }
static void api_unlock(void) { H5TS_mutex_unlock(H5_g); }
#else
static void api_lock(void) {}
static void api_unlock(void) {}
#endif

// ---- The child: libhdf5 and write(2) only, then _exit (no atexit handlers, no stdio flush).

static void send_bytes(int fd, const void *data, size_t length) {
    const unsigned char *p = data;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(3);  // the parent has gone
        p += n;
        length -= (size_t)n;
    }
}

static void send_u64(int fd, uint64_t value) { send_bytes(fd, &value, sizeof value); }

int fl_read_creation(fl_hid dataset, int rank, fl_creation *out) {
    memset(out, 0, sizeof *out);
    hid_t plist = H5Dget_create_plist(dataset);
    if (plist < 0) return -1;
    out->layout = H5Pget_layout(plist);
    if (out->layout == H5D_CHUNKED && rank > 0 && rank <= FL_MAX_CHUNK_RANK) {
        hsize_t dims[FL_MAX_CHUNK_RANK];
        if (H5Pget_chunk(plist, rank, dims) == rank) {
            out->chunk_rank = rank;
            for (int i = 0; i < rank; i++) out->chunk[i] = dims[i];
        }
    }
    int filters = H5Pget_nfilters(plist);
    for (int i = 0; i < filters && i < FL_MAX_FILTERS; i++) {
        unsigned flags = 0, values[8] = {0};
        size_t count = 8;
        fl_filter *filter = &out->filters[out->filter_count++];
        filter->id = H5Pget_filter2(plist, (unsigned)i, &flags, &count, values, sizeof filter->name, filter->name, NULL);
        filter->name[sizeof filter->name - 1] = 0;
        filter->has_first_value = count > 0;
        filter->first_value = count > 0 ? values[0] : 0;
    }
    H5Pclose(plist);
    return 0;
}

/// Sends the creation properties of the item's dataset.
static void read_creation(const fl_vlen_item *item, int fd) {
    unsigned char refused = 0, read = 1;
    fl_creation creation;
    if (fl_read_creation(item->object, item->rank, &creation) != 0) { send_bytes(fd, &refused, 1); return; }
    send_bytes(fd, &read, 1);
    send_bytes(fd, &creation, sizeof creation);
}

/// Reads one item's strings and sends its record; a read libhdf5 refuses is sent as the byte 0.
static void read_strings(const fl_vlen_item *item, int fd) {
    unsigned char refused = 0, read = 1;
    hid_t attribute = -1, file_type = -1, space = -1, memory_type = -1;
    if (item->kind == FL_READ_ATTRIBUTE) {
        attribute = H5Aopen(item->object, item->attribute, H5P_DEFAULT);
        if (attribute < 0) { send_bytes(fd, &refused, 1); return; }
        file_type = H5Aget_type(attribute);
        space = H5Aget_space(attribute);
    } else {
        file_type = H5Dget_type(item->object);
        space = H5Dget_space(item->object);
    }
    hssize_t count = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (file_type < 0 || count < 0) { send_bytes(fd, &refused, 1); return; }
    memory_type = H5Tcopy(H5T_C_S1);
    H5Tset_cset(memory_type, H5Tget_cset(file_type));
    H5Tset_size(memory_type, H5T_VARIABLE);
    char **strings = calloc(count > 0 ? (size_t)count : 1, sizeof(char *));
    if (!strings) _exit(4);
    herr_t status = item->kind == FL_READ_ATTRIBUTE
        ? H5Aread(attribute, memory_type, strings)
        : H5Dread(item->object, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, strings);
    if (status < 0) { send_bytes(fd, &refused, 1); return; }
    send_bytes(fd, &read, 1);
    send_u64(fd, (uint64_t)count);
    for (hssize_t i = 0; i < count; i++) {
        if (!strings[i]) { send_u64(fd, UINT64_MAX); continue; }
        size_t length = strlen(strings[i]);
        send_u64(fd, length);
        send_bytes(fd, strings[i], length);
    }
    // Nothing is freed or closed: the child exits when the items are done.
}

// A sanitizer (make asan) finds libhdf5's bad access before it faults and would exit with its
// own status: the child aborts instead, so that it is reported as the crash it is.
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void die_by_abort(void) {
    signal(SIGABRT, SIG_DFL);
    raise(SIGABRT);
}

static void run_child(const fl_vlen_item *items, size_t count, int fd, pid_t parent) {
    // A parent killed while the child loops (SIGTERM, SIGKILL) must take the child with it:
    // nothing else would ever stop it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(5);  // the parent died before the line above
    // A crash must end the child by its signal: no inherited handler (libFuzzer's, a
    // sanitizer's) may run here and report it as the parent's.
    const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) signal(fatal[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(die_by_abort);
    // The parent says what went wrong in one line: nothing the child's libraries print may
    // reach the user's terminal.
    int quiet = open("/dev/null", O_WRONLY);
    if (quiet >= 0) {
        dup2(quiet, STDOUT_FILENO);
        dup2(quiet, STDERR_FILENO);
        close(quiet);
    }
    for (size_t i = 0; i < count; i++) {
        if (items[i].kind == FL_READ_CREATION) read_creation(&items[i], fd);
        else read_strings(&items[i], fd);
    }
    _exit(0);
}

// ---- The parent: collect the records, bound the wait, reap the child.

static long long now_milliseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int append(fl_vlen_result *result, size_t *capacity, const unsigned char *data, size_t n) {
    if (result->length + n > *capacity) {
        size_t grown = *capacity ? *capacity : 4096;
        while (grown < result->length + n) grown *= 2;
        unsigned char *bigger = realloc(result->bytes, grown);
        if (!bigger) return -1;
        result->bytes = bigger;
        *capacity = grown;
    }
    memcpy(result->bytes + result->length, data, n);
    result->length += n;
    return 0;
}

static int wait_for(pid_t child) {
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    return status;
}

void fl_vlen_read_isolated(const fl_vlen_item *items, size_t count, int idle_milliseconds, fl_vlen_result *result) {
    memset(result, 0, sizeof *result);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        result->outcome = FL_VLEN_NO_CHILD;
        result->detail = errno;
        return;
    }
    pid_t parent = getpid();
    api_lock();
    // _Fork, not fork: fork runs the pthread_atfork handlers, and OpenBLAS's stops and joins its
    // worker threads, which never returns while another thread is using them (seen in the
    // multithreaded tests). The child needs none of them: it calls libhdf5 from this thread,
    // with this thread's malloc arena, and exits.
    pid_t child = _Fork();
    if (child != 0) api_unlock();  // the child keeps it: it is the only thread there
    if (child < 0) {
        result->outcome = FL_VLEN_NO_CHILD;
        result->detail = errno;
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (child == 0) {
        close(fds[0]);
        run_child(items, count, fds[1], parent);
    }
    close(fds[1]);
    size_t capacity = 0;
    unsigned char chunk[65536];
    long long deadline = now_milliseconds() + idle_milliseconds;
    int timed_out = 0;
    for (;;) {
        long long left = deadline - now_milliseconds();
        if (left <= 0) { timed_out = 1; break; }
        struct pollfd watch = {.fd = fds[0], .events = POLLIN};
        int ready = poll(&watch, 1, (int)left);
        if (ready < 0 && errno == EINTR) continue;  // a timer signal (libFuzzer's, a profiler's)
        if (ready == 0) continue;                   // the deadline check above ends the wait
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // end of file: the child has exited (or closed the pipe)
        if (append(result, &capacity, chunk, (size_t)n) != 0) { timed_out = 0; kill(child, SIGKILL); break; }
        deadline = now_milliseconds() + idle_milliseconds;
    }
    close(fds[0]);
    if (timed_out) kill(child, SIGKILL);
    int status = wait_for(child);
    if (timed_out) {
        result->outcome = FL_VLEN_TIMED_OUT;
        result->detail = idle_milliseconds;
    } else if (WIFSIGNALED(status)) {
        result->outcome = FL_VLEN_SIGNALLED;
        result->detail = WTERMSIG(status);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        result->outcome = FL_VLEN_EXITED;
        result->detail = WEXITSTATUS(status);
    } else {
        result->outcome = FL_VLEN_FINISHED;
    }
}
