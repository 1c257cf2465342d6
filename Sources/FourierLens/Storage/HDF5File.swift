import CHDF5
import Foundation

/// A read-only HDF5 file: its tree, dataset descriptions, attributes and values.
/// Not thread-safe (the serial libhdf5 is not); use one instance per thread.
public final class HDF5File {
    public let path: String
    let handle: HDF5Handle

    public init(readingFrom path: String) throws {
        _ = hdf5Initialised
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "an existing HDF5 file (no such file)")
        }
        guard !isDirectory.boolValue else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "an HDF5 file, found a directory")
        }
        guard H5Fis_hdf5(path) > 0 else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "an HDF5 file (no HDF5 signature found)")
        }
        let fid = H5Fopen(path, fl_h5f_acc_rdonly(), h5Default)
        guard fid >= 0 else {
            let detail = hdf5ErrorDetail().map { " (HDF5: \($0))" } ?? ""
            throw FourierLensError.badInput(file: path, dataset: "-",
                                            expected: "a complete HDF5 file; it is truncated or damaged\(detail)")
        }
        handle = HDF5Handle(fid, .file)
    }

    // MARK: - The tree

    /// Every group and dataset below `root`, depth first, in name order.
    public func tree(under root: String = "/") throws -> [HDF5Node] {
        var nodes: [HDF5Node] = []
        try walk(normalised(root), into: &nodes)
        return nodes
    }

    /// All datasets in the file, depth first, in name order.
    public func datasets() throws -> [DatasetInfo] {
        try tree().compactMap { if case let .dataset(info) = $0 { return info } else { return nil } }
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

    private func walk(_ group: String, into nodes: inout [HDF5Node]) throws {
        let gid = try HDF5Handle.check(H5Gopen2(handle.id, group, h5Default), .group,
                                       orThrow: missing(group, expected: "a group"))
        nodes.append(.group(path: group, attributes: readAttributes(of: gid.id)))
        var info = H5G_info_t()
        guard H5Gget_info(gid.id, &info) >= 0 else {
            nodes.append(.unreadable(path: group, reason: "its links could not be listed"))
            return
        }
        for index in 0..<info.nlinks {
            guard let name = linkName(in: gid.id, at: index) else { continue }
            let child = group == "/" ? "/" + name : group + "/" + name
            switch kind(of: child) {
            case .group?: try walk(child, into: &nodes)
            case .dataset?: nodes.append(.dataset(try datasetInfo(child)))
            case .other?: continue  // committed datatypes carry no values
            case nil: nodes.append(.unreadable(path: child, reason: "the link does not resolve"))
            }
        }
    }

    private func linkName(in gid: hid_t, at index: hsize_t) -> String? {
        let length = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, h5Default)
        guard length >= 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1, h5Default)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

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
        let ds = try openDataset(path)
        let attributes = readAttributes(of: ds.id)
        let type = HDF5Handle(H5Dget_type(ds.id), .datatype)
        let (elementType, order) = classifyType(type.id, attributes: attributes)
        let space = HDF5Handle(H5Dget_space(ds.id), .dataspace)
        let rank = Int(H5Sget_simple_extent_ndims(space.id))
        var dims = [hsize_t](repeating: 0, count: max(rank, 0))
        if rank > 0 { H5Sget_simple_extent_dims(space.id, &dims, nil) }
        let plist = HDF5Handle(H5Dget_create_plist(ds.id), .plist)
        let layout: DatasetInfo.Layout
        var chunk: [Int]? = nil
        switch H5Pget_layout(plist.id) {
        case H5D_CONTIGUOUS: layout = .contiguous
        case H5D_COMPACT: layout = .compact
        case H5D_VIRTUAL: layout = .virtual
        case H5D_CHUNKED:
            layout = .chunked
            var chunkDims = [hsize_t](repeating: 0, count: max(rank, 1))
            H5Pget_chunk(plist.id, Int32(max(rank, 1)), &chunkDims)
            chunk = chunkDims.prefix(rank).map { Int($0) }
        default: layout = .unknown
        }
        var filters: [String] = []
        for index in 0..<max(0, H5Pget_nfilters(plist.id)) {
            var flags: UInt32 = 0
            var elements = 8
            var values = [UInt32](repeating: 0, count: 8)
            var name = [CChar](repeating: 0, count: 64)
            let filter = H5Pget_filter2(plist.id, UInt32(index), &flags, &elements, &values, 64, &name, nil)
            switch filter {
            case H5Z_FILTER_DEFLATE: filters.append("gzip(\(elements > 0 ? values[0] : 0))")
            case H5Z_FILTER_SHUFFLE: filters.append("shuffle")
            case H5Z_FILTER_FLETCHER32: filters.append("fletcher32")
            case H5Z_FILTER_SZIP: filters.append("szip")
            case H5Z_FILTER_NBIT: filters.append("nbit")
            case H5Z_FILTER_SCALEOFFSET: filters.append("scaleoffset")
            default:
                let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                filters.append(text.isEmpty ? "filter \(filter)" : "\(text) (\(filter))")
            }
        }
        return DatasetInfo(path: path, shape: dims.map { Int($0) }, elementType: elementType, byteOrder: order,
                           layout: layout, chunkShape: chunk, filters: filters,
                           storageBytes: Int(H5Dget_storage_size(ds.id)), attributes: attributes)
    }

    /// Attributes of the group or dataset at `path`.
    public func attributes(of path: String) throws -> [String: AttributeValue] {
        let path = normalised(path)
        guard kind(of: path) != nil else { throw missing(path, expected: "a group or dataset") }
        let object = try HDF5Handle.check(H5Oopen(handle.id, path, h5Default), .object, orThrow: unreadable(path))
        return readAttributes(of: object.id)
    }

    func readAttributes(of object: hid_t) -> [String: AttributeValue] {
        final class Names { var list: [String] = [] }
        let names = Names()
        let box = Unmanaged.passRetained(names)
        defer { box.release() }
        var start: hsize_t = 0
        _ = H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &start, { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
            return 0
        }, box.toOpaque())
        var result: [String: AttributeValue] = [:]
        for name in names.list {
            let attribute = H5Aopen(object, name, h5Default)
            guard attribute >= 0 else { result[name] = .unsupported("unreadable"); continue }
            result[name] = readAttributeValue(HDF5Handle(attribute, .attribute))
        }
        return result
    }

    private func readAttributeValue(_ attribute: HDF5Handle) -> AttributeValue {
        let type = HDF5Handle(H5Aget_type(attribute.id), .datatype)
        let space = HDF5Handle(H5Aget_space(attribute.id), .dataspace)
        let count = max(0, Int(H5Sget_simple_extent_npoints(space.id)))
        switch H5Tget_class(type.id) {
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: count)
            guard H5Aread(attribute.id, fl_h5t_native_int64(), &values) >= 0 else { return .unsupported("unreadable integers") }
            return .integers(values)
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: count)
            guard H5Aread(attribute.id, fl_h5t_native_double(), &values) >= 0 else { return .unsupported("unreadable floats") }
            return .floats(values)
        case H5T_STRING:
            let strings = readStringValues(fileType: type.id, count: count) { memType, buffer in
                H5Aread(attribute.id, memType, buffer)
            }
            return strings.map(AttributeValue.strings) ?? .unsupported("unreadable strings")
        default:
            return .unsupported(classifyType(type.id).0.description)
        }
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
