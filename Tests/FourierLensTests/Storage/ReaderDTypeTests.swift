@testable import FourierLens
import Testing

/// Every dtype, byte order and layout written by h5py must read as numpy's float32 bit for bit.
@Suite struct ReaderDTypeTests {
    static let numericNames: [String] = {
        var names: [String] = []
        for tag in ["le", "be"] {
            for kind in ["f2", "f4", "f8"] { names += ["\(kind)_\(tag)", "\(kind)_\(tag)_gzip"] }
            for kind in ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"] { names.append("\(kind)_\(tag)") }
            names += ["bf16_\(tag)", "bf16_\(tag)_gzip", "bf16words_\(tag)"]
        }
        return names + ["f4_compact", "stacked_f4"]
    }()

    @Test(arguments: numericNames)
    func readsBitForBitAsNumpy(name: String) throws {
        let file = try HDF5File(readingFrom: try TestPaths.fixture("dtypes.h5"))
        let values = try file.readFloats("/data/\(name)")
        let expected = try file.readIntegers("/expected/\(name)_bits").map { UInt32($0) }
        #expect(values.count == expected.count)
        let mismatches = zip(values, expected).enumerated().filter { $0.element.0.bitPattern != $0.element.1 }
        #expect(mismatches.isEmpty, "\(name): first mismatch \(mismatches.first.map { "at \($0.offset): \($0.element.0.bitPattern) vs \($0.element.1)" } ?? "")")
    }

    @Test func recognisesTypesOrdersAndLayouts() throws {
        let file = try HDF5File(readingFrom: try TestPaths.fixture("dtypes.h5"))
        let f2be = try file.datasetInfo("/data/f2_be_gzip")
        #expect(f2be.elementType == .float16)
        #expect(f2be.byteOrder == .big)
        #expect(f2be.layout == .chunked)
        #expect(f2be.chunkShape == [16, 8])
        #expect(f2be.filters == ["shuffle", "gzip(4)"])
        #expect(try file.datasetInfo("/data/bf16_le").elementType == .bfloat16(asUInt16Words: false))
        #expect(try file.datasetInfo("/data/bf16words_be").elementType == .bfloat16(asUInt16Words: true))
        #expect(try file.datasetInfo("/data/u2_le").elementType == .integer(bits: 16, signed: false))
        #expect(try file.datasetInfo("/data/f4_compact").layout == .compact)
        #expect(try file.datasetInfo("/data/f8_le").layout == .contiguous)
        #expect(try file.datasetInfo("/data/f8_le").byteOrder == .little)
    }

    @Test func refusesUnsupportedAndNonNumericTypes() throws {
        let path = try TestPaths.fixture("dtypes.h5")
        let file = try HDF5File(readingFrom: path)
        #expect(try file.datasetInfo("/unsupported/compound").elementType == .unsupported("compound"))
        expectBadInput([path, "/unsupported/compound", "compound"]) { _ = try file.readFloats("/unsupported/compound") }
        expectBadInput([path, "/strings/vlen_utf8", "numeric"]) { _ = try file.readFloats("/strings/vlen_utf8") }
        expectBadInput([path, "/data/f4_le", "integers"]) { _ = try file.readIntegers("/data/f4_le") }
    }
}
