import CKernels
import Foundation
@testable import FourierLens
import Testing

/// float16/bfloat16 widening through the vector kernels, and a W_U kept in its stored precision.
@Suite struct StoredPrecisionTests {
    /// Every one of the 65 536 float16 patterns widens to the float Swift's own conversion gives
    /// (NaNs stay NaN with their sign), through the vector path and its scalar tail alike.
    @Test func everyFloat16PatternWidensExactly() {
        let words = (0...UInt16.max).map { $0 }
        for count in [words.count, 13] {  // whole vectors, and a tail shorter than eight
            var out = [Float](repeating: 0, count: count)
            fl_widen_f16(words, &out, count)
            for i in 0..<count {
                let expected = Float(Float16(bitPattern: words[i]))
                if expected.isNaN {
                    #expect(out[i].isNaN && out[i].sign == expected.sign, "pattern \(words[i])")
                } else {
                    #expect(out[i].bitPattern == expected.bitPattern, "pattern \(words[i]): \(out[i]) vs \(expected)")
                }
            }
        }
    }

    @Test func everyBFloat16PatternWidensExactly() {
        let words = (0...UInt16.max).map { $0 }
        var out = [Float](repeating: 0, count: words.count)
        fl_widen_bf16(words, &out, words.count)
        #expect(zip(words, out).allSatisfy { $1.bitPattern == UInt32($0) << 16 })
        let swapped = decodeHalfWords(words.map(\.byteSwapped), bigEndian: true, isBFloat16: true)
        #expect(swapped.map(\.bitPattern) == out.map(\.bitPattern))
    }

    /// The lens over a float16 W_U kept as float16 gives the bits of the lens over the same
    /// values widened up front (tiles that do and do not divide the vocabulary).
    @Test(arguments: [64, 100, 4096]) func aHalfPrecisionUnembeddingGivesTheSameLens(tile: Int) {
        var random = SeededRandom(seed: 17)
        let d = 16, vocabulary = 300, n = 70
        let words = (0..<d * vocabulary).map { _ in Float16(Float(random.nextGaussian())).bitPattern }
        let widened = Matrix(rows: d, cols: vocabulary, values: words.map { Float(Float16(bitPattern: $0)) })
        let half = Unembedding(rows: d, cols: vocabulary, storage: .float16(words), bias: nil, columnTokens: nil)
        let full = Unembedding(weights: widened, bias: nil, columnTokens: nil)
        #expect(half.residentBytes * 2 == full.residentBytes)
        let readouts = (0..<3).map { layer in
            LensReadout(site: .residPost, layer: layer,
                        activations: Matrix(rows: n, cols: d, values: (0..<n * d).map { _ in Float(random.nextGaussian()) }))
        }
        func task(_ unembedding: Unembedding) -> LensTask {
            LensTask(readouts: readouts, unembedding: unembedding, norm: nil, finalScale: nil,
                     answerValues: (0..<n).map { Int64($0 % 50) }, answerTokens: (0..<n).map { Int64(100 + $0 % 50) },
                     numberTokens: (0..<50).map { Int64(100 + $0) }, numberValues: (0..<50).map(Int64.init), referenceReadout: 2)
        }
        var options = LensOptions()
        options.tileColumns = tile
        let a = LogitLens.run(task(half), options: options), b = LogitLens.run(task(full), options: options)
        #expect(a.prompts == b.prompts)
        #expect(a.numberLogits.map(\.values) == b.numberLogits.map(\.values))
    }
}
