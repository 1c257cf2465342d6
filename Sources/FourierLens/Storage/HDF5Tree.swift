import CHDF5

extension HDF5File {
    /// Every group and dataset below `root`, depth first, in name order. The walk is linear in
    /// the number of links: each object is opened once through its parent, a group reached a
    /// second time (a hard-link cycle, an alias) is listed but not walked again, and external
    /// links are listed but never followed (one to the file itself would recurse).
    public func tree(under root: String = "/") throws -> [HDF5Node] {
        try walk(under: root).map { object in
            switch object {
            case let .group(group, path): return .group(path: path, attributes: try readAttributes(of: group.id))
            case let .dataset(dataset, path): return .dataset(try datasetInfo(of: dataset, at: path))
            case let .listed(node): return node
            }
        }
    }

    /// One object the walk met: an open group or dataset, or a node complete as it is.
    enum WalkedObject {
        case group(HDF5Handle, path: String)
        case dataset(HDF5Handle, path: String)
        case listed(HDF5Node)
    }

    /// The objects below `root` in the tree's order, opened but not yet read.
    func walk(under root: String) throws -> [WalkedObject] {
        let rootPath = normalised(root)
        let rootGroup = try HDF5Handle.check(H5Gopen2(handle.id, rootPath, h5Default), .group,
                                             orThrow: missing(rootPath, expected: "a group"))
        var nodes: [WalkedObject] = []
        var seen: [haddr_t: String] = [:]
        // Depth first with an explicit stack, so that a deep tree cannot overflow the call stack.
        var stack: [(group: HDF5Handle, path: String)] = [(rootGroup, rootPath)]
        if let address = objectAddress(rootGroup.id) { seen[address] = rootPath }
        while let (group, path) = stack.popLast() {
            nodes.append(.group(group, path: path))
            var info = H5G_info_t()
            guard H5Gget_info(group.id, &info) >= 0 else {
                nodes.append(.listed(.unreadable(path: path, reason: "its links could not be listed")))
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
                    nodes.append(.listed(.unreadable(path: child, reason: "the link could not be read")))
                    continue
                }
                if link.type == H5L_TYPE_SOFT {
                    let target = softTarget(group.id, index, size: link.u.val_size)
                    if H5Oexists_by_name(group.id, target, h5Default) > 0 {
                        nodes.append(.listed(.link(path: child, note: "soft link to \(target), listed there")))
                    } else {
                        nodes.append(.listed(.unreadable(path: child, reason: "soft link to \(target), which does not resolve")))
                    }
                    continue
                }
                guard link.type == H5L_TYPE_HARD else {
                    nodes.append(.listed(.link(path: child, note: "external link to \(externalTarget(group.id, index, size: link.u.val_size)), not followed")))
                    continue
                }
                let object = H5Oopen_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, h5Default)
                guard object >= 0 else {
                    nodes.append(.listed(.unreadable(path: child, reason: "the link does not resolve")))
                    continue
                }
                let handle = HDF5Handle(object, .object)
                switch H5Iget_type(object) {
                case H5I_GROUP:
                    if let address = objectAddress(object) {
                        if let first = seen[address] {
                            nodes.append(.listed(.link(path: child, note: "another link to the group \(first), listed once")))
                            continue
                        }
                        seen[address] = child
                    }
                    childGroups.append((handle, child))
                case H5I_DATASET:
                    nodes.append(.dataset(handle, path: child))
                default:
                    continue  // committed datatypes carry no values
                }
            }
            stack += childGroups.reversed()
        }
        return nodes
    }

    /// The object's address in the file: the identity that tells a cycle from a new group.
    func objectAddress(_ object: hid_t) -> haddr_t? {
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

    private func linkName(in gid: hid_t, at index: hsize_t) -> String? {
        let length = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, h5Default)
        guard length >= 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1, h5Default)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
