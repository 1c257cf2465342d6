import CHDF5
import Foundation

/// A read-only HDF5 file: its tree, dataset descriptions, attributes and values.
/// Not thread-safe (the serial libhdf5 is not); use one instance per thread.
public final class HDF5File {
    public let path: String
    let handle: HDF5Handle
    let variableLengthStrings = VariableLengthStrings()

    /// Seconds a variable-length string read may run without progress before the file's string
    /// storage is reported damaged (the read runs in a child process that is then killed).
    /// The limit files opened from now on start with (the fuzz targets lower it to 2 s).
    nonisolated(unsafe) public static var defaultStringReadTimeLimit = 10.0

    public var stringReadTimeLimit: Double {
        get { variableLengthStrings.timeLimitSeconds }
        set { variableLengthStrings.timeLimitSeconds = newValue }
    }

    public init(readingFrom path: String) throws {
        _ = hdf5Initialised
        silenceHDF5ErrorPrinting()  // per thread: this libhdf5 is thread-safe, its error stacks are per thread
        self.path = path
        try HDF5File.requireReadableRegularFile(path)
        guard H5Fis_hdf5(path) > 0 else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "an HDF5 file (no HDF5 signature found)")
        }
        try SuperblockCheck.requireDriverBlockFits(path)
        let fid = H5Fopen(path, fl_h5f_acc_rdonly(), h5Default)
        guard fid >= 0 else {
            let detail = hdf5ErrorDetail()
            if let detail, detail.contains("lock") {
                throw FourierLensError.badInput(file: path, dataset: "-",
                    expected: "a file no other program is writing; it is locked (HDF5: \(detail)): close the writer first")
            }
            throw FourierLensError.badInput(file: path, dataset: "-",
                                            expected: "a complete HDF5 file; it is truncated or damaged\(detail.map { " (HDF5: \($0))" } ?? "")")
        }
        handle = HDF5Handle(fid, .file)
    }

    /// Refuses, with the system's precise reason, anything but a readable regular file: a FIFO
    /// or a device would block or never end, a symbolic-link loop is not "no such file".
    /// `noun` names what was expected ("HDF5 file", "file" for a file that is only hashed).
    public static func requireReadableRegularFile(_ path: String, noun: String = "HDF5 file") throws {
        func refuse(_ expected: String) -> FourierLensError { .badInput(file: path, dataset: "-", expected: expected) }
        let a = noun.hasPrefix("HDF5") || "aeiou".contains(noun.prefix(1)) ? "an" : "a"
        var status = stat()
        guard stat(path, &status) == 0 else {
            switch errno {
            case ENOENT: throw refuse("an existing \(noun) (no such file)")
            case ELOOP: throw refuse("\(a) \(noun); the path is a loop of symbolic links")
            case EACCES: throw refuse("a readable \(noun) (permission denied on a directory of the path)")
            case let code: throw refuse("\(a) \(noun) (\(String(cString: strerror(code))))")
            }
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw refuse("\(a) \(noun), found a directory")
        case S_IFIFO: throw refuse("\(a) \(noun), found a FIFO (named pipe): reading it would wait for a writer")
        case S_IFCHR, S_IFBLK: throw refuse("\(a) \(noun), found a device")
        case S_IFSOCK: throw refuse("\(a) \(noun), found a socket")
        default: throw refuse("\(a) \(noun), found something that is not a regular file")
        }
        guard access(path, R_OK) == 0 else {
            throw refuse("a readable \(noun) (\(String(cString: strerror(errno))))")
        }
    }

    public enum ObjectKind: Equatable { case group, dataset, other }

    /// What is at `path`, or nil when nothing is (checked link by link, so that a missing
    /// parent group does not make HDF5 fail noisily).
    public func kind(of path: String) -> ObjectKind? {
        let path = normalised(path)
        if path == "/" { return .group }
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            guard H5Lexists(handle.id, prefix, h5Default) > 0 else { return nil }
        }
        let object = H5Oopen(handle.id, path, h5Default)
        guard object >= 0 else { return nil }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return .other
        }
    }

    public func contains(_ path: String) -> Bool { kind(of: path) == .dataset }

    // MARK: - Datasets and attributes

    /// Opens the dataset at `path`, or explains precisely why it cannot.
    func openDataset(_ path: String) throws -> HDF5Handle {
        let path = normalised(path)
        switch kind(of: path) {
        case .dataset?:
            return try HDF5Handle.check(H5Dopen2(handle.id, path, h5Default), .dataset,
                                        orThrow: unreadable(path))
        case .group?:
            throw FourierLensError.badInput(file: self.path, dataset: path, expected: "a dataset, found a group")
        case .other?:
            throw FourierLensError.badInput(file: self.path, dataset: path, expected: "a dataset, found a committed datatype")
        case nil:
            throw missing(path, expected: "a dataset")
        }
    }

    /// Shape, type, layout, chunking, filters, size and attributes of the dataset at `path`.
    public func datasetInfo(_ path: String) throws -> DatasetInfo {
        let path = normalised(path)
        return try datasetInfo(of: try openDataset(path), at: path)
    }

    /// The description of an open dataset (`path` names it in messages).
    func datasetInfo(of ds: HDF5Handle, at path: String) throws -> DatasetInfo {
        let attributes = try readAttributes(of: ds.id)
        let type = HDF5Handle(H5Dget_type(ds.id), .datatype)
        let (elementType, order) = classifyType(type.id, attributes: attributes)
        let space = HDF5Handle(H5Dget_space(ds.id), .dataspace)
        let rank = Int(H5Sget_simple_extent_ndims(space.id))
        var dims = [hsize_t](repeating: 0, count: max(rank, 0))
        if rank > 0 { H5Sget_simple_extent_dims(space.id, &dims, nil) }
        // A variable-length string dataset's fill value is read from the heap with them.
        let creation = elementType.isVariableLengthString
            ? try variableLengthStrings.creation(of: ds.id, rank: rank, at: path, in: self)
            : CreationProperties.read(ds.id, rank: rank)
        return DatasetInfo(path: path, shape: dims.map { Int(clamping: $0) }, elementType: elementType, byteOrder: order,
                           layout: creation.layout, chunkShape: creation.chunk, filters: creation.filters,
                           storageBytes: Int(clamping: H5Dget_storage_size(ds.id)), attributes: attributes)
    }

    // MARK: - Errors with the file's name in them

    func missing(_ path: String, expected: String) -> FourierLensError {
        // Name the first missing link: "/acts" missing says more than "/acts/blocks.0...".
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if H5Lexists(handle.id, prefix, h5Default) <= 0 {
                let what = prefix == path ? "" : " (its parent \(prefix) does not exist)"
                return .badInput(file: self.path, dataset: path, expected: "\(expected), but nothing is there\(what)")
            }
        }
        return .badInput(file: self.path, dataset: path, expected: "\(expected), but it could not be opened")
    }

    func unreadable(_ path: String) -> FourierLensError {
        let detail = hdf5ErrorDetail().map { " (HDF5: \($0))" } ?? ""
        return .badInput(file: self.path, dataset: path, expected: "readable data; the file is damaged here\(detail)")
    }

    func normalised(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { !$0.isEmpty }
        return "/" + parts.joined(separator: "/")
    }
}
