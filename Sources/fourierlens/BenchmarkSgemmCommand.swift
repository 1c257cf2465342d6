import ArgumentParser
import CLAPACK
import Dispatch
import FourierLens

/// OpenBLAS's raw sgemm rate on this machine, for benchmarks to compare the lens against.
struct BenchmarkSgemmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark-sgemm", abstract: "Print OpenBLAS's raw sgemm rate (GFLOP/s) for an M × K by K × N product.",
        shouldDisplay: false)

    @Option var m = 2304
    @Option var n = 4096
    @Option var k = 768
    @Option var repeats = 10

    func run() throws {
        var random = SeededRandom(seed: 1)
        let a = (0..<m * k).map { _ in Float(random.nextGaussian()) }
        let b = (0..<k * n).map { _ in Float(random.nextGaussian()) }
        var c = [Float](repeating: 0, count: m * n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        print(String(format: "%.1f", 2 * Double(m) * Double(n) * Double(k) / best / 1e9))
    }
}
