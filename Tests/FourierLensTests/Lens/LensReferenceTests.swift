import Foundation
@testable import FourierLens
import Testing

/// The lens on a synthetic model against numpy (Tests/Fixtures/make_lens_reference.py).
@Suite struct LensReferenceTests {
    struct Row: Decodable {
        let layer: Int, site: String, rank: [Int], logprob: [Double], entropy: [Double], kl: [Double], top: [[Int]]
        let acc_exact: Double, acc_pm2: Double, acc_pm10: Double
    }

    func load(_ mode: NormMode) throws -> (LensTask, [Row]) {
        let file = try HDF5File(readingFrom: try TestPaths.fixture("lens_model.h5"))
        let task = try LensInput.load(file: file, dump: try Dump(file: file), sites: [.attnOut, .mlpOut, .residPost],
                                      layers: nil, norm: mode, position: nil, allowNonFinite: false)
        let json = try Data(contentsOf: URL(fileURLWithPath: try TestPaths.fixture("lens_reference.json")))
        let reference = try JSONDecoder().decode([String: [Row]].self, from: json)[mode.rawValue]!
        return (task, reference)
    }

    @Test(arguments: [(NormMode.none, 4096), (.cached, 100), (.recompute, 256), (.none, 7)])
    func readoutsEqualNumpy(mode: NormMode, tile: Int) throws {
        let (task, reference) = try load(mode)
        var options = LensOptions()
        options.norm = mode
        options.topK = 5
        options.tileColumns = tile
        options.promptBlock = 10  // blocks of prompts that do not divide N = 24
        let result = LogitLens.run(task, options: options)
        let summaries = result.summaries
        for expected in reference {
            let i = try #require(result.readouts.firstIndex { $0.layer == expected.layer && $0.site.rawValue == expected.site })
            for (j, readout) in result.prompts[i].enumerated() {
                #expect(readout.rank == expected.rank[j], "\(mode) \(expected.site) L\(expected.layer) prompt \(j)")
                #expect(abs(readout.logprob! - expected.logprob[j]) < 1e-3 * max(1, abs(expected.logprob[j])))
                #expect(abs(readout.entropy - expected.entropy[j]) < 1e-3 * max(1, expected.entropy[j]))
                #expect(abs(readout.kl! - expected.kl[j]) < 2e-3 * max(1, expected.kl[j]), "KL \(readout.kl!) vs \(expected.kl[j])")
                #expect(readout.top.map(\.column) == expected.top[j])
            }
            let s = summaries[i]
            #expect(s.accuracyExact == expected.acc_exact && s.accuracyWithin2 == expected.acc_pm2 && s.accuracyWithin10 == expected.acc_pm10)
        }
        // The planted contributions: the last MLP promotes the answer more than the first.
        let first = summaries.first { $0.site == .mlpOut && $0.layer == 0 }!, last = summaries.first { $0.site == .mlpOut && $0.layer == 2 }!
        #expect(last.accuracyExact! > first.accuracyExact!)
        #expect(summaries.first { $0.site == .residPost && $0.layer == 2 }!.meanKL == 0)
    }

    @Test func finalNormModesEqualHandComputations() {
        let x = Matrix(rows: 1, cols: 4, values: [1, 2, 3, 6])
        let layer = FinalNorm(kind: .layerNorm, eps: 0, weight: [1, 2, 1, 1], bias: [0, 0, 0, 1])
        // mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5.
        let s: Float = (3.5 as Float).squareRoot()
        let recomputed = layer.apply(x, mode: .recompute, scale: nil, addBias: true)
        let expectedLayerNorm: [Float] = [-2 / s, -2 / s, 0, 3 / s + 1]
        #expect(zip(recomputed.values, expectedLayerNorm).allSatisfy { abs($0 - $1) < 1e-6 })
        let cached = layer.apply(x, mode: .cached, scale: [2], addBias: false)
        #expect(cached.values == [-1, -1, 0, 1.5])
        let rms = FinalNorm(kind: .rmsNorm, eps: 0, weight: [1, 1, 1, 1], bias: nil)
        let r: Float = (12.5 as Float).squareRoot()  // √((1 + 4 + 9 + 36) / 4)
        let expected: [Float] = [1 / r, 2 / r, 3 / r, 6 / r]
        let got = rms.apply(x, mode: .recompute, scale: nil, addBias: true).values
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(rms.apply(x, mode: .cached, scale: [2], addBias: true).values == [0.5, 1, 1.5, 3])
        #expect(layer.apply(x, mode: .none, scale: nil, addBias: true) == x)
    }
}
