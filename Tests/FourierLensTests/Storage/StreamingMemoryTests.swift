import Foundation
@testable import FourierLens
import Testing

/// Reading a 2 GiB dataset in 8 MiB row blocks must keep resident memory bounded. The reading
/// runs in a process of its own (`fourierlens stream-check`), so no other test's allocations count.
@Suite struct StreamingMemoryTests {
    @Test func streamingALargeDatasetKeepsMemoryBounded() throws {
        let path = try TestPaths.fixture("big.h5")
        let info = try HDF5File(readingFrom: path).datasetInfo("/acts/mlp_out_big")
        #expect(info.logicalBytes == 2 << 30)
        let result = try runTool("stream-check", path, "/acts/mlp_out_big", "--block-rows", "8192")
        #expect(result.status == 0, "\(result.stderr)")
        let fields = result.stdout.split(separator: " ").map(String.init)
        #expect(fields[1] == "2097152")  // every row
        #expect(fields[3] == "256.0")    // 0.5 + 0.5 per block of 8192 rows: the fill value, read back
        let growth = Int(fields[5].trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(growth < 64 << 20, "resident memory grew by \(growth >> 20) MiB while streaming 2 GiB")
    }

    @Test func streamingRealDataReadsEveryRowInBoundedMemory() throws {
        let path = try TestPaths.fixture("big_real.h5")
        let result = try runTool("stream-check", path, "/acts/resid_post_big", "--block-rows", "4096")
        #expect(result.status == 0, "\(result.stderr)")
        let fields = result.stdout.split(separator: " ").map(String.init)
        #expect(fields[1] == "524288")
        // Row i holds i: each block adds its first and last row index.
        let expected = stride(from: 0, to: 524_288, by: 4096).reduce(0.0) { $0 + Double($1) + Double($1 + 4095) }
        #expect(Double(fields[3]) == expected)
        let growth = Int(fields[5].trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(growth < 32 << 20, "resident memory grew by \(growth >> 20) MiB while streaming 512 MiB")
    }
}
