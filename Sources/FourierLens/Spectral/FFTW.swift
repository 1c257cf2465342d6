import CFFTW
import Foundation

/// FFTW's threads are set up once per process. Plans use FFTW_ESTIMATE: FFTW_MEASURE may pick
/// a different algorithm from run to run, and FourierLens promises the same bytes for the same
/// input; it would also overwrite the planning arrays.
let fftwThreadsReady: Bool = fftwf_init_threads() != 0

/// FFTW's planner is not thread-safe (only fftw_execute is): plans are made and destroyed one at
/// a time in the process, whichever threads ask (tests, and callers of the library, run analyses
/// side by side; a planner race corrupts the heap).
let fftwPlanner = NSLock()

/// Threads for a transform of `elements` values: both cores for large inputs, one for small.
func fftwThreads(for elements: Int) -> Int32 {
    elements >= 1 << 18 ? 2 : 1
}

/// Real-to-complex DFTs of many equally laid-out signals through one FFTW plan, reused.
/// Column mode: the columns of a row-major [n × count] matrix. Row mode: its rows ([count × n]).
final class RealFFT {
    enum Layout { case columns, rows }

    let n: Int
    let count: Int
    let layout: Layout
    var bins: Int { n / 2 + 1 }
    private let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>
    private let plan: fftwf_plan

    /// `threads`: FFTW's threads for this plan (default: by size, fftwThreads(for:)).
    init(length n: Int, count: Int, layout: Layout, threads: Int32? = nil) {
        precondition(n >= 1 && count >= 1)
        self.n = n
        self.count = count
        self.layout = layout
        let bins = n / 2 + 1
        input = fftwf_alloc_real(n * count)
        output = fftwf_alloc_complex(bins * count)
        var dims = [Int32(n)]
        fftwPlanner.lock()
        defer { fftwPlanner.unlock() }
        if fftwThreadsReady { fftwf_plan_with_nthreads(threads ?? fftwThreads(for: n * count)) }
        switch layout {
        case .columns:
            plan = fftwf_plan_many_dft_r2c(1, &dims, Int32(count), input, nil, Int32(count), 1,
                                           output, nil, Int32(count), 1, UInt32(FFTW_ESTIMATE))
        case .rows:
            plan = fftwf_plan_many_dft_r2c(1, &dims, Int32(count), input, nil, 1, Int32(n),
                                           output, nil, 1, Int32(bins), UInt32(FFTW_ESTIMATE))
        }
    }

    deinit {
        fftwPlanner.withLock { fftwf_destroy_plan(plan) }
        fftwf_free(input)
        fftwf_free(output)
    }

    /// Transforms `values` (row-major, n × count for columns, count × n for rows) and hands the
    /// coefficients to `body` as (re, im) pairs laid out like the input: [bins × count] for
    /// columns, [count × bins] for rows.
    func transform<R>(_ values: UnsafeBufferPointer<Float>, _ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        precondition(values.count == n * count)
        input.update(from: values.baseAddress!, count: values.count)
        fftwf_execute(plan)
        return output.withMemoryRebound(to: Float.self, capacity: 2 * bins * count) {
            body(UnsafeBufferPointer(start: $0, count: 2 * bins * count))
        }
    }
}
