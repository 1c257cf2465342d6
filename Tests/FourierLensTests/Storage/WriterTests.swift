import Foundation
@testable import FourierLens
import Testing

/// What the writer writes must read back the same, in FourierLens and in h5py.
@Suite struct WriterTests {
    let matrix = Matrix(rows: 3, cols: 4, values: [0, 1.5, -2, 3.25, 0.1, -0.0, 1e-30, 7, 8, 9, 10, 11])

    func writeSample(to path: String) throws {
        let writer = try HDF5Writer(creating: path)
        try writer.write(matrix, at: "/results/matrix", storage: .compressed)
        try writer.write(floats: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2], at: "/results/cube")
        try writer.write(integers: [-1, 0, 5, Int64.max], at: "/results/ints")
        try writer.write(doubles: [0.1, 0.2], shape: [2], at: "/results/doubles")
        try writer.write(strings: ["T=2", "T=2.5", "числа", ""], at: "/results/labels")
        try writer.setAttribute("schema", string: "fourierlens/1")
        try writer.setAttribute("seed", integer: 42, on: "/results")
        try writer.setAttribute("tau", double: 0.5, on: "/results/matrix")
        try writer.commit()
    }

    @Test func roundTripsThroughTheReader() throws {
        let dir = try TestPaths.scratchDirectory()
        let path = dir.appendingPathComponent("out.h5").path
        try writeSample(to: path)
        let file = try HDF5File(readingFrom: path)
        #expect(try file.readMatrix("/results/matrix").values.map(\.bitPattern) == matrix.values.map(\.bitPattern))
        #expect(try file.datasetInfo("/results/matrix").filters == ["shuffle", "gzip(4)"])
        #expect(try file.readFloats("/results/cube") == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try file.readIntegers("/results/ints") == [-1, 0, 5, Int64.max])
        #expect(try file.readStrings("/results/labels") == ["T=2", "T=2.5", "числа", ""])
        #expect(try file.attributes(of: "/")["schema"]?.string == "fourierlens/1")
        #expect(try file.attributes(of: "/results")["seed"] == .integers([42]))
        #expect(try file.attributes(of: "/results/matrix")["tau"] == .floats([0.5]))
        // Nothing but the output file is left in the directory (the temporary file was renamed).
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.h5"])
    }

    @Test func roundTripsThroughH5py() throws {
        let dir = try TestPaths.scratchDirectory()
        let path = dir.appendingPathComponent("out.h5").path
        try writeSample(to: path)
        let script = """
        import sys, h5py, numpy as np
        f = h5py.File(sys.argv[1], "r")
        m = f["results/matrix"][...]
        assert m.dtype == np.float32 and m.shape == (3, 4), (m.dtype, m.shape)
        expected = np.array([0, 1.5, -2, 3.25, 0.1, -0.0, 1e-30, 7, 8, 9, 10, 11], dtype=np.float32).reshape(3, 4)
        assert (m.view(np.uint32) == expected.view(np.uint32)).all(), m
        assert f["results/cube"].shape == (2, 2, 2)
        assert list(f["results/ints"][...]) == [-1, 0, 5, 2**63 - 1]
        assert [s.decode() for s in f["results/labels"][...]] == ["T=2", "T=2.5", "числа", ""]
        assert f.attrs["schema"] == "fourierlens/1"
        assert f["results"].attrs["seed"] == 42 and f["results/matrix"].attrs["tau"] == 0.5
        assert f["results/matrix"].compression == "gzip" and f["results/matrix"].shuffle
        print("ok")
        """
        let result = try runProcess(TestPaths.python, ["-c", script, path])
        #expect(result.status == 0, "h5py could not read what FourierLens wrote: \(result.stderr)")
        #expect(result.stdout == "ok\n")
    }

    @Test func neverOverwritesAndLeavesNothingWhenNotCommitted() throws {
        let dir = try TestPaths.scratchDirectory()
        let path = dir.appendingPathComponent("out.h5").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        expectBadInput([path, "already exists"]) { _ = try HDF5Writer(creating: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")

        let other = dir.appendingPathComponent("abandoned.h5").path
        do {
            let writer = try HDF5Writer(creating: other)
            try writer.write(matrix, at: "/m")
            // dropped without commit(), as when an analysis fails half way
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.h5"])
    }
}
