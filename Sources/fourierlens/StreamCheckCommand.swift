import ArgumentParser
import FourierLens
import Foundation

/// Streams a dataset in row blocks and reports how far resident memory grew: the check that
/// streaming keeps memory bounded, in a process of its own so nothing else allocates meanwhile.
struct StreamCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream-check", abstract: "Stream DATASET of FILE in row blocks; print rows, a checksum and the growth of resident memory.",
        shouldDisplay: false)

    @Argument var file: String
    @Argument var dataset: String
    @Option var blockRows = 8192

    func run() throws {
        let reader = try HDF5File(readingFrom: file).rowBlocks(dataset, blockRows: blockRows)
        let baseline = residentBytes()
        var peak = baseline, rows = 0, checksum = 0.0
        while let (_, block) = try reader.next() {
            rows += block.rows
            checksum += Double(block.values[0]) + Double(block.values[block.values.count - 1])
            peak = max(peak, residentBytes())
        }
        print("rows \(rows) checksum \(checksum) growth_bytes \(peak - baseline)")
    }

    /// Resident memory of this process, from /proc/self/statm.
    func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
