@testable import FourierLens
import Testing

/// Hyperslabs, layers of stacked datasets, row blocks, strings and attributes.
@Suite struct ReaderSelectionTests {
    let path: String
    let file: HDF5File

    init() throws {
        path = try TestPaths.fixture("dtypes.h5")
        file = try HDF5File(readingFrom: path)
    }

    @Test func readsRowBlocksAndLayers() throws {
        let whole = try file.readMatrix("/data/f4_le")
        let rows = try file.readMatrix("/data/f4_le", rows: 10..<23)
        #expect(rows.rows == 13 && rows.cols == 8)
        #expect(Array(rows.values) == Array(whole.values[80..<184]))

        let stacked = try file.readFloats("/data/stacked_f4")
        for layer in 0..<3 {
            let slice = try file.readLayer("/data/stacked_f4", layer: layer)
            #expect(slice.rows == 5 && slice.cols == 4)
            #expect(slice.values == Array(stacked[layer * 20 ..< (layer + 1) * 20]))
        }
        expectBadInput([path, "/data/stacked_f4", "layer 3"]) { _ = try file.readLayer("/data/stacked_f4", layer: 3) }
        expectBadInput([path, "/data/f4_le", "3-D"]) { _ = try file.readLayer("/data/f4_le", layer: 0) }
        expectBadInput([path, "/data/stacked_f4", "2-D"]) { _ = try file.readMatrix("/data/stacked_f4") }
        expectBadInput([path, "/data/f4_le", "inside"]) { _ = try file.readMatrix("/data/f4_le", rows: 60..<70) }
    }

    @Test func rowBlocksCoverTheDatasetInOrder() throws {
        let whole = try file.readMatrix("/data/f2_be_gzip")
        let reader = try file.rowBlocks("/data/f2_be_gzip", blockRows: 10)
        var collected: [Float] = []
        var starts: [Int] = []
        while let (first, block) = try reader.next() {
            starts.append(first)
            collected += block.values
        }
        #expect(starts == [0, 10, 20, 30, 40, 50, 60])
        #expect(collected.map(\.bitPattern) == whole.values.map(\.bitPattern))

        let layerReader = try file.rowBlocks("/data/stacked_f4", blockRows: 2, layer: 2)
        var layerValues: [Float] = []
        while let (_, block) = try layerReader.next() { layerValues += block.values }
        #expect(layerValues == (try file.readLayer("/data/stacked_f4", layer: 2)).values)
    }

    @Test func readsStrings() throws {
        #expect(try file.readStrings("/strings/vlen_utf8") == ["zero", "one", "два", "三", ""])
        #expect(try file.readStrings("/strings/vlen_ascii") == ["a", "bb", "ccc"])
        #expect(try file.readStrings("/strings/fixed_ascii") == ["12", "7", "300"])
        #expect(try file.readStrings("/strings/fixed_utf8") == ["é", "ab"])
        #expect(try file.datasetInfo("/strings/vlen_utf8").elementType == .string(variableLength: true, utf8: true))
        #expect(try file.datasetInfo("/strings/fixed_ascii").elementType == .string(variableLength: false, utf8: false))
    }

    @Test func readsAttributes() throws {
        let root = try file.attributes(of: "/")
        #expect(root["schema"] == .strings(["fourierlens/1"]))
        #expect(root["title_utf8"]?.string == "Zahlen – числа")
        #expect(root["fixed_ascii_attr"]?.string == "fixed")
        #expect(root["an_int"] == .integers([-7]))
        #expect(root["a_float"]?.number == 0.25)
        #expect(root["floats"] == .floats([1.5, 2.5]))
        #expect(root["strings"] == .strings(["a", "b"]))
        #expect(try file.datasetInfo("/data/bf16words_le").attributes["dtype"]?.string == "bfloat16")
    }

    @Test func walksTheTree() throws {
        let tree = try file.tree()
        let groups = tree.compactMap { if case let .group(path, _) = $0 { return path } else { return nil } }
        #expect(groups == ["/", "/data", "/expected", "/strings", "/unsupported"])
        #expect(tree.contains { $0.path == "/strings/fixed_utf8" })
        #expect(try file.tree(under: "/strings").count == 5)
    }

    @Test func namesMissingDatasetsAndGroups() throws {
        expectBadInput([path, "/data/nope", "nothing is there"]) { _ = try file.readFloats("/data/nope") }
        expectBadInput([path, "/nogroup/x", "parent /nogroup"]) { _ = try file.readMatrix("/nogroup/x") }
        expectBadInput([path, "/data", "found a group"]) { _ = try file.readFloats("/data") }
    }

    @Test func refusesFilesThatAreNotHDF5() throws {
        let notHDF5 = try TestPaths.fixture("not_hdf5.h5")
        expectBadInput([notHDF5, "HDF5 signature"]) { _ = try HDF5File(readingFrom: notHDF5) }
        let truncated = try TestPaths.fixture("truncated.h5")
        expectBadInput([truncated, "truncated"]) { _ = try HDF5File(readingFrom: truncated) }
        expectBadInput(["/no/such/file.h5", "no such file"]) { _ = try HDF5File(readingFrom: "/no/such/file.h5") }
    }
}
