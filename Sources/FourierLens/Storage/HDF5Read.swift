import CHDF5
import CKernels

extension HDF5File {
    /// The values of the dataset at `path` as Float32, row-major. `start`/`count` select a
    /// hyperslab (one entry per dimension); without them the whole dataset is read.
    public func readFloats(_ path: String, start: [Int]? = nil, count: [Int]? = nil) throws -> [Float] {
        let ds = try openDataset(path)
        let info = try datasetInfo(path)
        return try readFloats(ds, info, start: start ?? info.shape.map { _ in 0 }, count: count ?? info.shape)
    }

    /// A 2-D dataset (or a block of its rows) as a matrix.
    public func readMatrix(_ path: String, rows: Range<Int>? = nil) throws -> Matrix {
        let info = try datasetInfo(path)
        guard info.rank == 2 else {
            throw badShape(info, expected: "a 2-D dataset [rows × columns]")
        }
        let rows = rows ?? 0..<info.shape[0]
        let values = try readFloats(path, start: [rows.lowerBound, 0], count: [rows.count, info.shape[1]])
        return Matrix(rows: rows.count, cols: info.shape[1], values: values)
    }

    /// One layer of a stacked [L, N, d] dataset as an [N × d] matrix.
    public func readLayer(_ path: String, layer: Int) throws -> Matrix {
        let info = try datasetInfo(path)
        guard info.rank == 3 else { throw badShape(info, expected: "a stacked 3-D dataset [layers × rows × d]") }
        guard (0..<info.shape[0]).contains(layer) else {
            throw FourierLensError.badInput(file: self.path, dataset: info.path,
                                            expected: "layer \(layer) within \(indexRange(info.shape[0])) of \(info.shapeDescription)")
        }
        let values = try readFloats(path, start: [layer, 0, 0], count: [1, info.shape[1], info.shape[2]])
        return Matrix(rows: info.shape[1], cols: info.shape[2], values: values)
    }

    /// A 1-D dataset as Float32 values.
    public func readVector(_ path: String) throws -> [Float] {
        let info = try datasetInfo(path)
        guard info.rank == 1 else { throw badShape(info, expected: "a 1-D dataset") }
        return try readFloats(path)
    }

    /// A 1-D integer dataset (token ids, values, answers).
    public func readIntegers(_ path: String) throws -> [Int64] {
        let ds = try openDataset(path)
        let info = try datasetInfo(path)
        guard case .integer = info.elementType else {
            throw FourierLensError.badInput(file: self.path, dataset: info.path,
                                            expected: "integers, found \(info.elementType)")
        }
        guard info.rank == 1 else { throw badShape(info, expected: "a 1-D dataset") }
        try requireMemory(info, elements: info.elementCount, bytesEach: 8)
        var values = [Int64](repeating: 0, count: info.elementCount)
        guard H5Dread(ds.id, fl_h5t_native_int64(), fl_h5s_all(), fl_h5s_all(), h5Default, &values) >= 0 else {
            throw unreadable(info.path)
        }
        return values
    }

    /// A hyperslab of a dataset exactly as float64 or int64 (files FourierLens wrote itself,
    /// read back without the float32 narrowing of readFloats).
    public func readExactIntegers(_ path: String, start: [Int], count: [Int]) throws -> [Int64] {
        try readHyperslab(path, start: start, count: count, memType: fl_h5t_native_int64(), zero: Int64(0))
    }

    public func readExactDoubles(_ path: String, start: [Int], count: [Int]) throws -> [Double] {
        var values: [Double] = []
        try readHyperslab(path, start: start, count: count, memType: fl_h5t_native_double(), zero: 0.0, into: &values)
        return values
    }

    /// The same into `values`, whose storage is reused from call to call (blocks of a stream).
    public func readExactDoubles(_ path: String, start: [Int], count: [Int], into values: inout [Double]) throws {
        try readHyperslab(path, start: start, count: count, memType: fl_h5t_native_double(), zero: 0.0, into: &values)
    }

