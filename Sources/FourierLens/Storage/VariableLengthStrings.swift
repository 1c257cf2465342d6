import CHDF5

/// Every read of one file that makes libhdf5 follow variable-length strings into the global
/// heap goes through here, to `IsolatedStringRead`'s child: string attributes, string datasets'
/// values, and their creation properties (which convert the fill value). The attributes and
/// creation properties of the whole file are read in one child the first time one is asked for
/// (one child per file, not one per object, keeps the normal path fast); a dataset's values when
/// asked for. Once a child crashed or hung, the file's later reads get the same error at once,
/// naming the object it was reading: a looping heap is not waited on twice.
final class VariableLengthStrings {
    private struct Key: Hashable {
        enum What: Hashable { case attribute(String), creation }
        let file: UInt
        let address: haddr_t
        let what: What
    }

    private struct Request {
        let item: IsolatedStringRead.Item
        let path: String
        var key: Key? = nil
    }

    /// How long a child may send nothing before it is taken to be looping. A whole vocabulary
    /// takes milliseconds; a fuzzer's own time limit must stay above this one.
    var timeLimitSeconds = HDF5File.defaultStringReadTimeLimit

    private var known: [Key: IsolatedStringRead.Record?] = [:]
    private var damage: FourierLensError?
    private var wholeFileRead = false

    /// The attribute `name` (variable-length strings) of the open object.
    func attribute(_ name: String, on object: hid_t, in file: HDF5File) throws -> AttributeValue {
        let record = try cached(.attribute(name), IsolatedStringRead.Item(object: object, kind: .attribute(name)), in: file)
        guard case let .strings(strings)? = record else { return .unsupported("unreadable strings") }
        return .strings(strings)
    }

    /// The creation properties of the open variable-length string dataset at `path`.
    func creation(of dataset: hid_t, rank: Int, at path: String, in file: HDF5File) throws -> CreationProperties {
        let record = try cached(.creation, IsolatedStringRead.Item(object: dataset, kind: .creation(rank: rank)), in: file, path: path)
        guard case let .creation(creation)? = record else { return .unknown }
        return CreationProperties(creation)
    }

    /// All the values of the open dataset at `path`; nil when libhdf5 refused the read.
    func values(of dataset: hid_t, at path: String, in file: HDF5File) throws -> [String]? {
        let record = try read([Request(item: .init(object: dataset, kind: .values), path: path)], in: file)[0]
        guard case let .strings(strings)? = record else { return nil }
        return strings
    }

    /// What the whole-file read found for the object, or a read of this item alone for an
    /// object the walk did not reach (behind an external link).
    private func cached(_ what: Key.What, _ item: IsolatedStringRead.Item, in file: HDF5File,
                        path: String? = nil) throws -> IsolatedStringRead.Record? {
        if !wholeFileRead {
            wholeFileRead = true
            // The walk's handles stay open until the child has read through them.
            let walked = (try? file.walk(under: "/")) ?? []
            try withExtendedLifetime(walked) { _ = try read(Self.wholeFileRequests(walked, in: file), in: file) }
        }
        if let damage { throw damage }
        let key = Self.key(item.object, what)
        if let key, let record = known[key] { return record }
        return try read([Request(item: item, path: path ?? Self.path(of: item.object), key: key)], in: file)[0]
    }

    /// Reads `requests` in one child and keeps what has a key; a crash or a hang becomes the
    /// file's `damage`.
    private func read(_ requests: [Request], in file: HDF5File) throws -> [IsolatedStringRead.Record?] {
        if let damage { throw damage }
        switch IsolatedStringRead.read(requests.map(\.item), idleLimitSeconds: timeLimitSeconds) {
        case let .success(records):
            for (request, record) in zip(requests, records) {
                if let key = request.key { known[key] = record }
            }
            return records
        case let .failure(failure):
            let request = requests[failure.index]
            let place: String?
            switch request.item.kind {
            case let .attribute(name): place = "attribute \(name)"
            case .creation: place = "its fill value"
            case .values: place = nil
            }
            let error = file.damagedStrings(request.path, in: place, reason: failure.reason)
            damage = error
            throw error
        }
    }

    /// Every variable-length string attribute of the walked groups and datasets, and the
    /// creation properties of the variable-length string datasets.
    private static func wholeFileRequests(_ walked: [HDF5File.WalkedObject], in file: HDF5File) -> [Request] {
        walked.flatMap { object -> [Request] in
            let (handle, path): (HDF5Handle, String)
            var requests: [Request] = []
            switch object {
            case let .group(group, groupPath): (handle, path) = (group, groupPath)
            case let .dataset(dataset, datasetPath):
                (handle, path) = (dataset, datasetPath)
                if let rank = variableLengthStringRank(dataset.id) {
                    requests.append(Request(item: .init(object: dataset.id, kind: .creation(rank: rank)), path: path,
                                            key: key(dataset.id, .creation)))
                }
            case .listed: return []
            }
            for name in file.attributeNames(of: handle.id) {
                let attribute = H5Aopen(handle.id, name, h5Default)
                guard attribute >= 0, HDF5File.isVariableLengthStrings(HDF5Handle(attribute, .attribute)) else { continue }
                requests.append(Request(item: .init(object: handle.id, kind: .attribute(name)), path: path,
                                        key: key(handle.id, .attribute(name))))
            }
            return requests
        }
    }

    /// The rank of a dataset of variable-length strings; nil for any other dataset.
    private static func variableLengthStringRank(_ dataset: hid_t) -> Int? {
        let type = HDF5Handle(H5Dget_type(dataset), .datatype)
        guard H5Tget_class(type.id) == H5T_STRING, H5Tis_variable_str(type.id) > 0 else { return nil }
        let space = HDF5Handle(H5Dget_space(dataset), .dataspace)
        return max(0, Int(H5Sget_simple_extent_ndims(space.id)))
    }

    /// The object's identity across paths and hard links: its file and its address there.
    private static func key(_ object: hid_t, _ what: Key.What) -> Key? {
        var info = H5O_info_t()
        guard H5Oget_info2(object, &info, UInt32(H5O_INFO_BASIC)) >= 0 else { return nil }
        return Key(file: UInt(info.fileno), address: info.addr, what: what)
    }

    private static func path(of object: hid_t) -> String {
        let length = H5Iget_name(object, nil, 0)
        guard length > 0 else { return "-" }
        var buffer = [CChar](repeating: 0, count: length + 1)
        H5Iget_name(object, &buffer, length + 1)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
