@testable import FourierLens
import Testing

/// Reading a 2 GiB dataset in 8 MiB row blocks must keep the process's resident memory bounded.
@Suite struct StreamingMemoryTests {
    @Test func streamingALargeDatasetKeepsMemoryBounded() throws {
        let file = try HDF5File(readingFrom: try TestPaths.fixture("big.h5"))
        let info = try file.datasetInfo("/acts/mlp_out_big")
        #expect(info.logicalBytes == 2 << 30)
        let reader = try file.rowBlocks(info.path, blockRows: 8192)
        let baseline = residentBytes()
        var peak = baseline
        var rows = 0
        var checksum = 0.0
        while let (first, block) = try reader.next() {
            #expect(first == rows)
            rows += block.rows
            checksum += Double(block.values[0]) + Double(block.values[block.values.count - 1])
            peak = max(peak, residentBytes())
        }
        #expect(rows == 2_097_152)
        #expect(checksum == Double(rows / 8192))  // 0.5 + 0.5 per block: the fill value, read back
        let growth = peak - baseline
        #expect(growth < 96 << 20, "resident memory grew by \(growth >> 20) MiB while streaming 2 GiB")
    }
}
