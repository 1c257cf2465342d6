import CKernels
import Foundation
@testable import FourierLens
import Testing

/// The streaming statistics against a full softmax and a full sort, in double precision.
@Suite struct VocabularyStreamTests {
    @Test(arguments: [(512, 128), (515, 128), (1000, 7), (9, 4096)])
    func streamingEqualsFullComputation(vocabulary: Int, tile: Int) {
        var random = SeededRandom(seed: UInt64(vocabulary * 31 + tile))
        let rows = 12, d = 8
        let h = Matrix(rows: rows, cols: d, values: (0..<rows * d).map { _ in Float(random.nextGaussian()) })
        let w = Matrix(rows: d, cols: vocabulary, values: (0..<d * vocabulary).map { _ in Float(3 * random.nextGaussian()) })
        let bias = (0..<vocabulary).map { _ in Float(random.nextGaussian()) }
        let unembedding = Unembedding(weights: w, bias: bias, columnTokens: nil)
        let answers = (0..<rows).map { $0 * 37 % vocabulary }
        let biased = (0..<rows).map { $0 % 4 != 1 }  // b_U on some rows only, as residual vs component readouts
        let answerLogits = (0..<rows).map { LogitLens.logit(h, row: $0, column: answers[$0], unembedding: unembedding, bias: biased[$0]) }
        let reference = (0..<rows).map { $0 < 3 ? $0 : ($0 % 3) }  // rows 0–2 are references
        var stream = VocabularyStream(rows: rows, topK: 5)
        stream.run(h, unembedding: unembedding, addBias: biased, answerColumn: answers, answerLogit: answerLogits,
                   reference: reference, tileColumns: tile)
        func logits(_ r: Int) -> [Double] {
            (0..<vocabulary).map { c in (0..<d).reduce(biased[r] ? Double(bias[c]) : 0) { $0 + Double(h[r, $1]) * Double(w[$1, c]) } }
        }
        for r in 0..<rows {
            let z = logits(r)
            let m = z.max()!
            let lse = m + log(z.reduce(0) { $0 + exp($1 - m) })
            let p = z.map { exp($0 - lse) }
            let s = stream.statistics[r]
            #expect(abs(Double(s.max) + log(s.sum) - lse) < 1e-4 * max(1, abs(lse)))
            let entropy = -zip(p, z).reduce(0) { $0 + $1.0 * ($1.1 - lse) }
            #expect(abs((Double(s.max) + log(s.sum) - s.weighted / s.sum) - entropy) < 1e-3 * max(1, entropy))
            #expect(s.above + 1 == 1 + z.indices.filter { $0 != answers[r] && z[$0] > z[answers[r]] }.count)
            let order = z.indices.sorted { z[$0] > z[$1] }
            #expect(Array(stream.topColumns[r * 5 ..< r * 5 + min(5, vocabulary)]) == Array(order.prefix(5)))
            // KL(reference ‖ r) from the running cross sum.
            let f = logits(reference[r]), mf = f.max()!
            let lseF = mf + log(f.reduce(0) { $0 + exp($1 - mf) })
            let kl = f.indices.reduce(0.0) { $0 + exp(f[$1] - lseF) * ((f[$1] - lseF) - (z[$1] - lse)) }
            let ref = stream.statistics[reference[r]]
            let streamed = r == reference[r] ? 0 : (ref.weighted / ref.sum - (Double(ref.max) + log(ref.sum))) - (s.crossWithReference / ref.sum - (Double(s.max) + log(s.sum)))
            #expect(abs(streamed - kl) < 1e-3 * max(1, kl), "row \(r): \(streamed) vs \(kl)")
        }
    }

    @Test func fastExpIsAccurate() {
        var worst: Float = 0
        for i in 0..<2000 {
            let x = Float(-87 + Double(i) * 0.0875)
            let got = fastExp(SIMD8(repeating: x))[0], want = Foundation.exp(x)
            worst = max(worst, abs(got - want) / want)
        }
        #expect(worst < 3e-7)
        #expect(fastExp(SIMD8(repeating: -200))[3] == 0)
    }

    /// The reductions run AVX2 code where the CPU has it and the baseline's otherwise: the same
    /// bits, or a shard computed on another machine would not merge byte for byte.
    @Test(arguments: [4096, 4093, 17, 3])
    func vectorAndBaselineReductionsGiveTheSameBits(width: Int) {
        var random = SeededRandom(seed: UInt64(width))
        var z = (0..<width).map { _ in Float(8 * random.nextGaussian()) }
        // A tie at the top: the earlier column first.
        z[width - 1] = 60
        z[width / 3] = 60
        let other = (0..<width).map { _ in Float(random.nextGaussian()) }
        func update(_ f: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Double>,
                          UnsafeMutablePointer<Double>, UnsafeMutablePointer<Int>, Float, UnsafeMutablePointer<Float>?,
                          UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Int>, Int, Int) -> Double) -> [UInt64] {
            var max: Float = 1, sum = 2.0, weighted = 3.0, above = 0, tileMax: Float = 0
            var weights = [Float](repeating: 0, count: width)
            var top: [Float] = [9, 2, 1, -.infinity, -.infinity], columns = [3, 1, 2, -1, -1]
            let rescale = f(z, width, &max, &sum, &weighted, &above, z[width / 2], &weights, &tileMax, &top, &columns, 5, 100)
            return [UInt64(max.bitPattern), sum.bitPattern, weighted.bitPattern, UInt64(above), UInt64(tileMax.bitPattern),
                    rescale.bitPattern] + weights.map { UInt64($0.bitPattern) } + top.map { UInt64($0.bitPattern) }
                + columns.map { UInt64(bitPattern: Int64($0)) }
        }
        let bits = update(fl_row_update)
        #expect(bits == update(fl_row_update_generic))
        let columns = bits.suffix(5).map { Int(Int64(bitPattern: $0)) }
        #expect(Array(columns.prefix(2)) == [100 + width / 3, 100 + width - 1])
        #expect(fl_dot(other, z, width).bitPattern == fl_dot_generic(other, z, width).bitPattern)
    }
}