    /// A hyperslab of an integer dataset as bytes, unsigned for uint8 (read without conversion),
    /// signed otherwise: HDF5 clamps wider values into −128…127, so a value that is not a small
    /// integer never reads as one (bit strings). `values`' storage is reused from call to call.
    public func readExactBytes(_ path: String, start: [Int], count: [Int], unsigned: Bool, into values: inout [UInt8]) throws {
        try readHyperslab(path, start: start, count: count, memType: unsigned ? fl_h5t_native_uchar() : fl_h5t_native_schar(),
                          zero: UInt8(0), into: &values)
    }

    private func readHyperslab<T>(_ path: String, start: [Int], count: [Int], memType: hid_t, zero: T) throws -> [T] {
        var values: [T] = []
        try readHyperslab(path, start: start, count: count, memType: memType, zero: zero, into: &values)
        return values
    }

    private func readHyperslab<T>(_ path: String, start: [Int], count: [Int], memType: hid_t, zero: T, into values: inout [T]) throws {
        let ds = try openDataset(path)
        let info = try datasetInfo(path)
        guard start.count == info.rank, count.count == info.rank,
              zip(zip(start, count), info.shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw FourierLensError.badInput(file: self.path, dataset: info.path, expected: "a selection start \(start) count \(count) inside \(info.shapeDescription)")
        }
        let n = saturatingProduct(count)
        try requireMemory(info, elements: n, bytesEach: MemoryLayout<T>.size)
        if values.count > n { values.removeLast(values.count - n) } else { values += repeatElement(zero, count: n - values.count) }
        guard n > 0 else { return }
        let fileSpace = HDF5Handle(H5Dget_space(ds.id), .dataspace)
        let hStart = start.map { hsize_t($0) }, hCount = count.map { hsize_t($0) }
        H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, hStart, nil, hCount, nil)
        let memSpace = HDF5Handle(H5Screate_simple(Int32(info.rank), hCount, nil), .dataspace)
        guard values.withUnsafeMutableBytes({ H5Dread(ds.id, memType, memSpace.id, fileSpace.id, h5Default, $0.baseAddress!) }) >= 0 else {
            throw unreadable(info.path)
        }
    }

    /// A 1-D string dataset, fixed or variable length (`anyRank`: any rank, flattened row-major).
    public func readStrings(_ path: String, anyRank: Bool = false) throws -> [String] {
        let ds = try openDataset(path)
        let info = try datasetInfo(path)
        guard info.elementType.isString else {
            throw FourierLensError.badInput(file: self.path, dataset: info.path, expected: "strings, found \(info.elementType)")
        }
        guard anyRank || info.rank == 1 else { throw badShape(info, expected: "a 1-D dataset") }
        let type = HDF5Handle(H5Dget_type(ds.id), .datatype)
        try requireMemory(info, elements: info.elementCount, bytesEach: max(H5Tget_size(type.id), 8) + 16)
        if info.elementType.isVariableLengthString {
            guard let strings = try variableLengthStrings.values(of: ds.id, at: info.path, in: self) else {
                throw unreadable(info.path)
            }
            return strings
        }
        guard let strings = readFixedLengthStrings(fileType: type.id, count: info.elementCount, read: { memType, buffer in
            H5Dread(ds.id, memType, fl_h5s_all(), fl_h5s_all(), h5Default, buffer)
        }) else { throw unreadable(info.path) }
        return strings
    }

    /// Refuses a read whose buffer would not fit (checked before allocating it).
    func requireMemory(_ info: DatasetInfo, elements: Int, bytesEach: Int) throws {
        guard MemoryBudget.fits(elements, bytesEach: bytesEach) else {
            throw FourierLensError.badInput(file: path, dataset: info.path,
                expected: "a dataset that fits in memory; reading \(info.shapeDescription) \(MemoryBudget.shortfall(elements, bytesEach: bytesEach))")
        }
    }

    func badShape(_ info: DatasetInfo, expected: String) -> FourierLensError {
        .badInput(file: path, dataset: info.path, expected: "\(expected), found \(info.rank)-D \(info.shapeDescription)")
    }

    /// Reads a hyperslab from an open dataset, converting every supported type to Float32.
    func readFloats(_ ds: HDF5Handle, _ info: DatasetInfo, start: [Int], count: [Int]) throws -> [Float] {
        guard info.elementType.isNumeric else {
            throw FourierLensError.badInput(file: path, dataset: info.path,
                expected: "numeric values (float16, bfloat16, float32, float64 or integer), found \(info.elementType)")
        }
        guard start.count == info.rank, count.count == info.rank,
              zip(zip(start, count), info.shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw FourierLensError.badInput(file: path, dataset: info.path,
                expected: "a selection start \(start) count \(count) inside \(info.shapeDescription)")
        }
        let n = saturatingProduct(count)
        if n == 0 { return [] }
        try requireMemory(info, elements: n, bytesEach: 12)  // the float32 result and, for wide types, a float64 buffer
        let fileSpace = HDF5Handle(H5Dget_space(ds.id), .dataspace)
        var memSpace: HDF5Handle? = nil
        if info.rank > 0 {
            let hStart = start.map { hsize_t($0) }, hCount = count.map { hsize_t($0) }
            guard H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, hStart, nil, hCount, nil) >= 0 else {
                throw FourierLensError.internalFailure("hyperslab selection failed on \(info.path)")
            }
            memSpace = HDF5Handle(H5Screate_simple(Int32(info.rank), hCount, nil), .dataspace)
        }
        let memSpaceID = memSpace?.id ?? fl_h5s_all()
        let fileSpaceID = info.rank > 0 ? fileSpace.id : fl_h5s_all()

        func read(_ memType: hid_t, into buffer: UnsafeMutableRawPointer) throws {
            guard H5Dread(ds.id, memType, memSpaceID, fileSpaceID, h5Default, buffer) >= 0 else {
                throw unreadable(info.path)
            }
        }
        switch info.elementType {
        case .float32:
            var values = [Float](repeating: 0, count: n)
            try values.withUnsafeMutableBytes { try read(fl_h5t_native_float(), into: $0.baseAddress!) }
            return values
        case .float16, .bfloat16:
            // Raw 2-byte words in the file's own type (no HDF5 conversion), decoded here:
            // the same bits as HDF5's conversion, many times faster.
            let fileType = HDF5Handle(H5Dget_type(ds.id), .datatype)
            var words = [UInt16](repeating: 0, count: n)
            try words.withUnsafeMutableBytes { try read(fileType.id, into: $0.baseAddress!) }
            return decodeHalfWords(words, bigEndian: info.byteOrder == .big, isBFloat16: info.elementType != .float16)
        case .float64, .integer:
            var wide = [Double](repeating: 0, count: n)
            try wide.withUnsafeMutableBytes { try read(fl_h5t_native_double(), into: $0.baseAddress!) }
            // A finite 1e300 would become Inf in float32 and be reported as non-finite: say what it is.
            if let i = wide.firstIndex(where: { $0.isFinite && Float($0).isInfinite }) {
                throw FourierLensError.badInput(file: path, dataset: info.path,
                    expected: "values within float32's range (±3.4e38), found the finite \(wide[i]) at element \(unravel(i, shape: count)) of the selection")
            }
            return wide.map { Float($0) }
        case .string, .unsupported:
            fatalError("unreachable: checked above")
        }
    }
}

/// float16 or bfloat16 words (in the file's byte order) to Float32, exactly, through the CPU's
/// vector conversion (CKernels).
func decodeHalfWords(_ words: [UInt16], bigEndian: Bool, isBFloat16: Bool) -> [Float] {
    let native = bigEndian ? words.map(\.byteSwapped) : words
    return [Float](unsafeUninitializedCapacity: native.count) { out, initialised in
        native.withUnsafeBufferPointer { input in
            guard let source = input.baseAddress, let target = out.baseAddress else { return }
            if isBFloat16 { fl_widen_bf16(source, target, input.count) } else { fl_widen_f16(source, target, input.count) }
        }
        initialised = native.count
    }
}
