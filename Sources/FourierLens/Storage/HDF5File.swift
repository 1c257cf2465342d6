import CHDF5
import Foundation

/// A read-only HDF5 file: its tree, dataset descriptions, attributes and values.
/// Not thread-safe (the serial libhdf5 is not); use one instance per thread.
public final class HDF5File {
    public let path: String
    let handle: HDF5Handle

    public init(readingFrom path: String) throws {
        _ = hdf5Initialised
        silenceHDF5ErrorPrinting()  // per thread: this libhdf5 is thread-safe, its error stacks are per thread
        self.path = path
        try HDF5File.requireReadableRegularFile(path)
        guard H5Fis_hdf5(path) > 0 else {
            throw FourierLensError.badInput(file: path, dataset: "-", expected: "an HDF5 file (no HDF5 signature found)")
        }
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
    static func requireReadableRegularFile(_ path: String) throws {
        func refuse(_ expected: String) -> FourierLensError { .badInput(file: path, dataset: "-", expected: expected) }
        var status = stat()
        guard stat(path, &status) == 0 else {
            switch errno {
            case ENOENT: throw refuse("an existing HDF5 file (no such file)")
            case ELOOP: throw refuse("an HDF5 file; the path is a loop of symbolic links")
            case EACCES: throw refuse("a readable HDF5 file (permission denied on a directory of the path)")
            case let code: throw refuse("an HDF5 file (\(String(cString: strerror(code))))")
            }
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw refuse("an HDF5 file, found a directory")
        case S_IFIFO: throw refuse("an HDF5 file, found a FIFO (named pipe): reading it would wait for a writer")
        case S_IFCHR, S_IFBLK: throw refuse("an HDF5 file, found a device")
        case S_IFSOCK: throw refuse("an HDF5 file, found a socket")
        default: throw refuse("an HDF5 file, found something that is not a regular file")
        }
        guard access(path, R_OK) == 0 else {
            throw refuse("a readable HDF5 file (\(String(cString: strerror(errno))))")
        }
    }

    // MARK: - The tree

    /// Every group and dataset below `root`, depth first, in name order. The walk is linear in
    /// the number of links: each object is opened once through its parent, a group reached a
    /// second time (a hard-link cycle, an alias) is listed but not walked again, and external
    /// links are listed but never followed (one to the file itself would recurse).
    public func tree(under root: String = "/") throws -> [HDF5Node] {
        let rootPath = normalised(root)
        let rootGroup = try HDF5Handle.check(H5Gopen2(handle.id, rootPath, h5Default), .group,
                                             orThrow: missing(rootPath, expected: "a group"))
        var nodes: [HDF5Node] = []
        var seen: [haddr_t: String] = [:]
        // Depth first with an explicit stack, so that a deep tree cannot overflow the call stack.
        var stack: [(group: HDF5Handle, path: String)] = [(rootGroup, rootPath)]
        if let address = objectAddress(rootGroup.id) { seen[address] = rootPath }
        while let (group, path) = stack.popLast() {
            nodes.append(.group(path: path, attributes: readAttributes(of: group.id)))
            var info = H5G_info_t()
            guard H5Gget_info(group.id, &info) >= 0 else {
                nodes.append(.unreadable(path: path, reason: "its links could not be listed"))
                continue
            }
            var childGroups: [(HDF5Handle, String)] = []
            var index: hsize_t = 0
            while index < info.nlinks {
                defer { index += 1 }
                // By index, never by name: a name that is not valid UTF-8 would not survive the round trip.
                guard let name = linkName(in: group.id, at: index) else { continue }
                let child = path == "/" ? "/" + name : path + "/" + name
                var link = H5L_info_t()
                guard H5Lget_info_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &link, h5Default) >= 0 else {
                    nodes.append(.unreadable(path: child, reason: "the link could not be read"))
                    continue
                }
                if link.type == H5L_TYPE_SOFT {
                    let target = softTarget(group.id, index, size: link.u.val_size)
                    if H5Oexists_by_name(group.id, target, h5Default) > 0 {
                        nodes.append(.link(path: child, note: "soft link to \(target), listed there"))
                    } else {
                        nodes.append(.unreadable(path: child, reason: "soft link to \(target), which does not resolve"))
                    }
                    continue
                }
                guard link.type == H5L_TYPE_HARD else {
                    nodes.append(.link(path: child, note: "external link to \(externalTarget(group.id, index, size: link.u.val_size)), not followed"))
                    continue
                }
                let object = H5Oopen_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, h5Default)
                guard object >= 0 else {
                    nodes.append(.unreadable(path: child, reason: "the link does not resolve"))
                    continue
                }
                let handle = HDF5Handle(object, .object)
                switch H5Iget_type(object) {
                case H5I_GROUP:
                    if let address = objectAddress(object) {
                        if let first = seen[address] {
                            nodes.append(.link(path: child, note: "another link to the group \(first), listed once"))
                            continue
                        }
                        seen[address] = child
                    }
                    childGroups.append((handle, child))
                case H5I_DATASET:
                    nodes.append(.dataset(try datasetInfo(of: handle, at: child)))
                default:
                    continue  // committed datatypes carry no values
                }
            }
            stack += childGroups.reversed()
        }
        return nodes
    }

    /// The object's address in the file: the identity that tells a cycle from a new group.
    private func objectAddress(_ object: hid_t) -> haddr_t? {
        var info = H5O_info_t()
        return H5Oget_info2(object, &info, UInt32(H5O_INFO_BASIC)) >= 0 ? info.addr : nil
    }

    /// The path a soft link names.
    private func softTarget(_ group: hid_t, _ index: hsize_t, size: Int) -> String {
        guard size > 0, size < 1 << 16 else { return "?" }
        var buffer = [CChar](repeating: 0, count: size + 1)
        guard H5Lget_val_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, size, h5Default) >= 0 else { return "?" }
        return String(cString: buffer)
    }

    /// "FILE:/PATH" of an external link, for the listing.
    private func externalTarget(_ group: hid_t, _ index: hsize_t, size: Int) -> String {
        guard size > 0, size < 1 << 16 else { return "another file" }
        var buffer = [UInt8](repeating: 0, count: size)
        guard H5Lget_val_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, size, h5Default) >= 0 else { return "another file" }
        var flags: UInt32 = 0
        var file: UnsafePointer<CChar>? = nil, object: UnsafePointer<CChar>? = nil
        guard H5Lunpack_elink_val(&buffer, size, &flags, &file, &object) >= 0, let file, let object else { return "another file" }
        return String(cString: file) + ":" + String(cString: object)
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
        return try datasetInfo(of: try openDataset(path), at: path)
    }

    /// The description of an open dataset (`path` names it in messages).
    func datasetInfo(of ds: HDF5Handle, at path: String) throws -> DatasetInfo {
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
            chunk = chunkDims.prefix(rank).map { Int(clamping: $0) }
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
        return DatasetInfo(path: path, shape: dims.map { Int(clamping: $0) }, elementType: elementType, byteOrder: order,
                           layout: layout, chunkShape: chunk, filters: filters,
                           storageBytes: Int(clamping: H5Dget_storage_size(ds.id)), attributes: attributes)
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
        guard count <= 1 << 16 else { return .unsupported("\(count) values, more than an attribute holds") }
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
