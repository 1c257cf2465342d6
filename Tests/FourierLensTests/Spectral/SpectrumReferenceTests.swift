import Foundation
@testable import FourierLens
import Testing

/// Spectra against numpy's rfft (Tests/Fixtures/make_spectral_reference.py wrote the values).
@Suite struct SpectrumReferenceTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            let p: Int, d: Int, center: Bool, matrix: [Float]
            let magnitude: [Double], energy_fraction: [Double], cos_fraction: [Double], frobenius_squared: Double
        }
        struct RowCase: Decodable {
            let rows: Int, p: Int, matrix: [Float], mean_magnitude: [Double], magnitude_of_mean: [Double]
        }
        struct BYCase: Decodable { let p_values: [Double], q_values: [Double] }
        let spectra: [Case]
        let row_spectra: RowCase
        let benjamini_yekutieli: BYCase
    }

    static let reference: Reference = {
        let url = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/spectral_reference.json")
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    func close(_ a: [Double], _ b: [Double], relative: Double, floor: Double) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= relative * max(abs($1), floor) }
    }

    @Test(arguments: 0..<5)
    func magnitudesEqualNumpy(index: Int) {
        let c = Self.reference.spectra[index]
        let spectrum = SpectralAnalysis.spectrum(of: Matrix(rows: c.p, cols: c.d, values: c.matrix), center: c.center)
        let scale = c.magnitude.max()!
        #expect(close(spectrum.magnitude, c.magnitude, relative: 1e-5, floor: scale * 1e-2), "p=\(c.p) center=\(c.center)")
        #expect(close(spectrum.energyFraction, c.energy_fraction, relative: 1e-5, floor: 1e-4))
        let cosFraction = spectrum.cosBasisEnergy.map { $0 / spectrum.totalEnergy }
        #expect(close(cosFraction, c.cos_fraction, relative: 1e-5, floor: 1e-4))
        // Parseval: the real-basis energies add up to the squared Frobenius norm, fractions to 1.
        #expect(abs(spectrum.totalEnergy - c.frobenius_squared) <= 1e-5 * c.frobenius_squared)
        #expect(abs(spectrum.energyFraction.reduce(0, +) - 1) < 1e-12)
    }

    @Test func rowSpectraEqualNumpy() {
        let c = Self.reference.row_spectra
        let spectra = RowSpectra.of(Matrix(rows: c.rows, cols: c.p, values: c.matrix), center: false)
        #expect(close(spectra.meanMagnitude, c.mean_magnitude, relative: 1e-5, floor: 1e-2))
        #expect(close(spectra.magnitudeOfMean, c.magnitude_of_mean, relative: 1e-5, floor: 1e-2))
        #expect(spectra.magnitudeOfMean.indices.max { spectra.magnitudeOfMean[$0] < spectra.magnitudeOfMean[$1] } == 5)
    }

    @Test func benjaminiYekutieliEqualsScipy() {
        let c = Self.reference.benjamini_yekutieli
        let q = OutlierTest.benjaminiYekutieli(c.p_values.map { Optional($0) })
        #expect(close(q.map { $0! }, c.q_values, relative: 1e-12, floor: 1e-12))
    }

    @Test func aSingleFrequencyPutsAllItsEnergyThere() {
        for p in [48, 49] {
            let k = 7
            var values: [Float] = []
            for x in 0..<p {
                let angle = 2 * Double.pi * Double(k * x) / Double(p)
                values += [Float(cos(angle)), Float(3 * sin(angle)), Float(cos(angle + 1))]
            }
            let spectrum = SpectralAnalysis.spectrum(of: Matrix(rows: p, cols: 3, values: values), center: false)
            #expect(abs(spectrum.energyFraction[k] - 1) < 1e-6, "p=\(p)")
            #expect(spectrum.topColumns[k] == 3)
            #expect(spectrum.columnTopFrequency == [k, k, k])
            #expect(spectrum.columnTopShare.allSatisfy { abs($0 - 1) < 1e-6 })
            #expect(spectrum.bandSplit(tau: 8).low > 0.999999)
            #expect(abs(spectrum.energyFraction(in: [k]) - 1) < 1e-6)
        }
    }

    @Test func numberAxisOrdersAndRefusesGapsAndDuplicates() throws {
        let axis = try NumberAxis.from(values: [3, 1, 2, 0], allowGaps: false)
        #expect(axis.order == [3, 1, 2, 0] && axis.values == [0, 1, 2, 3])
        let reordered = axis.reorder(Matrix(rows: 4, cols: 1, values: [30, 10, 20, 0]))
        #expect(reordered.values == [0, 10, 20, 30])
        #expect(throws: NumberAxisError.gap(after: 1, next: 3)) { try NumberAxis.from(values: [0, 1, 3], allowGaps: false) }
        #expect(throws: NumberAxisError.duplicate(1)) { try NumberAxis.from(values: [0, 1, 1], allowGaps: true) }
        #expect(try NumberAxis.from(values: [0, 2, 5], allowGaps: true).values == [0, 2, 5])
    }
}
