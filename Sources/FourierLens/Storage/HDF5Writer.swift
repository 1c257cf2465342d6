import CHDF5
import Foundation

/// Writes a new HDF5 file atomically: the file is built in memory (HDF5's core driver), and
/// `commit()` writes its bytes to a hidden temporary file beside the target and renames it into
/// place. A writer dropped without `commit()` (an error, a crash) leaves nothing behind, a full
/// disk is one clear error (HDF5 never writes to disk itself, so it cannot fail half-way), and
/// an existing file is never touched unless `overwrite`. Objects carry no timestamps, so the
/// same content gives the same bytes.
public final class HDF5Writer {
    public let path: String
    private var file: HDF5Handle?
    private let overwrite: Bool

    /// `onDisk`: HDF5 writes the file itself (sec2) rather than building it in memory; for
    /// StreamedHDF5File, whose large datasets are reserved here and filled afterwards.
    private let onDisk: Bool

    public init(creating path: String, overwrite: Bool = false, onDisk: Bool = false) throws {
        self.onDisk = onDisk
        _ = hdf5Initialised
        self.path = path
        self.overwrite = overwrite
        if FileManager.default.fileExists(atPath: path), !overwrite {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "a new output file; it already exists (pass --force to replace it)")
        }
        let fapl = HDF5Handle(H5Pcreate(fl_h5p_file_access()), .plist)
        let fcpl = HDF5Handle(H5Pcreate(fl_h5p_file_create()), .plist)
        if !onDisk { H5Pset_fapl_core(fapl.id, 1 << 20, false) }  // in memory, no backing file
        H5Pset_obj_track_times(fcpl.id, false)
        let fid = H5Fcreate(path, fl_h5f_acc_trunc(), fcpl.id, fapl.id)
        guard fid >= 0 else {
            throw FourierLensError.internalFailure("could not create the in-memory HDF5 file for \(path)")
        }
        file = HDF5Handle(fid, .file)
    }

    /// Writes the file's bytes beside the target and moves them into place.
    public func commit() throws {
        guard let id = file?.id else { return }
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
            throw FourierLensError.internalFailure("could not flush the HDF5 image of \(path)")
        }
        if onDisk {
            file = nil
            return
        }
        let size = H5Fget_file_image(id, nil, 0)
        guard size >= 0 else { throw FourierLensError.internalFailure("could not size the HDF5 image of \(path)") }
        var image = [UInt8](repeating: 0, count: size)
        guard H5Fget_file_image(id, &image, size) == size else {
            throw FourierLensError.internalFailure("could not copy the HDF5 image of \(path)")
        }
        file = nil
        try AtomicFile.write(image, to: path, replacing: overwrite)
    }

    // MARK: - Writing

    public struct Storage: Sendable {
        public var chunkRows: Int?
        public var gzipLevel: Int?
        public var shuffle: Bool
        public init(chunkRows: Int? = nil, gzipLevel: Int? = nil, shuffle: Bool = false) {
            self.chunkRows = chunkRows
            self.gzipLevel = gzipLevel
            self.shuffle = shuffle
        }
        public static let contiguous = Storage()
        public static let compressed = Storage(chunkRows: 256, gzipLevel: 4, shuffle: true)
    }

    /// A float32 dataset of any shape (values row-major).
    public func write(floats values: [Float], shape: [Int], at path: String, storage: Storage = .contiguous) throws {
        precondition(values.count == shape.reduce(1, *), "values must fill the shape")
        try writeDataset(at: path, shape: shape, fileType: fl_h5t_ieee_f32le(), memType: fl_h5t_native_float(),
                         storage: storage) { values.withUnsafeBytes { $0.baseAddress! } }
    }

    public func write(_ matrix: Matrix, at path: String, storage: Storage = .contiguous) throws {
        try write(floats: matrix.values, shape: [matrix.rows, matrix.cols], at: path, storage: storage)
    }

    public func write(doubles values: [Double], shape: [Int], at path: String) throws {
        precondition(values.count == shape.reduce(1, *), "values must fill the shape")
        try writeDataset(at: path, shape: shape, fileType: fl_h5t_ieee_f64le(), memType: fl_h5t_native_double(),
                         storage: .contiguous) { values.withUnsafeBytes { $0.baseAddress! } }
    }

    public func write(integers values: [Int64], at path: String) throws {
        try writeDataset(at: path, shape: [values.count], fileType: fl_h5t_std_i64le(), memType: fl_h5t_native_int64(),
                         storage: .contiguous) { values.withUnsafeBytes { $0.baseAddress! } }
    }

    /// A 1-D dataset of variable-length UTF-8 strings.
    public func write(strings: [String], at path: String) throws {
        let type = HDF5Handle(makeStringType(), .datatype)
        try withCStrings(strings) { pointers in
            try writeDataset(at: path, shape: [strings.count], fileType: type.id, memType: type.id,
                             storage: .contiguous) { UnsafeRawPointer(pointers) }
        }
    }

    /// Creates a contiguous dataset whose space is reserved in the file now and never filled by
    /// HDF5; returns its byte offset in the file (nil when it holds no elements). On-disk only.
    public func reserve(at path: String, shape: [Int], fileType: hid_t) throws -> Int? {
        precondition(onDisk, "reserving space needs a writer on disk")
        let (fid, space, dcpl) = try prepareDataset(at: path, shape: shape)
        H5Pset_layout(dcpl.id, H5D_CONTIGUOUS)
        H5Pset_alloc_time(dcpl.id, H5D_ALLOC_TIME_EARLY)
        H5Pset_fill_time(dcpl.id, H5D_FILL_TIME_NEVER)
        let ds = try HDF5Handle.check(H5Dcreate2(fid, path, fileType, space.id, h5Default, dcpl.id, h5Default), .dataset,
                                      orThrow: .internalFailure("could not create dataset \(path) in \(self.path)"))
        guard shape.reduce(1, *) > 0 else { return nil }
        let offset = H5Dget_offset(ds.id)
        guard offset != haddr_t.max else { throw FourierLensError.internalFailure("no space reserved for \(path) in \(self.path)") }
        return Int(offset)
    }

    /// Creates a group (and its parents).
    public func createGroup(_ path: String) throws {
        let fid = try openFileID()
        if H5Lexists(fid, path, h5Default) > 0 { return }
        let lcpl = HDF5Handle(H5Pcreate(fl_h5p_link_create()), .plist)
        H5Pset_create_intermediate_group(lcpl.id, 1)
        let gcpl = HDF5Handle(H5Pcreate(fl_h5p_group_create()), .plist)
        H5Pset_obj_track_times(gcpl.id, false)
        let gid = try HDF5Handle.check(H5Gcreate2(fid, path, lcpl.id, gcpl.id, h5Default), .group,
                                       orThrow: .internalFailure("could not create group \(path)"))
        _ = gid
    }

    public func setAttribute(_ name: String, string value: String, on path: String = "/") throws {
        let type = HDF5Handle(makeStringType(), .datatype)
        try withCStrings([value]) { pointers in
            try writeAttribute(name, on: path, type: type.id, memType: type.id) { UnsafeRawPointer(pointers) }
        }
    }

    public func setAttribute(_ name: String, integer value: Int64, on path: String = "/") throws {
        var value = value
        try writeAttribute(name, on: path, type: fl_h5t_std_i64le(), memType: fl_h5t_native_int64()) {
            withUnsafePointer(to: &value) { UnsafeRawPointer($0) }
        }
    }

    public func setAttribute(_ name: String, double value: Double, on path: String = "/") throws {
        var value = value
        try writeAttribute(name, on: path, type: fl_h5t_ieee_f64le(), memType: fl_h5t_native_double()) {
            withUnsafePointer(to: &value) { UnsafeRawPointer($0) }
        }
    }

    // MARK: - Plumbing

    private func openFileID() throws -> hid_t {
        guard let file else { throw FourierLensError.internalFailure("\(path) was already committed") }
        return file.id
    }

    private func makeStringType() -> hid_t {
        let type = H5Tcopy(fl_h5t_c_s1())
        H5Tset_size(type, fl_h5t_variable())
        H5Tset_cset(type, H5T_CSET_UTF8)
        return type
    }

    private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws -> R) rethrows -> R {
        let pointers = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return try pointers.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    private func parentGroup(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != "/" { try createGroup(parent) }
    }

    /// The file, the dataspace of `shape` and a creation property list without timestamps, the
    /// parent groups of `path` created.
    private func prepareDataset(at path: String, shape: [Int]) throws -> (hid_t, HDF5Handle, HDF5Handle) {
        let fid = try openFileID()
        try parentGroup(of: path)
        let dims = shape.map { hsize_t($0) }
        let space = HDF5Handle(H5Screate_simple(Int32(dims.count), dims, nil), .dataspace)
        let dcpl = HDF5Handle(H5Pcreate(fl_h5p_dataset_create()), .plist)
        H5Pset_obj_track_times(dcpl.id, false)
        return (fid, space, dcpl)
    }

    private func writeDataset(at path: String, shape: [Int], fileType: hid_t, memType: hid_t, storage: Storage,
                              data: () -> UnsafeRawPointer) throws {
        let (fid, space, dcpl) = try prepareDataset(at: path, shape: shape)
        let dims = shape.map { hsize_t($0) }
        if let chunkRows = storage.chunkRows, !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) {
            var chunk = dims
            chunk[0] = hsize_t(min(chunkRows, shape[0]))
            H5Pset_chunk(dcpl.id, Int32(chunk.count), chunk)
            if storage.shuffle { H5Pset_shuffle(dcpl.id) }
            if let level = storage.gzipLevel { H5Pset_deflate(dcpl.id, UInt32(level)) }
        }
        let ds = try HDF5Handle.check(H5Dcreate2(fid, path, fileType, space.id, h5Default, dcpl.id, h5Default), .dataset,
                                      orThrow: .internalFailure("could not create dataset \(path) in \(self.path)"))
        if shape.reduce(1, *) > 0 {
            guard H5Dwrite(ds.id, memType, fl_h5s_all(), fl_h5s_all(), h5Default, data()) >= 0 else {
                throw FourierLensError.internalFailure("could not write dataset \(path) in \(self.path)")
            }
        }
    }

    private func writeAttribute(_ name: String, on path: String, type: hid_t, memType: hid_t,
                                data: () -> UnsafeRawPointer) throws {
        let fid = try openFileID()
        if path != "/" && H5Lexists(fid, path, h5Default) <= 0 { try createGroup(path) }
        let object = try HDF5Handle.check(H5Oopen(fid, path, h5Default), .object,
                                          orThrow: .internalFailure("could not open \(path) for attribute \(name)"))
        if H5Aexists(object.id, name) > 0 { H5Adelete(object.id, name) }
        let space = HDF5Handle(H5Screate(H5S_SCALAR), .dataspace)
        let attribute = try HDF5Handle.check(H5Acreate2(object.id, name, type, space.id, h5Default, h5Default), .attribute,
                                             orThrow: .internalFailure("could not create attribute \(name) on \(path)"))
        guard H5Awrite(attribute.id, memType, data()) >= 0 else {
            throw FourierLensError.internalFailure("could not write attribute \(name) on \(path)")
        }
    }
}
