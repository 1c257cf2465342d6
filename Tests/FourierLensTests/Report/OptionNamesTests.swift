import Foundation
@testable import FourierLens
import Testing

/// summary.json names options by their flags through explicit coding keys: an option added to
/// the struct but not to its keys would silently vanish from the summary.
@Suite struct OptionNamesTests {
    func encodedKeys<T: Encodable>(_ value: T) throws -> Set<String> {
        Set((try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as! [String: Any]).keys)
    }

    @Test func everySpectrumOptionIsWritten() throws {
        var options = SpectrumOptions()
        options.tau = 3  // an optional one, present
        #expect(try encodedKeys(options).count == Mirror(reflecting: options).children.count)
        #expect(try encodedKeys(options).isSuperset(of: ["permutations", "fdr", "key_periods"]))
    }

    @Test func everyProbeOptionIsWritten() throws {
        let options = ProbeOptions()
        #expect(try encodedKeys(options).count == Mirror(reflecting: options).children.count)
        #expect(try encodedKeys(options).isSuperset(of: ["inner_folds", "periods", "fourier_periods", "pca_dimensions"]))
    }
}
