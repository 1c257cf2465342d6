/// A lens run's timings.json: its sgemm work and time, kept apart from summary.json since they
/// differ from run to run (a merge adds up its shards').
public struct LensTimings: Codable {
    public static let name = "timings.json"
    public let sgemm_gflop: Double, sgemm_seconds: Double

    public init(sgemm_gflop: Double, sgemm_seconds: Double) {
        self.sgemm_gflop = sgemm_gflop
        self.sgemm_seconds = sgemm_seconds
    }
}
