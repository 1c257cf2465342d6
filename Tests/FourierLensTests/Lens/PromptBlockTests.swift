import Foundation
@testable import FourierLens
import Testing

/// The block of prompts is chosen from a memory budget; the lens's results must not depend on it.
@Suite struct PromptBlockTests {
    func unembedding(d: Int, vocabulary: Int) -> Unembedding {
        Unembedding(rows: d, cols: vocabulary, storage: .float16([UInt16](repeating: 0, count: d * vocabulary)), bias: nil, columnTokens: nil)
    }

    @Test func blockReachesTheLargeMRowsAndStopsThere() {
        let options = LensOptions(), w = unembedding(d: 64, vocabulary: 500)
        let plenty = 1 << 40
        #expect(options.promptBlock(readouts: 1, unembedding: w, numbers: 10, memory: plenty) == 1024)
        #expect(options.promptBlock(readouts: 3, unembedding: w, numbers: 10, memory: plenty) == 512)
        #expect(options.promptBlock(readouts: 16, unembedding: w, numbers: 10, memory: plenty) == 64)
        #expect(options.promptBlock(readouts: 145, unembedding: w, numbers: 10, memory: plenty) == 64)
        // Any budget that holds the target gives the same block.
        #expect(options.promptBlock(readouts: 3, unembedding: w, numbers: 10, memory: 1 << 30) == 512)
    }

    @Test func smallBudgetsHalveTheBlockDownToOne() {
        let options = LensOptions(), w = unembedding(d: 1600, vocabulary: 50257)
        let gib = 1 << 30
        let large = options.promptBlock(readouts: 145, unembedding: w, numbers: 1000, memory: gib)
        let small = options.promptBlock(readouts: 145, unembedding: w, numbers: 1000, memory: gib / 4)
        #expect(large == 64)
        #expect(small < large && small >= 1 && small & (small - 1) == 0)
        #expect(options.promptBlock(readouts: 145, unembedding: w, numbers: 1000, memory: 1) == 1)
    }

    @Test func readoutsAreTheSameBitsForEveryBlock() throws {
        let file = try HDF5File(readingFrom: try TestPaths.fixture("lens_model.h5"))
        let task = try LensInput.load(file: file, dump: try Dump(file: file), sites: [.attnOut, .mlpOut, .residPost],
                                      layers: nil, norm: .cached, position: nil, allowNonFinite: false)
        var options = LensOptions()
        options.norm = .cached
        options.tileColumns = 100
        let runs = [1, 5, 10, 64].map { block -> LensResult in
            options.promptBlock = block
            return LogitLens.run(task, options: options)
        }
        for run in runs.dropFirst() {
            #expect(run.prompts == runs[0].prompts)
            #expect(run.numberLogits.map(\.values) == runs[0].numberLogits.map(\.values))
        }
    }
}
