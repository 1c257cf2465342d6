import Foundation
@testable import FourierLens
import Testing

/// FFTW's planner is not thread-safe: plans made and destroyed on many threads at once (as the
/// suites of this test run do, and as callers of the library may) go through one lock, and each
/// thread's transform equals the same transform made alone.
@Suite struct FFTWThreadTests {
    func signal(_ n: Int, count: Int, seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        return (0..<(n * count)).map { _ in Float(random.nextGaussian()) }
    }

    func coefficients(_ n: Int, count: Int, layout: RealFFT.Layout, values: [Float]) -> [Float] {
        let fft = RealFFT(length: n, count: count, layout: layout)
        return values.withUnsafeBufferPointer { fft.transform($0) { Array($0) } }
    }

    @Test func plansOnManyThreadsAtOnceGiveTheSerialResults() {
        var made: [(n: Int, count: Int, layout: RealFFT.Layout)] = []
        for i in 0..<48 {
            let layout: RealFFT.Layout = i % 2 == 0 ? .rows : .columns
            made.append((n: 17 + 13 * (i % 7), count: 1 + i % 5, layout: layout))
        }
        let shapes = made
        let inputs = shapes.enumerated().map { i, shape in signal(shape.n, count: shape.count, seed: UInt64(i)) }
        let serial = zip(shapes, inputs).map { coefficients($0.n, count: $0.count, layout: $0.layout, values: $1) }
        let results = Results(count: shapes.count)
        for _ in 0..<25 {  // without the lock a run crashes (SIGSEGV) one time in a few
            DispatchQueue.concurrentPerform(iterations: shapes.count) { i in
                results.set(i, coefficients(shapes[i].n, count: shapes[i].count, layout: shapes[i].layout, values: inputs[i]))
            }
            #expect(results.values == serial)
        }
    }
}

/// Each iteration's result, set from its own thread.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [[Float]]
    init(count: Int) { stored = Array(repeating: [], count: count) }
    func set(_ i: Int, _ value: [Float]) { lock.withLock { stored[i] = value } }
    var values: [[Float]] { lock.withLock { stored } }
}
