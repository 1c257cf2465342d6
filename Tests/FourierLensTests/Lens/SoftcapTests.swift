import Foundation
@testable import FourierLens
import Testing

/// W_U's `softcap` (Gemma 2/3's final logit soft-cap): whole-residual readouts read the model's
/// capped logits c·tanh(z / c), components their linear direct logits.
@Suite struct SoftcapTests {
    @Test func residualReadoutsAreCappedAndComponentsAreNot() {
        var random = SeededRandom(seed: 5)
        let d = 8, vocabulary = 40, n = 12, cap: Float = 0.7
        let weights = Matrix(rows: d, cols: vocabulary, values: (0..<d * vocabulary).map { _ in Float(random.nextGaussian()) })
        let bias = (0..<vocabulary).map { _ in Float(random.nextGaussian()) }
        var unembedding = Unembedding(weights: weights, bias: bias, columnTokens: nil)
        unembedding.softcap = cap
        let x = Matrix(rows: n, cols: d, values: (0..<n * d).map { _ in Float(random.nextGaussian()) })
        let norm = FinalNorm(kind: .rmsNorm, eps: 1e-6, weight: [Float](repeating: 1, count: d), bias: nil)
        let answers = (0..<n).map { Int64($0 % 10) }
        let task = LensTask(readouts: [LensReadout(site: .mlpOut, layer: 0, activations: x), LensReadout(site: .residPost, layer: 0, activations: x)],
                            unembedding: unembedding, norm: norm, finalScale: nil, answerValues: answers,
                            answerTokens: answers.map { $0 + 20 }, numberTokens: (20..<30).map(Int64.init),
                            numberValues: (0..<10).map(Int64.init), referenceReadout: 1)
        var options = LensOptions()
        options.norm = .recompute
        options.tileColumns = 16  // several tiles, the last one partial
        let result = LogitLens.run(task, options: options)
        let normed = norm.apply(x, mode: .recompute, scale: nil, addBias: true)
        for row in 0..<n {
            func logits(capped: Bool, biased: Bool) -> [Double] {
                (0..<vocabulary).map { c in
                    var z = (0..<d).reduce(0.0) { $0 + Double(normed.values[row * d + $1]) * Double(weights.values[$1 * vocabulary + c]) }
                    if biased { z += Double(bias[c]) }
                    return capped ? Double(cap) * tanh(z / Double(cap)) : z
                }
            }
            func logprob(_ z: [Double], _ column: Int) -> Double { z[column] - log(z.map { exp($0) }.reduce(0, +)) }
            let column = Int(answers[row] + 20)
            let component = logits(capped: false, biased: false), residual = logits(capped: true, biased: true)
            #expect(abs(result.prompts[0][row].logprob! - logprob(component, column)) < 1e-4)
            #expect(abs(result.prompts[1][row].logprob! - logprob(residual, column)) < 1e-4)
            #expect(result.prompts[1][row].top.allSatisfy { abs($0.logit) <= cap })
            #expect(abs(Double(result.numberLogits[1].values[row * 10 + 3]) - residual[23]) < 1e-4)
        }
        // The cap changes the readout: without it the residual's log-probabilities differ.
        var uncapped = task
        uncapped.unembedding.softcap = nil
        let plain = LogitLens.run(uncapped, options: options)
        #expect((0..<n).contains { abs(plain.prompts[1][$0].logprob! - result.prompts[1][$0].logprob!) > 0.1 })
    }
}
