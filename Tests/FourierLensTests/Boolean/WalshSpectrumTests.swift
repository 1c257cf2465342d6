import Foundation
@testable import FourierLens
import Testing

/// The transform's closed forms, in the library directly (the numpy comparisons are in
/// Tests/python/test_boolean_against_numpy.py).
@Suite struct WalshSpectrumTests {
    func spectrum(n: Int, top: Int = 4, _ f: (UInt64) -> Double) throws -> WalshSpectrum {
        var values = (0..<(1 << n)).map { f(UInt64($0)) }
        return try values.withUnsafeMutableBufferPointer { try WalshSpectrum.transform($0, n: n, top: top) }
    }

    @Test(arguments: [7, 12, 19])  // 7: one block; 19: past the single-sweep size, on two threads
    func parityPutsAllItsEnergyAtItsDegree(n: Int) throws {
        let set: UInt64 = 0b101_0010
        let s = try spectrum(n: n) { TargetFunction.parity(set).value($0)! }
        #expect(abs(s.degreeEnergy[3] - 1) < 1e-12 && abs(s.total - 1) < 1e-12)
        #expect(abs(s.averageSensitivity - 3) < 1e-12)
        #expect(s.top.first?.set == set && abs(s.top.first!.value + 1) < 1e-12)  // 2·XOR − 1 = −χ_S
        #expect(Coefficient.describe(set) == "{1, 4, 6}")
    }

    @Test func dictatorHasSensitivityOneAndMajorityTheClosedForm() throws {
        let dictator = try spectrum(n: 9) { TargetFunction.parity(1 << 5).value($0)! }
        #expect(abs(dictator.averageSensitivity - 1) < 1e-12)
        let n = 9
        let majority = try spectrum(n: n) { TargetFunction.majority((1 << 9) - 1).value($0)! }
        let exact = Double(n) * 70 / 256  // n·C(8, 4)/2^8
        #expect(abs(majority.averageSensitivity - exact) < 1e-12)
        #expect(abs(majority.noiseStability(1) - 1) < 1e-12 && abs(majority.noiseStability(0) - majority.degreeEnergy[0]) < 1e-15)
    }

    @Test func lowDegreeSetsAreEveryMaskOfAtMostKBits() {
        let sets = SampledSpectrum.lowDegreeSets(n: 7, maxDegree: 2)
        #expect(sets.count == 1 + 7 + 21 && sets.count == SampledSpectrum.setCount(n: 7, maxDegree: 2))
        #expect(Set(sets).count == sets.count && sets.allSatisfy { $0.nonzeroBitCount <= 2 && $0 < 128 })
        #expect(SampledSpectrum.setCount(n: 64, maxDegree: 3) == 1 + 64 + 2016 + 41664)
        #expect(SampledSpectrum.setCount(n: 64, maxDegree: 64) == Int.max)  // 2^64 sets
    }

    @Test func targetsParseAndRefuseBadSets() throws {
        #expect(try TargetFunction.parse("junta:0,5:0110", n: 6, columns: []) == .junta(coordinates: [0, 5], table: [false, true, true, false]))
        #expect(try TargetFunction.parse("majority:0-2", n: 6, columns: []) == .majority(0b111))
        #expect(try TargetFunction.parse("column:p", n: 6, columns: ["q", "p"]) == .column(1))
        expectBadInput(["--target", "each coordinate once"]) { _ = try TargetFunction.parse("parity:1,1", n: 6, columns: []) }
        expectBadInput(["--target", "bit 6 is outside 0–5"]) { _ = try TargetFunction.parse("or:6", n: 6, columns: []) }
    }
}
